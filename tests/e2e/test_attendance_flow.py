"""Attendance through the gateway with requests (ATT-01…12, SYS-01/02/04), each test in its own
project, time set through the clock routes (never the wall clock)."""
import csv
import io

import openpyxl

from tests.helpers import eventually

MON = "2026-03-02"          # a Monday
P = "/v1/projects/{p}"


def at(hhmm, day=MON):
    return f"{day}T{hhmm}:00+08:00"


def error_of(r):
    return r.json()["error"]


def post(project, path, as_, **body):
    return project.api("POST", P + path, as_=as_, json=body)


def test_att03_att06_punch_uniform_sign_in_order_reaches_reception(stack, project):
    # clauses: ATT-03.1 ATT-06.2 ATT-06.3
    ids = project.ids
    for name, hhmm in (("c2", "08:20"), ("c1", "08:21"), ("c3", "08:22")):
        stack.set_clock(at(hhmm))
        r = post(project, "/punches", name, kind="in")
        assert r.status_code == 201 and r.json()["outcome"] == "on_time", r.text
    # ATT-03: nobody punches for someone else; the attempt is recorded against the submitter
    r = post(project, "/punches", "c1", kind="in", person_id=ids["c4"])
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-03"
    for name in ("c1", "c2"):
        assert post(project, "/uniform-attestations", "supervisor",
                    person_id=ids[name]).status_code == 200
    # ATT-06: a consultant cannot attest uniform; no uniform / no clock-in = invalid, recorded
    r = post(project, "/uniform-attestations", "c1", person_id=ids["c3"])
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-06"
    stack.set_clock(at("08:25"))
    r = post(project, "/sign-ins", "c3")
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-06"
    assert "uniform" in error_of(r)["message"]
    r = post(project, "/sign-ins", "c4")
    assert r.status_code == 409 and "clocking in" in error_of(r)["message"]
    stack.set_clock(at("08:26"))
    assert post(project, "/sign-ins", "c2").status_code == 201
    r = post(project, "/sign-ins", "c2")
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-06"      # once a day
    r = post(project, "/sign-ins", "c1", person_id=ids["c2"])
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-06"      # not for someone else
    assert post(project, "/uniform-attestations", "supervisor",
                person_id=ids["c3"]).status_code == 200
    stack.set_clock(at("08:27"))
    r = post(project, "/sign-ins", "c3")                                 # valid, but placed last
    assert r.status_code == 201 and r.json()["placed_last"] is True
    stack.set_clock(at("08:28"))
    assert post(project, "/sign-ins", "c1").status_code == 201

    r = project.api("GET", P + "/sign-ins/order", as_="c4")
    order = r.json()["order"]
    assert [o["person_id"] for o in order] == [ids["c2"], ids["c1"], ids["c3"]]
    assert [o["placed_last"] for o in order] == [False, False, True]
    assert {i["why"] for i in r.json()["invalid"]} == {"no_uniform", "no_clock_in"}

    def sheet():
        s = project.api("GET", P + "/rotation-sheet?day=" + MON, as_="receptionist").json()
        return [e["person_id"] for e in s["entries"]]
    eventually(lambda: sheet() == [ids["c2"], ids["c1"], ids["c3"]], timeout=10,
               message="reception's sheet does not follow attendance's sign-in order (ATT-06)")

    # ATT-06 dispute settled by clock-in times; SYS-01 the proxy attempt is in c1's ledger
    r = post(project, "/sign-ins/disputes", "supervisor", person_ids=[ids["c1"], ids["c2"]])
    assert r.status_code == 200 and r.json()["data"]["order"] == [ids["c2"], ids["c1"]]
    ledger = project.api("GET", P + f"/ledger?person_id={ids['c1']}", as_="manager").json()
    assert [(e["rule"], e["offence"]) for e in ledger] == [("ATT-03", "proxy_attempt"),
                                                          ("ATT-06", "proxy_attempt")]


def test_att03_proxy_punch_report_voids_and_takes_the_consultant_off_the_sheet(stack, project):
    # clauses: ATT-03.5 ATT-03.6
    ids = project.ids
    stack.set_clock(at("08:10"))
    r = post(project, "/punches", "c1", kind="in")
    punch = r.json()
    assert post(project, "/uniform-attestations", "supervisor",
                person_id=ids["c1"]).status_code == 200
    assert post(project, "/sign-ins", "c1").status_code == 201
    r = post(project, "/proxy-punch-reports", "c2", punch_id=punch["id"], made_by=ids["c2"])
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-03"
    stack.set_clock(at("09:00"))
    r = post(project, "/proxy-punch-reports", "supervisor", punch_id=punch["id"],
             made_by=ids["c2"])
    assert r.status_code == 200 and r.json()["data"]["eligibility_revoked"] is True, r.text
    slips = project.api("GET", P + "/ledger", as_="manager").json()
    assert sorted((e["person_id"], e["slip"]) for e in slips) == sorted(
        [(ids["c1"], "violation"), (ids["c2"], "violation")])
    punches = project.api("GET", P + "/punches?day=" + MON, as_="manager").json()
    assert [p["voided"] for p in punches] == [True]
    r = post(project, "/punches", "c1", kind="out")      # may not leave the post
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-03"

    def c1_state():
        s = project.api("GET", P + "/rotation-sheet?day=" + MON, as_="receptionist").json()
        return {e["person_id"]: (e["state"], e["detail"]) for e in s["entries"]}[ids["c1"]]
    eventually(lambda: c1_state() == ("off_duty", "eligibility_revoked"), timeout=10,
               message="eligibility_revoked did not take c1 off the sheet")


def test_att07_att02_leave_refused_with_its_rule_and_approved_by_a_manager(stack, project):
    # clauses: ATT-07.3 ATT-02.4
    ids = project.ids
    stack.set_clock(at("09:00"))
    r = post(project, "/leave", "c1", leave_type="personal", start_day=MON,
             handover_note="客户交给 c2")
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-07"       # no notice
    r = post(project, "/leave", "c1", leave_type="sick", start_day=MON)
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-07"       # after 07:30
    r = post(project, "/leave", "c1", leave_type="personal", start_day="2026-03-03")
    assert r.status_code == 409 and error_of(r)["field"] == "handover_note"
    r = post(project, "/blackout-days", "c1", day="2026-03-07", kind="launch_day")
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-02"
    r = post(project, "/blackout-days", "manager", day="2026-03-07", kind="launch_day")
    assert r.status_code == 201, r.text
    r = post(project, "/leave", "c1", leave_type="annual", start_day="2026-03-07",
             handover_note="交接")
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-02"
    r = post(project, "/leave", "c1", leave_type="annual", start_day="2026-03-05",
             end_day="2026-03-06", handover_note="交接给 c2")
    assert r.status_code == 201, r.text
    leave = r.json()
    r = post(project, f"/leave/{leave['id']}/approve", "c2")
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-07"
    r = post(project, f"/leave/{leave['id']}/approve", "manager")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [x["status"] for x in project.api("GET", P + "/leave", as_="c1").json()] == \
        ["refused", "refused", "refused", "refused", "approved"]
    assert project.api("GET", P + "/leave", as_="c2").json() == []
    # ATT-01: a rest day on Saturday is refused
    r = project.api("PUT", P + "/rosters", as_="manager", json={
        "person_id": ids["c2"], "start": MON, "end": "2026-03-08", "rest": ["2026-03-07"]})
    assert r.status_code == 409 and error_of(r)["rule"] in ("ATT-01", "ATT-02")


def test_att09_att10_att12_day_close_ledger_and_report_download(stack, project):
    # clauses: ATT-09.1 ATT-10.7 ATT-12.3
    ids = project.ids
    stack.set_clock(at("08:00"))
    for name in ("c1", "c2"):
        r = project.api("PUT", P + "/rosters", as_="manager", json={
            "person_id": ids[name], "start": MON, "end": "2026-03-08", "rest": ["2026-03-04"]})
        assert r.status_code == 200, r.text
    stack.set_clock(at("08:31"))
    r = post(project, "/punches", "c1", kind="in")
    assert r.json()["outcome"] == "late" and r.json()["rule"] == "ATT-04"
    stack.set_clock(at("17:30"))
    assert post(project, "/punches", "c1", kind="out").status_code == 201
    r = post(project, "/ledger", "c2", person_id=ids["c1"], offence="sleeping_on_duty")
    assert r.status_code == 403
    r = post(project, "/ledger", "supervisor", person_id=ids["c1"], offence="sleeping_on_duty")
    assert r.status_code == 201 and r.json()[0]["fine"] == 200
    r = post(project, "/days/close", "manager", day=MON)
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-09"        # not ended yet

    stack.set_clock(at("09:00", "2026-03-03"))        # the timer closes Monday by itself

    def c2_absent():
        ledger = project.api("GET", P + f"/ledger?person_id={ids['c2']}", as_="manager").json()
        return [(e["rule"], e["slip"]) for e in ledger]
    eventually(lambda: c2_absent() == [("ATT-09", "warning")], timeout=15,
               message="closing the day did not make c2 absent with a warning slip")
    r = post(project, "/days/close", "manager", day=MON)
    assert r.status_code == 409                                          # closed once

    # ATT-10: a consultant sees only their own ledger
    mine = project.api("GET", P + "/ledger", as_="c1").json()
    assert {e["person_id"] for e in mine} == {ids["c1"]}
    r = project.api("GET", P + f"/ledger?person_id={ids['c2']}", as_="c1")
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-10"

    # ATT-12: the report as JSON, CSV and xlsx
    r = project.api("GET", P + "/reports/monthly?year=2026&month=3", as_="clerk")
    assert r.status_code == 200, r.text
    rows = {row["person_id"]: row for row in r.json()["rows"]}
    assert (rows[ids["c1"]]["late"], rows[ids["c1"]]["fines"]) == (1, 250)
    assert (rows[ids["c2"]]["absent_days"], rows[ids["c2"]]["warning_slips"]) == (1, 1)
    assert project.api("GET", P + "/reports/monthly", as_="c1").status_code == 403
    r = project.api("GET", P + "/reports/monthly/export?year=2026&month=3&format=csv",
                    as_="manager")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["年 Year", "月 Month", "人员编号 Person ID", "姓名 Name"] \
        and len(table) == 3
    r = project.api("GET", P + "/reports/monthly/export?year=2026&month=3&format=xlsx",
                    as_="manager")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row == 3
    r = post(project, "/reports/monthly/submit", "clerk", year=2026, month=3)
    assert r.status_code == 200 and r.json()["outcome"] == "on_time"


def test_att06_7_att11_dispute_and_lunch_through_the_gateway(stack, project):
    """ATT-06.7: c1 signed in first but clocked in after c2; the supervisor settles it by
    clock-in times and reception's sheet follows. ATT-11.7/11.3/11.5: lunch is started
    through attendance, reception shows c1 at lunch, and the return carries the overstay."""
    ids = project.ids
    for name, hhmm in (("c2", "08:20"), ("c1", "08:21")):
        stack.set_clock(at(hhmm))
        assert post(project, "/punches", name, kind="in").status_code == 201
        assert post(project, "/uniform-attestations", "supervisor",
                    person_id=ids[name]).status_code == 200
    for name, hhmm in (("c1", "08:26"), ("c2", "08:27")):
        stack.set_clock(at(hhmm))
        assert post(project, "/sign-ins", name).status_code == 201

    def order():
        return [o["person_id"] for o in project.api("GET", P + "/sign-ins/order",
                                                    as_="supervisor").json()["order"]]

    def sheet():
        s = project.api("GET", P + "/rotation-sheet?day=" + MON, as_="receptionist").json()
        return [e["person_id"] for e in s["entries"]]
    assert order() == [ids["c1"], ids["c2"]]
    eventually(lambda: sheet() == [ids["c1"], ids["c2"]], timeout=10,
               message="reception's sheet does not follow the sign-in order")
    r = post(project, "/sign-ins/disputes", "c3", person_ids=[ids["c1"], ids["c2"]])
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-06"
    r = post(project, "/sign-ins/disputes", "supervisor", person_ids=[ids["c1"], ids["c2"]])
    assert r.status_code == 200 and r.json()["data"]["order"] == [ids["c2"], ids["c1"]]
    assert order() == [ids["c2"], ids["c1"]]
    eventually(lambda: sheet() == [ids["c2"], ids["c1"]], timeout=10,
               message="the resolved dispute did not reorder reception's sheet (ATT-06.7)")

    stack.set_clock(at("11:29"))
    r = post(project, "/lunch/start", "c1")
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-11"     # before the window
    stack.set_clock(at("11:30"))
    r = post(project, "/lunch/start", "c1")
    assert r.status_code == 200 and r.json()["data"]["slot"] == 1, r.text

    def state(pid):
        s = project.api("GET", P + "/rotation-sheet?day=" + MON, as_="receptionist").json()
        return {e["person_id"]: e["state"] for e in s["entries"]}[pid]
    eventually(lambda: state(ids["c1"]) == "lunch", timeout=10,
               message="lunch_started did not reach reception's sheet (ATT-11.7)")
    stack.set_clock(at("12:15"))
    r = post(project, "/lunch/end", "c1")
    assert r.status_code == 200 and r.json()["outcome"] == "overstay"
    assert r.json()["data"]["overstay_minutes"] == 5
    eventually(lambda: state(ids["c1"]) != "lunch", timeout=10,
               message="lunch_ended did not bring c1 back on reception's sheet")


def test_att05_att08_att13_swaps_missing_punches_and_pay_through_the_gateway(stack, project):
    """ATT-08.3/08.4, ATT-05.1/05.2, ATT-13.2 through the gateway: an approved swap moves a rest
    day; an unapproved one found that evening makes both absent; a manager explains a missing
    clock-out (the consultant may not); with pay effects on, the report deducts the manager-set
    salary ÷ the month's rostered work days × absent days."""
    ids = project.ids
    stack.set_clock(at("09:00", "2026-03-01"))                     # Sunday
    for name, rest in (("c1", []), ("c2", ["2026-03-05"])):
        r = project.api("PUT", P + "/rosters", as_="manager", json={
            "person_id": ids[name], "start": MON, "end": "2026-03-08", "rest": rest})
        assert r.status_code == 200, r.text
    r = project.api("PUT", P + f"/staff-terms/{ids['c1']}", as_="c1",
                    json={"monthly_salary": 9999})
    assert r.status_code == 403
    r = project.api("PUT", P + f"/staff-terms/{ids['c1']}", as_="manager",
                    json={"monthly_salary": 5200})
    assert r.status_code == 200 and r.json()["monthly_salary"] == 5200, r.text
    r = project.api("PATCH", f"/v1/projects/{project.id}/policy/attendance", as_="manager",
                    json={"changes": {"pay_effects_enabled": True}, "reason": "site rule"})
    assert r.status_code == 200, r.text
    r = post(project, "/swaps", "manager", a_id=ids["c1"], b_id=ids["c2"],
             days=["2026-03-05"])
    assert r.status_code == 201, r.text
    week = project.api("GET", P + f"/rosters?person_id={ids['c1']}&start={MON}&end=2026-03-08",
                       as_="manager").json()
    assert {d["day"]: d["kind"] for d in week}["2026-03-05"] == "rest"

    stack.set_clock(at("08:20"))
    assert post(project, "/punches", "c3", kind="in").status_code == 201
    stack.set_clock(at("18:00"))
    r = post(project, "/swaps", "supervisor", a_id=ids["c1"], b_id=ids["c2"],
             days=["2026-03-03"], approved=False)
    assert r.status_code == 409 and error_of(r)["rule"] == "ATT-08"       # not come yet
    r = post(project, "/swaps", "supervisor", a_id=ids["c1"], b_id=ids["c2"], days=[MON],
             approved=False)
    assert r.status_code == 201 and r.json()["outcome"] == "both_absent", r.text

    stack.set_clock(at("09:00", "2026-03-03"))
    body = {"person_id": ids["c3"], "day": MON, "note": "打卡机故障"}
    r = post(project, "/missing-punch-notes", "c3", **body)
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-05"
    r = post(project, "/missing-punch-notes", "manager", **body)
    assert r.status_code == 201 and "clock-out" in r.json()["reason"], r.text

    def c1_row():
        rows = project.api("GET", P + "/reports/monthly?year=2026&month=3",
                           as_="clerk").json()["rows"]
        return next((x for x in rows if x["person_id"] == ids["c1"]), None)
    row = eventually(lambda: (r := c1_row()) and r["work_days"] and r, timeout=15,
                     message="the timer did not close Monday")
    assert (row["absent_days"], row["monthly_salary"], row["month_work_days"]) == (1, 5200, 6)
    assert row["absence_deduction"] == 866.67 and "5200 ÷ 6" in row["deduction_reason"]
