"""Attendance routes (考勤): rosters, blackout days, punches, uniform and sign-ins, missing-punch
notes, leave, swaps, the discipline ledger, closing a day, lunch and the monthly report
(ATT-01…13). Staff and roles are in platform.py."""
from services.attendance import schemas as att

from . import Route

P = "/v1/projects/<int:project_id>"
S = "attendance"

ROUTES = [
    Route("PUT", f"{P}/rosters", "Roster one person's days: the rest days, all others work "
          "(manager)", S, service=S, rpc="set_roster", body=att.RosterIn,
          response=att.RosterDayOut, many=True,
          rules=("ATT-01", "ATT-02")),
    Route("GET", f"{P}/rosters", "Rostered days (?person_id=&start=&end=; a consultant sees "
          "their own)", S, service=S, rpc="list_roster", query=("person_id", "start", "end"),
          response=att.RosterDayOut, many=True,
          rules=("ATT-01",)),
    Route("POST", f"{P}/blackout-days", "Declare a blackout day: holiday, launch, advertising, "
          "mortgage day (manager)", S, service=S, rpc="declare_blackout", body=att.BlackoutIn,
          response=att.DecisionOut,
          status=201, rules=("ATT-02",)),
    Route("GET", f"{P}/blackout-days", "The project's blackout days", S, service=S,
          rpc="list_blackouts", response=att.BlackoutOut, many=True, rules=("ATT-02",)),
    Route("POST", f"{P}/punches", "Clock in or out, for yourself only (a punch for someone else "
          "is refused and recorded)", S, service=S, rpc="punch", body=att.PunchIn,
          response=att.PunchOut, status=201, rules=("ATT-03", "ATT-04")),
    Route("GET", f"{P}/punches", "The day's punches (?day=; a consultant sees their own)", S,
          service=S, rpc="list_punches", query=("day",), response=att.PunchOut, many=True,
          rules=("ATT-03",)),
    Route("POST", f"{P}/proxy-punch-reports", "Report a punch made by someone else: void, "
          "eligibility lost for the day, slips for both (supervisor, manager)", S, service=S,
          rpc="report_proxy_punch", body=att.ProxyPunchIn, response=att.DecisionOut,
          rules=("ATT-03",)),
    Route("POST", f"{P}/missing-punch-notes", "Explain a missing punch (managers only)", S,
          service=S, rpc="annotate_missing_punch", body=att.MissingPunchIn,
          response=att.MissingPunchNoteOut, status=201,
          rules=("ATT-05",)),
    Route("POST", f"{P}/uniform-attestations", "Attest a consultant's uniform for today "
          "(supervisor)", S, service=S, rpc="attest_uniform", body=att.UniformIn,
          response=att.DecisionOut, rules=("ATT-06",)),
    Route("POST", f"{P}/sign-ins", "Sign in for yourself, after clock-in and in uniform "
          "(invalid sign-ins are recorded: 409 with the reason)", S, service=S, rpc="sign_in",
          body=att.SignInIn, response=att.SignInOut, status=201, rules=("ATT-06",)),
    Route("GET", f"{P}/sign-ins/order", "The day's sign-in order (?day=)", S, service=S,
          rpc="sign_in_order", query=("day",), response=att.OrderOut, rules=("ATT-06",)),
    Route("POST", f"{P}/sign-ins/disputes", "Settle a sign-in order dispute by clock-in times "
          "(supervisor)", S, service=S, rpc="resolve_dispute", body=att.DisputeIn,
          response=att.DecisionOut, rules=("ATT-06",)),
    Route("POST", f"{P}/leave", "Ask for leave for yourself (notice, 07:30 windows, handover, "
          "blackout days)", S, service=S, rpc="request_leave", body=att.LeaveIn,
          response=att.LeaveOut, status=201, rules=("ATT-07", "ATT-02", "ATT-08")),
    Route("GET", f"{P}/leave", "Leave requests (a consultant sees their own)", S, service=S,
          rpc="list_leave", response=att.LeaveOut, many=True, rules=("ATT-07",)),
    Route("POST", f"{P}/leave/<int:leave_id>/approve", "Approve leave (manager)", S, service=S,
          rpc="approve_leave", response=att.LeaveOut, rules=("ATT-07",)),
    Route("POST", f"{P}/leave/<int:leave_id>/return", "Back from leave today (joins the back "
          "of the rotation round)", S, service=S, rpc="return_from_leave",
          response=att.LeaveOut, rules=("ATT-07", "REC-01")),
    Route("POST", f"{P}/leave/<int:leave_id>/certificate", "File the medical certificate of "
          "sick leave", S, service=S, rpc="file_certificate", response=att.LeaveOut,
          rules=("ATT-07",)),
    Route("POST", f"{P}/leave/<int:leave_id>/reject", "Turn a leave request down with a reason "
          "(manager)", S, service=S, rpc="reject_leave", body=att.LeaveRejectIn,
          response=att.LeaveOut, rules=("ATT-07",)),
    Route("GET", f"{P}/swaps", "Shift and rest swaps (a consultant sees their own)", S,
          service=S, rpc="list_swaps", response=att.SwapRecordOut, many=True, rules=("ATT-08",)),
    Route("POST", f"{P}/swaps", "Record a shift/rest swap: approved (manager, before the day) "
          "or found without approval (both absent)", S, service=S, rpc="record_swap",
          body=att.SwapIn, response=att.SwapOut, status=201, rules=("ATT-08",)),
    Route("POST", f"{P}/ledger", "Book an offence: fine and slip by the catalogue (supervisor, "
          "manager)", S, service=S, rpc="record_offence", body=att.OffenceIn,
          response=att.LedgerOut, many=True, status=201, rules=("ATT-10",)),
    Route("GET", f"{P}/ledger", "The discipline ledger (a consultant sees only their own)", S,
          service=S, rpc="ledger", query=("person_id",), response=att.LedgerOut, many=True,
          rules=("ATT-10",)),
    Route("POST", f"{P}/days/close", "Close an ended business day now: absences and warning "
          "slips (manager; a timer does it after midnight)", S, service=S, rpc="close_day",
          body=att.CloseDayIn, response=att.DayClosedOut, rules=("ATT-09",)),
    Route("GET", f"{P}/lunch", "Today's lunch rotation", S, service=S, rpc="lunch_order",
          response=att.LunchOrderOut, rules=("ATT-11",)),
    Route("POST", f"{P}/lunch/start", "Go to lunch in your turn", S, service=S,
          rpc="start_lunch", response=att.DecisionOut, rules=("ATT-11",)),
    Route("POST", f"{P}/lunch/end", "Back from lunch (an overstay is recorded)", S, service=S,
          rpc="end_lunch", response=att.DecisionOut, rules=("ATT-11",)),
    Route("GET", f"{P}/reports/monthly", "The monthly report (?year=&month=) as JSON", S,
          service=S, rpc="monthly_report", query=("year", "month"), response=att.ReportOut,
          rules=("ATT-12", "ATT-13")),
    Route("GET", f"{P}/reports/monthly/export", "The monthly report as a file "
          "(?year=&month=&format=csv|xlsx&encoding=utf-8|gbk)", S, service=S,
          rpc="export_monthly_report", query=("year", "month", "format", "encoding"),
          download=True, rules=("ATT-12",)),
    Route("PUT", f"{P}/staff-terms/<int:person_id>", "Set a person's monthly salary (ATT-13 "
          "deduction) and annual leave days (ATT-07 conversion) (manager)", S, service=S,
          rpc="set_terms", body=att.TermsIn, response=att.TermsOut, rules=("ATT-13", "ATT-07")),
    Route("GET", f"{P}/staff-terms/<int:person_id>", "A person's salary and annual leave days "
          "(manager, clerk, or the person)", S, service=S, rpc="get_terms",
          response=att.TermsOut, rules=("ATT-13", "ATT-07")),
    Route("POST", f"{P}/reports/monthly/submit", "The clerk submits the month's report "
          "(before the 30th)", S, service=S, rpc="submit_report", body=att.ReportSubmitIn,
          response=att.DecisionOut, rules=("ATT-12",)),
]
