"""Reception routes (轮序接待): the day's sheet and the board, reorder, walk-ins, receptions,
passes, desk status, refusals, change of consultant, calls and SMS (REC-01…13)."""
from services.common.schemas import DecisionOut
from services.reception import schemas as rec

from . import Route

P = "/v1/projects/<int:project_id>"
S = "reception"

ROUTES = [
    Route("GET", f"{P}/board", "The front-desk board: desk 1–3, rotation and marks, receiving, "
          "lunch, official business, suspended (everyone in the project)", S, service=S,
          rpc="board", response=rec.BoardOut, rules=("REC-13", "REC-02")),
    Route("POST", f"{P}/displays", "Add a TV display: a read-only login for the board that "
          "lasts until revoked (manager); open board_url on the TV once", S, service=S,
          handler="create_display", body=rec.DisplayIn, response=rec.DisplayLoginOut,
          status=201, rules=("REC-13",)),
    Route("GET", f"{P}/displays", "The project's TV displays, revoked ones included (manager)",
          S, service=S, rpc="list_displays", response=rec.DisplayOut, many=True,
          rules=("REC-13",)),
    Route("DELETE", f"{P}/displays/<int:display_id>", "Revoke a TV display: its login stops at "
          "once (manager)", S, service=S, rpc="revoke_display", response=rec.DisplayOut,
          rules=("REC-13",)),
    Route("GET", f"{P}/rotation-sheet", "The day's rotation sheet in order (?day=YYYY-MM-DD)",
          S, service=S, rpc="sheet", query=("day",), response=rec.SheetOut, rules=("REC-01",)),
    Route("POST", f"{P}/rotation-sheet/reorder", "Set the day's order with a reason "
          "(supervisor, manager; recorded)", S, service=S, rpc="reorder_sheet",
          body=rec.ReorderIn, response=rec.SheetOut, rules=("REC-01", "SYS-02")),
    Route("POST", f"{P}/walk-ins", "Register a walk-in: owner lookup, then assignment by the "
          "rotation (receptionist, supervisor, manager)", S, service=S,
          rpc="register_walk_in", body=rec.WalkInIn, response=rec.WalkInOut, status=201,
          rules=("REC-02", "REC-03", "REC-04", "REC-07", "REC-08", "REC-10")),
    Route("GET", f"{P}/receptions", "The day's receptions (?day=YYYY-MM-DD)", S, service=S,
          rpc="list_receptions", query=("day",), response=rec.ReceptionOut, many=True,
          rules=("REC-03",)),
    Route("GET", f"{P}/receptions/<int:reception_id>", "One reception", S, service=S,
          rpc="get_reception", response=rec.ReceptionOut),
    Route("POST", f"{P}/receptions/<int:reception_id>/complete", "Complete a reception: "
          "outcome and floor plans handed out (the consultant, or supervisor/manager)", S,
          service=S, rpc="complete_reception", body=rec.CompleteIn, response=rec.ReceptionOut,
          rules=("REC-06",)),
    Route("POST", f"{P}/passes", "Voluntary pass for at least the policy minutes: two marks "
          "(a consultant for themself)", S, service=S, rpc="voluntary_pass", body=rec.PassIn,
          response=rec.SheetOut, rules=("REC-05",)),
    Route("PUT", f"{P}/desk-status/<int:person_id>", "Lunch, official business, away, "
          "announced short absence, back (own; desk staff for anyone)", S, service=S,
          rpc="set_desk_status", body=rec.DeskStatusIn, response=rec.SheetOut,
          rules=("REC-03", "REC-04", "REC-10")),
    Route("POST", f"{P}/refusals", "Record a refusal, picking or excuse: suspension "
          "(supervisor 1 day, manager 3)", S, service=S, rpc="record_refusal",
          body=rec.RefusalIn, response=rec.RefusalOut, status=201, rules=("REC-09",)),
    Route("POST", f"{P}/consultant-changes", "The customer asks for another consultant "
          "(credit split by clients)", S, service=S, rpc="change_consultant",
          body=rec.ChangeConsultantIn, response=DecisionOut, status=201, rules=("REC-11",)),
    Route("POST", f"{P}/calls", "Register a desk call (blank fields are fined missing "
          "entries)", S, service=S, rpc="register_call", body=rec.CallIn, response=rec.CallOut,
          status=201, rules=("REC-12",)),
    Route("GET", f"{P}/calls", "The day's calls with SMS status (?day=YYYY-MM-DD)", S,
          service=S, rpc="list_calls", query=("day",), response=rec.CallOut, many=True,
          rules=("REC-12",)),
    Route("POST", f"{P}/calls/unregistered", "Record a desk call that was never registered "
          "(supervisor, manager): the answerer is fined once", S, service=S,
          rpc="record_unregistered_call", body=rec.UnregisteredCallIn,
          response=rec.CallFaultOut, status=201, rules=("REC-12", "ATT-10")),
    Route("POST", f"{P}/calls/<int:call_id>/sms", "Record the standard SMS (within the policy "
          "minutes)", S, service=S, rpc="record_sms", body=rec.SmsIn, response=rec.CallOut,
          rules=("REC-12",)),
]
