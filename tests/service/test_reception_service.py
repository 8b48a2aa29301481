"""Reception on the real broker (REC-01…13, SYS-01/02/03).

Attendance's side of the contract (docs/events.md: ``signed_in``, ``clocked_out``,
``eligibility_revoked``, ``leave_started``/``leave_ended``) is published here with nameko's
standalone ``event_dispatcher`` as "attendance" on the test vhost — real messages through
RabbitMQ into the running ReceptionService, not a mock. Events out are read from a queue bound
to the ``reception.events`` exchange. Clients is the real ClientsService (its ``owner_of`` still
answers "no owner" and it has no ``register_customer`` yet) except in the returning-customer
tests, which run a small stand-in "clients" service answering the documented RPC contract.
"""
import json
import uuid

import pytest
from kombu import Connection, Queue
from nameko.events import get_event_exchange
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher

from services.clients.service import ClientsService
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.reception.service import ReceptionService
from tests.helpers import CLOCK_ADMIN, eventually, token

PID = 7
DAY = "2026-03-02"
MANAGER = token(person_id=2, project_id=PID, roles=("manager",), name="经理 Manager")
SUPERVISOR = token(person_id=3, project_id=PID, roles=("supervisor",), name="主管 Supervisor")
RECEPTIONIST = token(person_id=4, project_id=PID, roles=("receptionist",), name="导台 Desk")
A, B, C, D, E = 101, 102, 103, 104, 105
NAMES = {A: "甲 A", B: "乙 B", C: "丙 C", D: "丁 D", E: "戊 E"}
PHONE = "13812341234"


def at(hhmm, day=DAY):
    return f"{day}T{hhmm}:00+08:00"


def consultant(person_id, pid=PID):
    return token(person_id=person_id, project_id=pid, roles=("consultant",),
                 name=NAMES.get(person_id, str(person_id)))


class Floor:
    """One project's front desk on the test vhost: attendance's events in, RPCs, events out."""

    def __init__(self, rabbit_config, rec, pid=PID):
        self.dispatch = event_dispatcher(dict(rabbit_config))
        self.rec, self.pid = rec, pid
        self.conn = Connection(rabbit_config["AMQP_URI"])
        self.queue = Queue("reception-events-" + uuid.uuid4().hex[:8],
                           get_event_exchange("reception", {}), routing_key="#",
                           durable=False, auto_delete=True)(self.conn)
        self.queue.declare()
        self.seen = []

    def close(self):
        self.conn.release()

    # -- attendance's events (the contract in docs/events.md) ------------------------------
    def attendance(self, event_type, day=DAY, event_id=None, **fact):
        payload = {"event_id": event_id or str(uuid.uuid4()), "event_type": event_type,
                   "source": "attendance", "occurred_at": at("08:00", day),
                   "project_id": self.pid, "actor": None, "rule": "ATT-06",
                   "reason": "test", "day": day, **fact}
        self.dispatch("attendance", event_type, payload)
        return payload

    def sign_in(self, person_id, hhmm, placed_last=False, day=DAY, wait=True):
        before = len(self.entries(day))
        payload = self.attendance("signed_in", day=day, person_id=person_id,
                                  name=NAMES[person_id], at=at(hhmm, day),
                                  clock_in_at=at("08:20", day), placed_last=placed_last)
        if wait:
            eventually(lambda: len(self.entries(day)) == before + 1,
                       message=f"{NAMES[person_id]} not on the sheet")
        return payload

    def lunch(self, person_id, hhmm="11:30", due="12:10"):
        """ATT-11: attendance starts the lunch (contract 2); the sheet shows it."""
        self.attendance("lunch_started", person_id=person_id, at=at(hhmm), due_back_at=at(due))
        eventually(lambda: self.state(person_id) == "lunch", message="lunch not on the sheet")

    def state(self, person_id, day=DAY):
        return next((e["state"] for e in self.entries(day) if e["person_id"] == person_id), None)

    # -- reading ---------------------------------------------------------------------------
    def entries(self, day=DAY):
        return self.rec.sheet(MANAGER, self.pid, {"day": day})["entries"]

    def order(self, day=DAY):
        """Person ids holding a place in the rotation, in order."""
        return [e["person_id"] for e in self.entries(day) if e["place"] is not None]

    def marks(self, day=DAY):
        return {e["person_id"]: e["marks"] for e in self.entries(day)}

    def walk_in(self, who=RECEPTIONIST, **body):
        return self.rec.register_walk_in(who, self.pid, body)

    def events(self, event_type, n=1, **match):
        def found():
            while True:
                message = self.queue.get(no_ack=True)
                if message is None:
                    break
                self.seen.append(message.payload)
            hits = [p for p in self.seen if p["event_type"] == event_type
                    and all(p.get(k) == v for k, v in match.items())]
            return hits if len(hits) >= n else None
        return eventually(found, message=f"{n} {event_type} event(s) {match} not published")


@pytest.fixture
def floor(start_service, rpc_proxy, rabbit_config):
    start_service(ReceptionService)
    start_service(ClientsService)
    rec = rpc_proxy("reception")
    rec.set_clock(CLOCK_ADMIN, at("09:00"))
    f = Floor(rabbit_config, rec)
    yield f
    f.close()


def signed_in(floor, *people):
    for i, person in enumerate(people):
        floor.sign_in(person, f"08:{30 + i:02d}")


# ------------------------------------------------------------------ REC-01 the sheet

def test_rec01_sign_ins_in_order_placed_last_goes_behind_and_duplicates_count_once(floor):
    # clauses: REC-01.6
    """ATT-06 → REC-01: sign-in order; a "视作最后签到" sign-in goes behind every correct one,
    even one made later; an event delivered twice puts nobody on the sheet twice; an event
    delivered out of order still lands in sign-in order."""
    first = floor.sign_in(A, "08:31")
    floor.sign_in(D, "08:33", placed_last=True)
    floor.sign_in(C, "08:34")
    floor.sign_in(B, "08:32")            # delivered late: goes by its sign-in time
    floor.dispatch("attendance", "signed_in", first)   # redelivered
    floor.sign_in(E, "08:40")            # the marker that the duplicate has been consumed
    assert floor.order() == [A, B, C, E, D]
    assert all(m == 0 for m in floor.marks().values())
    chain = floor.rec.why(MANAGER, "sheet", f"{PID}-{DAY}")["decisions"]
    assert [d["rule"] for d in chain] == ["REC-01"] * 5
    assert "视作最后签到" in chain[1]["reason"]


def test_rec01_rec10_clock_out_revocation_leave_and_late_joiner(floor):
    # clauses: REC-01.2, REC-01.7, REC-10.5
    """Clock-out (REC-10) and revoked eligibility (ATT-03) take people off; a return from leave
    and a late joiner come in at the back of the current round with the highest marks."""
    signed_in(floor, A, B, C)
    rid = floor.walk_in()["reception"]["id"]
    floor.rec.complete_reception(consultant(A), PID, rid, {"outcome": "looked around"})
    assert floor.marks() == {A: 1, B: 0, C: 0}
    floor.attendance("leave_started", person_id=B, leave_type="personal")
    eventually(lambda: floor.order() == [C, A])
    floor.attendance("leave_ended", person_id=B, leave_type="personal")
    eventually(lambda: floor.order() == [C, A, B])
    assert floor.marks()[B] == 1         # back of the round: the highest count on the sheet
    floor.attendance("clocked_out", person_id=C, at=at("09:00"))
    eventually(lambda: floor.order() == [A, B])
    floor.attendance("eligibility_revoked", person_id=A, until=at("17:00"))
    eventually(lambda: floor.order() == [B])
    floor.sign_in(D, "09:30")
    assert floor.order() == [B, D] and floor.marks()[D] == 1
    off = {e["person_id"]: e for e in floor.entries() if e["state"] == "off_duty"}
    assert off[C]["detail"] == "clocked_out" and off[A]["detail"] == "eligibility_revoked"
    with pytest.raises(Conflict) as exc:      # off the sheet: no desk status either
        floor.rec.set_desk_status(consultant(C), PID, C, {"state": "away"})
    assert exc.value.rule == "REC-10"
    floor.attendance("signed_in", person_id=C, name=NAMES[C], at=at("10:00"),
                     clock_in_at=at("08:20"), placed_last=False)
    floor.sign_in(E, "10:01")
    assert C not in floor.order()        # a clocked-out consultant does not come back


def test_rec01_supervisor_reorders_with_a_reason_recorded(floor):
    # clauses: REC-01.8
    signed_in(floor, A, B, C)
    with pytest.raises(Forbidden):
        floor.rec.reorder_sheet(consultant(A), PID, {"order": [C, B, A], "reason": "x"})
    with pytest.raises(Unprocessable) as exc:
        floor.rec.reorder_sheet(SUPERVISOR, PID, {"order": [C, B, A], "reason": "  "})
    assert exc.value.rule == "REC-01" and exc.value.field == "reason"
    with pytest.raises(Unprocessable) as exc:
        floor.rec.reorder_sheet(SUPERVISOR, PID, {"order": [C, B], "reason": "dispute"})
    assert exc.value.field == "order"
    sheet = floor.rec.reorder_sheet(SUPERVISOR, PID, {"order": [C, B, A],
                                                      "reason": "打卡时间争议 clock-in dispute"})
    assert [e["person_id"] for e in sheet["entries"]] == [C, B, A]
    last = floor.rec.why(MANAGER, "sheet", f"{PID}-{DAY}")["decisions"][-1]
    assert last["rule"] == "REC-01" and last["outcome"] == "reordered"
    assert "clock-in dispute" in last["reason"] and last["actor_id"] == 3
    assert floor.walk_in()["reception"]["person_id"] == C


# ------------------------------------------------------------------ REC-02/03/06 a walk-in

def test_rec02_rec03_rec06_walk_in_notice_completion_and_events(floor):
    # clauses: REC-01.4, REC-02.3, REC-03.1, REC-06.1
    signed_in(floor, A, B, C, D)
    taken = floor.walk_in(note="couple, 2 people")
    reception = taken["reception"]
    assert reception["person_id"] == A and reception["kind"] == "turn"
    assert reception["rule"] == "REC-03"
    notice = [d for d in taken["decisions"] if d["rule"] == "REC-02"]
    assert notice and notice[0]["data"]["notifier_id"] == C and notice[0]["data"]["person_id"] == D
    board = floor.rec.board(consultant(B), PID)
    assert [d["person_id"] for d in board["desk"]] == [B, C, D]
    assert [p["person_id"] for p in board["receiving"]] == [A]
    assert board["notice"] == notice[0]["reason"]
    started = floor.events("reception_started", reception_id=reception["id"])[0]
    assert started["person_id"] == A and started["kind"] == "turn" and started["rule"] == "REC-03"
    assert started["marks_delta"] == 1 and started["day"] == DAY
    # REC-06: complete with outcome and floor plans; +1 mark, back at the end of the round
    done = floor.rec.complete_reception(consultant(A), PID, reception["id"], {
        "outcome": "想要三房 wants 3 rooms",
        "floor_plans": [{"code": "FP-A", "quantity": 2}, {"code": "FP-C", "quantity": 1}]})
    assert done["status"] == "completed"
    assert floor.marks()[A] == 1 and floor.order() == [B, C, D, A]
    completed = floor.events("reception_completed", reception_id=reception["id"])[0]
    assert completed["floor_plans"] == [{"code": "FP-A", "quantity": 2},
                                        {"code": "FP-C", "quantity": 1}]
    assert completed["credit_owner_id"] == A and completed["rule"] == "REC-06"
    assert completed["outcome"] == "想要三房 wants 3 rooms" and completed["kind"] == "turn"
    # SYS-01: why was this walk-in given to A?
    chain = floor.rec.why(MANAGER, "walk_in", taken["walk_in_id"])["decisions"]
    assert [d["rule"] for d in chain][:3] == ["REC-03", "REC-02", "REC-01"]   # + A's day
    assert chain[0]["data"]["person_id"] == A
    assert floor.rec.why(MANAGER, "reception", reception["id"])["decisions"][0]["rule"] == "REC-06"


def test_rec03_one_group_at_a_time_second_group_only_when_nobody_is_free(floor):
    # clauses: REC-03.3, REC-03.4
    signed_in(floor, A, B)
    first, second = floor.walk_in(), floor.walk_in()
    assert [first["reception"]["person_id"], second["reception"]["person_id"]] == [A, B]
    assert not second["reception"]["second_group"]
    third = floor.walk_in()               # nobody free: the head of the order takes a 2nd group
    assert third["reception"]["second_group"] and third["reception"]["person_id"] == A
    assert "second group" in third["reception"]["reason"]


def test_rec03_rec04_rec10_official_business_away_lunch(floor):
    # clauses: REC-03.2, REC-04.1, REC-04.2, REC-04.3
    """The turn passes over the lunch-goer (REC-10, forfeit: a mark), the absent one (REC-04,
    forfeit), the one who announced a short absence (REC-04 policy: kept) and, later, the one on
    official business (REC-03: kept, keeps first position, no mark)."""
    signed_in(floor, A, B, C, D)
    floor.lunch(A)
    floor.rec.set_desk_status(RECEPTIONIST, PID, B, {"state": "away"})
    floor.rec.set_desk_status(consultant(C), PID, C, {"state": "away_announced",
                                                       "detail": "洗手间 restroom"})
    taken = floor.walk_in()
    assert taken["reception"]["person_id"] == D
    skipped = {d["data"]["person_id"]: d for d in taken["decisions"][:3]}
    assert skipped[A]["rule"] == "REC-10" and skipped[A]["outcome"] == "forfeited"
    assert skipped[B]["rule"] == "REC-04" and skipped[B]["outcome"] == "forfeited"
    assert skipped[C]["rule"] == "REC-04" and skipped[C]["outcome"] == "turn_kept"
    assert floor.marks() == {A: 1, B: 1, C: 0, D: 0}
    forfeits = floor.events("turn_forfeited", n=2)
    assert sorted(p["person_id"] for p in forfeits) == [A, B]
    assert {p["rule"] for p in forfeits} == {"REC-04", "REC-10"}
    floor.attendance("lunch_ended", person_id=A, at=at("12:10"), overstay_minutes=0)
    eventually(lambda: floor.state(A) == "free")
    floor.rec.set_desk_status(consultant(B), PID, B, {"state": "back"})
    floor.rec.set_desk_status(consultant(C), PID, C, {"state": "official_business",
                                                       "detail": "送合同 bank run"})
    taken = floor.walk_in()
    assert taken["reception"]["person_id"] == A
    kept = taken["decisions"][0]
    assert kept["rule"] == "REC-03" and kept["outcome"] == "turn_kept"
    assert floor.marks()[C] == 0
    board = floor.rec.board(MANAGER, PID)
    assert board["desk"][0]["person_id"] == C     # keeps the first position
    assert board["official_business"][0]["detail"].startswith("送合同 bank run")
    with pytest.raises(Forbidden) as exc:
        floor.rec.set_desk_status(consultant(B), PID, C, {"state": "back"})
    assert exc.value.rule == "SYS-02"
    with pytest.raises(Conflict) as exc:          # receiving: not away now
        floor.rec.set_desk_status(consultant(A), PID, A, {"state": "away"})
    assert exc.value.rule == "REC-03"
    with pytest.raises(Unprocessable) as exc:     # REC-10.1: lunch only through attendance
        floor.rec.set_desk_status(consultant(B), PID, B, {"state": "lunch"})
    assert (exc.value.rule, exc.value.field) == ("ATT-11", "state")


def test_rec05_voluntary_pass_two_marks_and_policy_minimum(floor):
    # clauses: REC-05.1, REC-05.2
    signed_in(floor, A, B, C)
    with pytest.raises(Unprocessable) as exc:
        floor.rec.voluntary_pass(consultant(A), PID, {"minutes": 20})
    assert exc.value.rule == "REC-05" and exc.value.field == "minutes"
    with pytest.raises(Forbidden):
        floor.rec.voluntary_pass(consultant(A), PID, {"person_id": B, "minutes": 30})
    sheet = floor.rec.voluntary_pass(consultant(A), PID, {"minutes": 30})
    row = next(e for e in sheet["entries"] if e["person_id"] == A)
    assert row["marks"] == 2 and row["state"] == "passing" and row["place"] is None
    assert floor.walk_in()["reception"]["person_id"] == B
    # SYS-03: the manager lowers the minimum for the project; the service reads it
    assert floor.rec.get_policy(MANAGER, PID)["pass_min_minutes"] == 30
    floor.rec.set_policy(MANAGER, PID, {"pass_min_minutes": 10}, "quiet weekday")
    floor.rec.voluntary_pass(consultant(C), PID, {"minutes": 15 + 45})
    assert floor.marks() == {A: 2, B: 0, C: 2}
    # the pass ends by itself: after 30 min A is back in the order
    floor.rec.set_clock(CLOCK_ADMIN, at("09:31"))
    assert A in floor.order() and C not in floor.order()


def test_sys03_a_bad_policy_value_is_refused_when_written_and_the_desk_keeps_working(floor):
    """Before the policy was checked on write, duty_chooser "bogus" was stored and every
    board and walk-in then failed (503). Now the write is the 422, naming the key and the rule
    it tunes, and nothing is stored."""
    signed_in(floor, A, B)
    with pytest.raises(Unprocessable) as exc:
        floor.rec.set_policy(MANAGER, PID, {"duty_chooser": "bogus"}, "typo")
    assert (exc.value.field, exc.value.rule) == ("duty_chooser", "REC-07")
    assert floor.rec.get_policy(MANAGER, PID)["duty_chooser"] == "last_finished"
    assert floor.rec.board(RECEPTIONIST, PID)["desk"]
    assert floor.walk_in()["reception"]["person_id"] == A


def test_rec06_completion_refusals(floor):
    # clauses: REC-06.1
    signed_in(floor, A, B)
    rid = floor.walk_in()["reception"]["id"]
    with pytest.raises(Forbidden) as exc:
        floor.rec.complete_reception(consultant(B), PID, rid, {"outcome": "x"})
    assert exc.value.rule == "SYS-02"
    with pytest.raises(Unprocessable) as exc:
        floor.rec.complete_reception(consultant(A), PID, rid, {
            "outcome": "x", "floor_plans": [{"code": "FP-A", "quantity": 0}]})
    assert "floor_plans" in exc.value.field
    with pytest.raises(NotFound):
        floor.rec.complete_reception(consultant(A), PID, 99999, {"outcome": "x"})
    floor.rec.complete_reception(SUPERVISOR, PID, rid, {"outcome": "left"})
    with pytest.raises(Conflict) as exc:
        floor.rec.complete_reception(consultant(A), PID, rid, {"outcome": "again"})
    assert exc.value.rule == "REC-06"


def test_sys02_who_may_register_walk_ins_and_read_the_board(floor):
    # clauses: REC-13.2
    signed_in(floor, A)
    with pytest.raises(Forbidden) as exc:
        floor.walk_in(who=consultant(A))
    assert exc.value.rule == "SYS-02"
    with pytest.raises(Forbidden):
        floor.walk_in(who=token(person_id=4, project_id=PID + 1, roles=("receptionist",)))
    with pytest.raises(Forbidden):
        floor.rec.board(consultant(A, pid=PID + 1), PID)
    assert floor.rec.board(consultant(A), PID)["rotation"][0]["person_id"] == A
    with pytest.raises(Unprocessable) as exc:
        floor.walk_in(visit_kind="vip")
    assert exc.value.field == "visit_kind"


def test_rec03_no_sign_in_no_reception(floor):
    # clauses: REC-01.1
    with pytest.raises(Conflict) as exc:
        floor.walk_in()
    assert exc.value.rule == "REC-01"


def test_rec07_new_phone_no_owner_is_a_turn_and_phone_is_masked(floor):
    # clauses: REC-07.1
    """A phone clients has never seen has no owner: an ordinary turn; clients registers the
    customer; the phone is kept masked and never leaves in an event (CLI-14)."""
    signed_in(floor, A, B)
    taken = floor.walk_in(phone=PHONE, name="王先生")
    assert taken["reception"]["kind"] == "turn" and taken["reception"]["person_id"] == A
    assert taken["phone_masked"] == "138****1234" and taken["owner"]["owner_id"] is None
    started = floor.events("reception_started", reception_id=taken["reception"]["id"])
    assert PHONE not in json.dumps(started)


def test_rec08_industry_peers_go_to_the_last_consultant_no_mark(floor):
    # clauses: REC-08.3
    signed_in(floor, A, B, C)
    taken = floor.walk_in(visit_kind="industry_peer")
    assert taken["reception"]["person_id"] == C and taken["reception"]["kind"] == "non_turn"
    assert taken["reception"]["rule"] == "REC-08"
    floor.rec.complete_reception(consultant(C), PID, taken["reception"]["id"],
                                 {"outcome": "踩盘 market research"})
    assert floor.marks() == {A: 0, B: 0, C: 0}


def test_rec09_refusal_suspends_and_is_announced_for_the_ledger(floor):
    # clauses: REC-01.3, REC-09.1
    signed_in(floor, A, B, C)
    with pytest.raises(Forbidden):
        floor.rec.record_refusal(RECEPTIONIST, PID, {"person_id": A, "kind": "refusal"})
    out = floor.rec.record_refusal(SUPERVISOR, PID, {"person_id": A, "kind": "refusal",
                                                     "note": "would not stand"})
    assert out["days"] == 1 and out["suspended_until_day"] == DAY and out["rule"] == "REC-09"
    assert floor.order() == [B, C]
    board = floor.rec.board(MANAGER, PID)
    assert [p["person_id"] for p in board["suspended"]] == [A]
    assert floor.walk_in()["reception"]["person_id"] == B
    event = floor.events("refusal_recorded", person_id=A)[0]
    assert event["suspended_until_day"] == DAY and event["recorded_by"] == 3
    assert event["kind"] == "refusal" and event["rule"] == "REC-09"
    out = floor.rec.record_refusal(MANAGER, PID, {"person_id": C, "kind": "picking"})
    assert out["days"] == 3 and out["suspended_until_day"] == "2026-03-04"
    with pytest.raises(NotFound):
        floor.rec.record_refusal(MANAGER, PID, {"person_id": 999, "kind": "excuse"})
    # the suspension follows C to the next days' sheet
    floor.sign_in(C, "08:30", day="2026-03-03")
    assert floor.rec.sheet(MANAGER, PID, {"day": "2026-03-03"})["entries"][0]["state"] == \
        "suspended"
    assert floor.order("2026-03-03") == []


def test_rec11_change_of_consultant_is_announced_to_clients(floor):
    # clauses: REC-11.1
    signed_in(floor, A, B)
    with pytest.raises(NotFound):   # SYS-02: a customer who never came to this desk
        floor.rec.change_consultant(RECEPTIONIST, PID, {"customer_id": 5, "from_person_id": A,
                                                        "to_person_id": B})
    cid = floor.walk_in(phone="13900000005")["reception"]["customer_id"]
    with pytest.raises(Forbidden):
        floor.rec.change_consultant(consultant(A), PID, {"customer_id": cid, "from_person_id": A,
                                                         "to_person_id": B})
    with pytest.raises(Unprocessable) as exc:
        floor.rec.change_consultant(RECEPTIONIST, PID, {"customer_id": cid, "from_person_id": A,
                                                        "to_person_id": A})
    assert exc.value.rule == "REC-11"
    out = floor.rec.change_consultant(RECEPTIONIST, PID, {"customer_id": cid,
                                                          "from_person_id": A,
                                                          "to_person_id": B})
    assert out["rule"] == "REC-11"
    event = floor.events("consultant_changed", customer_id=cid)[0]
    assert (event["from_person_id"], event["to_person_id"]) == (A, B)
    assert event["credit_split"] == [{"person_id": A, "percent": 50},
                                     {"person_id": B, "percent": 50}]


def test_rec12_calls_registered_fined_for_blanks_and_sms_deadline(floor):
    # clauses: REC-02.2, REC-12.1, REC-12.2
    signed_in(floor, A, B)
    call = floor.rec.register_call(consultant(A), PID, {
        "caller": "李女士", "phone": PHONE, "need": "两房 2 rooms", "how_heard": "朋友圈",
        "media_source": "wechat", "answered_by": A, "ended_at": at("09:00")})
    assert call["fine"] == 0 and call["phone_masked"] == "138****1234"
    assert call["sms"]["status"] == "pending"
    event = floor.events("call_registered", call_id=call["id"])[0]
    assert event["answered_by"] == A and event["media_source"] == "wechat"
    assert PHONE not in json.dumps(event)
    with pytest.raises(Forbidden):          # a consultant registers only their own calls
        floor.rec.register_call(consultant(A), PID, {"caller": "x", "answered_by": B})
    blank = floor.rec.register_call(RECEPTIONIST, PID, {"caller": "赵", "answered_by": B,
                                                        "phone": "13900001111"})
    assert blank["missing"] == ["need", "how_heard"] and blank["fine"] == 20
    floor.rec.set_clock(CLOCK_ADMIN, at("09:05"))
    on_time = floor.rec.record_sms(consultant(A), PID, call["id"], {})
    assert on_time["sms"]["status"] == "on_time"
    floor.rec.set_clock(CLOCK_ADMIN, at("09:20"))
    assert [c["sms"]["status"] for c in floor.rec.list_calls(MANAGER, PID, {})] == \
        ["on_time", "missing"]
    late = floor.rec.record_sms(consultant(B), PID, blank["id"], {"sent_at": at("09:10")})
    assert late["sms"]["status"] == "late" and late["sms"]["rule"] == "REC-12"
    with pytest.raises(Conflict):
        floor.rec.record_sms(consultant(B), PID, blank["id"], {})


def test_rec13_board_shape_for_the_page(floor):
    # clauses: REC-02.1, REC-13.1
    signed_in(floor, A, B, C, D)
    floor.walk_in()
    floor.lunch(B)
    board = floor.rec.board(consultant(C), PID)
    assert board["day"] == DAY
    assert [(d["position"], d["person_id"], d["marks"]) for d in board["desk"]] == \
        [(1, B, 0), (2, C, 0), (3, D, 0)]
    assert [r["person_id"] for r in board["rotation"]] == [B, C, D, A]
    assert [r["state"] for r in board["rotation"]] == ["lunch", "free", "free", "receiving"]
    assert board["receiving"][0]["name"] == NAMES[A] and "turn" in board["receiving"][0]["detail"]
    assert [p["name"] for p in board["lunch"]] == [NAMES[B]]
    assert board["suspended"] == [] and board["official_business"] == []


# ------------------------------------------------------------------ REC-07 returning customers

class ClientsStandIn:
    """Answers clients' documented RPCs (docs/events.md) from a table the test fills: a real
    nameko service on the test vhost, standing in until clients' ownership lands."""
    name = "clients"
    owners = {}

    @rpc
    def owner_of(self, token, project_id, phone):
        customer_id, owner_id, live = self.owners.get(phone, (None, None, False))
        return {"customer_id": customer_id, "owner_id": owner_id, "owner_name": None,
                "protection_live": live, "rule": "CLI-02", "reason": "stand-in",
                "phone_masked": phone[:3] + "****" + phone[-4:]}

    @rpc
    def register_customer(self, token, project_id, phone, name, source):
        return {"customer_id": 5000 + int(phone[-4:]), "created": True}


@pytest.fixture
def owned_floor(start_service, rpc_proxy, rabbit_config):
    start_service(ReceptionService)
    start_service(ClientsStandIn, migrate=False)
    rec = rpc_proxy("reception")
    rec.set_clock(CLOCK_ADMIN, at("09:00"))
    f = Floor(rabbit_config, rec)
    yield f
    f.close()


def test_rec07_owner_present_and_free_receives_with_no_mark(owned_floor):
    # clauses: REC-07.2
    floor = owned_floor
    ClientsStandIn.owners = {PHONE: (77, C, True)}
    signed_in(floor, A, B, C)
    taken = floor.walk_in(phone=PHONE)
    rec = taken["reception"]
    assert (rec["person_id"], rec["kind"], rec["rule"]) == (C, "returning", "REC-07")
    assert rec["customer_id"] == 77 and rec["credit_owner_id"] == C
    floor.rec.complete_reception(consultant(C), PID, rec["id"], {"outcome": "second visit"})
    assert floor.marks() == {A: 0, B: 0, C: 0}
    done = floor.events("reception_completed", reception_id=rec["id"])[0]
    assert done["customer_id"] == 77 and done["credit_owner_id"] == C
    assert PHONE not in json.dumps(floor.seen)
    # a new customer (no owner): register_customer gives the id the events carry
    fresh = floor.walk_in(phone="13900005678")
    assert fresh["reception"]["customer_id"] == 10678 and fresh["reception"]["kind"] == "turn"


def test_rec07_owner_busy_duty_reception_by_last_finished_turn_made_up(owned_floor):
    # clauses: REC-07.3, REC-07.4, REC-07.5
    floor = owned_floor
    ClientsStandIn.owners = {PHONE: (77, D, True)}
    signed_in(floor, A, B, C, D)
    # B finishes a (non-turn) reception first: last_finished chooser picks B later
    peer = floor.walk_in(visit_kind="industry_peer")["reception"]
    assert peer["person_id"] == D
    walk = floor.walk_in()["reception"]
    assert walk["person_id"] == A
    floor.rec.complete_reception(consultant(A), PID, walk["id"], {"outcome": "x"})
    # owner D is receiving: duty reception by the last to finish (A), no mark, credit to D
    taken = floor.walk_in(phone=PHONE)
    rec = taken["reception"]
    assert (rec["person_id"], rec["kind"], rec["rule"]) == (A, "duty", "REC-07")
    assert rec["credit_owner_id"] == D and "义务接待" in rec["reason"]
    floor.rec.complete_reception(consultant(A), PID, rec["id"], {"outcome": "for D"})
    done = floor.events("reception_completed", reception_id=rec["id"])[0]
    assert done["credit_owner_id"] == D and done["kind"] == "duty"
    assert floor.marks() == {A: 1, B: 0, C: 0, D: 0}
    # the policy may pick the head of the rotation instead
    floor.rec.set_policy(MANAGER, PID, {"duty_chooser": "head_of_rotation"}, "000 rules")
    again = floor.walk_in(phone=PHONE)["reception"]
    assert again["person_id"] == B and again["kind"] == "duty"
    # B missed a turn by the duty reception: the next walk-in passes B, who keeps the turn
    nxt = floor.walk_in()
    assert nxt["reception"]["person_id"] == C
    assert any(d["rule"] == "REC-07" and d["outcome"] == "turn_made_up"
               for d in nxt["decisions"])


# ------------------------------------------------------------------ round 12: contracts 1–4, SYS-01

def test_att06_rec01_sign_in_order_changed_resorts_the_sheet_once(floor):
    # clauses: REC-01.6
    """REC-01.4 (contract 1): attendance's resolved dispute re-sorts the tie-break of those
    people; others keep their places; a redelivered event changes nothing."""
    signed_in(floor, A, B, C, D)
    event = floor.attendance("sign_in_order_changed", order=[C, A], dispute_id=9, decided_by=3)
    eventually(lambda: floor.order() == [C, B, A, D], message="order not re-sorted")
    floor.dispatch("attendance", "sign_in_order_changed", event)
    floor.sign_in(E, "08:50")             # the marker that the redelivery has been consumed
    assert floor.order() == [C, B, A, D, E]
    chain = floor.rec.why(MANAGER, "sheet", f"{PID}-{DAY}")["decisions"]
    assert [d["outcome"] for d in chain].count("sign_in_order_changed") == 1


def test_rec10_lunch_from_attendance_skips_the_turn_with_a_mark(floor):
    # clauses: REC-10.2
    """REC-10.1/REC-10.2 (contract 2): lunch_started puts A at lunch; A's turn is skipped
    with a mark; lunch_ended puts A back."""
    signed_in(floor, A, B)
    floor.lunch(A)
    taken = floor.walk_in()
    assert taken["reception"]["person_id"] == B
    assert taken["decisions"][0]["rule"] == "REC-10" and floor.marks()[A] == 1
    floor.attendance("lunch_ended", person_id=A, at=at("12:15"), overstay_minutes=5)
    eventually(lambda: floor.state(A) == "free")


def test_rec12_faults_are_recorded_once_and_announced_for_the_ledger(floor):
    # clauses: REC-12.4, REC-12.5, REC-12.6
    """REC-12.4/REC-12.5 (contract 3): blank entries, an SMS never sent (the timer, once), a
    late SMS and an unregistered call each become one call_fault_recorded."""
    signed_in(floor, A, B)
    blank = floor.rec.register_call(RECEPTIONIST, PID, {"caller": "赵", "answered_by": B,
                                                        "phone": "13900001111",
                                                        "ended_at": at("09:00")})
    missing = floor.events("call_fault_recorded", call_id=blank["id"], kind="missing_entry")[0]
    assert (missing["person_id"], missing["fine"], missing["missing"]) == \
        (B, 20, ["need", "how_heard"])
    full = {"caller": "李", "phone": PHONE, "need": "2房", "how_heard": "朋友圈"}
    never = floor.rec.register_call(consultant(A), PID, dict(full, answered_by=A,
                                                             ended_at=at("09:00")))
    late = floor.rec.register_call(consultant(A), PID, dict(full, answered_by=A,
                                                            ended_at=at("09:00")))
    assert late["faults"] == []
    floor.rec.set_clock(CLOCK_ADMIN, at("09:06"))            # after it: the timer records no_sms
    floor.events("call_fault_recorded", call_id=never["id"], kind="no_sms")
    floor.events("call_fault_recorded", call_id=late["id"], kind="no_sms")
    sms = floor.rec.record_sms(consultant(A), PID, late["id"],
                              {"sent_at": f"{DAY}T09:05:30+08:00"})
    assert sms["sms"]["status"] == "late"            # already fined as no_sms: not twice
    # a late SMS: one fault, late_sms or no_sms (whichever the timer or the SMS stored
    # first), never both
    third = floor.rec.register_call(consultant(A), PID, dict(full, answered_by=A,
                                                             ended_at=at("09:06")))
    floor.rec.set_clock(CLOCK_ADMIN, at("09:12"))
    floor.rec.record_sms(consultant(A), PID, third["id"], {"sent_at": f"{DAY}T09:11:30+08:00"})
    floor.events("call_fault_recorded", call_id=third["id"])
    assert len(next(c for c in floor.rec.list_calls(MANAGER, PID, {})
                    if c["id"] == third["id"])["faults"]) == 1
    with pytest.raises(Forbidden):
        floor.rec.record_unregistered_call(RECEPTIONIST, PID, {
            "answered_by": A, "at": at("09:30"), "note": "phone log"})
    with pytest.raises(Unprocessable) as exc:
        floor.rec.record_unregistered_call(SUPERVISOR, PID, {
            "answered_by": A, "at": at("09:30"), "note": "in the future"})
    assert (exc.value.rule, exc.value.field) == ("REC-12", "at")
    out = floor.rec.record_unregistered_call(SUPERVISOR, PID, {
        "answered_by": A, "at": at("09:10"), "note": "话单 phone log 09:10"})
    assert (out["kind"], out["fine"], out["call_id"], out["recorded_by"]) == \
        ("unregistered_call", 10, None, 3)
    floor.events("call_fault_recorded", kind="unregistered_call", person_id=A)
    counted = [p for p in floor.seen if p["event_type"] == "call_fault_recorded"]
    # missing entries (blank), no SMS for blank, never and late, one for third, unregistered
    assert len(counted) == 6 and sorted(p["kind"] for p in counted)[-1] == "unregistered_call"
    assert len({(p["call_id"], p["kind"]) for p in counted}) == 6


def test_cli08_named_consultant_free_receives_and_events_carry_arrival(floor):
    """CLI-08.2 / contract 4: the named consultant, present and free, receives (a turn);
    events carry named_person_id and arrived_at (the registration time)."""
    signed_in(floor, A, B, C)
    floor.attendance("staff_added", person={"id": 4, "project_id": PID, "name": "desk",
                                            "roles": ["receptionist"]})
    people = {A: PID, B: PID, C: PID + 1}     # C is a consultant of another project
    for person, project in people.items():
        floor.attendance("staff_added", person={"id": person, "project_id": project,
                                                "name": NAMES[person] + "*",
                                                "roles": ["consultant"]})
    eventually(lambda: all(e["name"].endswith("*") for e in floor.entries()),
               message="the directory replica has not taken the staff")

    def refused(who):
        with pytest.raises(Unprocessable) as exc:
            floor.walk_in(named_person_id=who)
        assert (exc.value.rule, exc.value.field) == ("CLI-08", "named_person_id")
    refused(C)
    refused(999)
    floor.rec.set_clock(CLOCK_ADMIN, at("09:10"))
    taken = floor.walk_in(named_person_id=B)
    rec = taken["reception"]
    assert (rec["person_id"], rec["kind"], rec["rule"]) == (B, "turn", "CLI-08")
    assert rec["named_person_id"] == B and rec["arrived_at"].startswith("2026-03-02T01:10")
    started = floor.events("reception_started", reception_id=rec["id"])[0]
    assert started["named_person_id"] == B and started["arrived_at"] == rec["arrived_at"]
    floor.rec.set_clock(CLOCK_ADMIN, at("09:40"))
    floor.rec.complete_reception(consultant(B), PID, rec["id"], {"outcome": "ok"})
    done = floor.events("reception_completed", reception_id=rec["id"])[0]
    assert done["arrived_at"] == rec["arrived_at"] and done["named_person_id"] == B
    assert floor.marks() == {A: 0, B: 1, C: 0}
    plain = floor.walk_in()["reception"]        # names nobody: natural visit, the rotation
    assert plain["person_id"] == A and plain["named_person_id"] is None


def test_sys01_why_b_when_a_signed_in_first_shows_a_pass_marks_and_sign_in(floor):
    # clauses: REC-05.2
    """SYS-01 / REC-05.2: the assignment links the day of everyone signed in ahead of the
    taker: A's sign-in and pass (two marks), and stores the marks it was decided on."""
    signed_in(floor, A, B)
    floor.rec.voluntary_pass(consultant(A), PID, {"minutes": 30})
    taken = floor.walk_in()
    assert taken["reception"]["person_id"] == B
    chain = floor.rec.why(MANAGER, "walk_in", taken["walk_in_id"])["decisions"]
    head = chain[0]
    assert head["rule"] == "REC-03" and head["data"]["sheet"]["marks"] == {str(A): 2, str(B): 0}
    assert head["data"]["sheet"]["sign_in_order"] == [A, B]
    linked = [(d["subject_id"], d["rule"], d["outcome"]) for d in chain[1:]]
    assert (f"{PID}-{DAY}-{A}", "REC-01", "joined") in linked
    assert (f"{PID}-{DAY}-{A}", "REC-05", "passed") in linked
    assert (f"{PID}-{DAY}-{B}", "REC-01", "joined") in linked
