"""SYS-02 in attendance (issue 14): the people a request names belong to the project and hold
the role the rule needs; a consultant reads only their own roster, ledger and "why"; a channel
agent keeps no attendance. Pure rules at their boundaries, then the use cases on in-memory
SQLite (tests/usecase_kit.py)."""
from datetime import date

import pytest

from services.attendance import events, models, repo, rules, usecases
from services.attendance.service import AttendanceService
from services.common.errors import Forbidden, NotFound, Unprocessable
from services.common.why import chain
from tests.usecase_kit import at, make_uow, person

ADMIN = person(None, None, "admin", name="admin")
MON = "2026-03-02"
D = date.fromisoformat


def staff_entry(pid=7, project_id=1, roles=("consultant",), active=True):
    return {"id": pid, "project_id": project_id, "name": f"p{pid}", "roles": list(roles),
            "active": active}


# ---------------------------------------------------------------- rules at their boundaries

def test_sys02_named_staff_is_active_office_staff_of_the_project_holding_the_role():
    # clauses: SYS-02.9
    ok = rules.named_staff(staff_entry(), 1, field="person_id", rule="ATT-10")
    assert ok.allowed and ok.rule == "ATT-10"
    for entry, why in ((None, "not staff"), (staff_entry(project_id=2), "not staff"),
                       (staff_entry(active=False), "no longer active"),
                       (staff_entry(roles=("channel_agent",)), "not office staff")):
        d = rules.named_staff(entry, 1, field="person_id", rule="ATT-10")
        assert (d.allowed, d.outcome, d.rule) == (False, "invalid", "ATT-10"), entry
        assert why in d.reason
    # a channel agent who is also a consultant is staff; an admin acts with the office roles
    assert rules.named_staff(staff_entry(roles=("channel_agent", "consultant")), 1,
                             field="person_id", rule="ATT-01").allowed
    assert rules.named_staff(staff_entry(roles=("admin",)), 1, field="person_id",
                             rule="ATT-01").allowed
    # a role asked for: the role itself, nothing less
    assert rules.named_staff(staff_entry(), 1, field="person_id", rule="ATT-06",
                             role="consultant").allowed
    clerk = rules.named_staff(staff_entry(roles=("clerk",)), 1, field="person_ids",
                              rule="ATT-06", role="consultant")
    assert (clerk.allowed, clerk.rule) == (False, "ATT-06") and "not a consultant" in clerk.reason


def test_sys02_a_channel_agent_keeps_no_attendance():
    # clauses: SYS-02.10
    assert rules.may_keep_attendance({"consultant"}).allowed
    assert rules.may_keep_attendance({"storekeeper"}).allowed
    assert rules.may_keep_attendance({"channel_agent", "receptionist"}).allowed
    d = rules.may_keep_attendance({"channel_agent"})
    assert (d.allowed, d.outcome, d.rule) == (False, "forbidden", "SYS-02")


def test_sys02_a_person_reads_their_own_records_and_the_readers_everyone_s():
    # clauses: SYS-02.10
    for roles in ({"supervisor"}, {"manager"}, {"clerk"}, {"admin"}):
        assert rules.may_read_person(1, roles, 2, "roster").allowed, roles
    assert rules.may_read_person(2, {"consultant"}, 2, "roster").outcome == "own"
    for roles in ({"consultant"}, {"receptionist"}, {"storekeeper"}, {"channel_agent"}):
        d = rules.may_read_person(1, roles, 2, "roster", rule="ATT-01")
        assert (d.allowed, d.outcome, d.rule) == (False, "forbidden", "ATT-01"), roles
    assert not rules.may_read_person(None, {"consultant"}, 2).allowed


def test_sys01_sys02_why_a_consultant_reads_their_own_and_the_office_wall():
    # clauses: SYS-02.11
    assert rules.may_see_why(1, {"clerk"}, "ledger", {2}).allowed
    assert rules.may_see_why(1, {"admin"}, "ledger", {2}).allowed
    assert rules.may_see_why(2, {"consultant"}, "ledger", {2}).outcome == "own"
    d = rules.may_see_why(1, {"consultant"}, "ledger", {2})
    assert (d.allowed, d.rule) == (False, "SYS-02")
    assert not rules.may_see_why(1, {"consultant"}, "ledger", set()).allowed
    for public in ("blackout", "sign_in_dispute"):
        assert rules.may_see_why(1, {"channel_agent"}, public, set()).outcome == "public"
    # the report's submission is the readers' (never "own", whatever its data names)
    assert not rules.may_see_why(1, {"consultant"}, "report", {1}).allowed
    assert rules.may_see_why(1, {"clerk"}, "report", set()).allowed


def test_sys02_who_may_call_a_command_at_all_is_checked_first_citing_its_rule():
    # clauses: SYS-02.10
    for command, (rule, needed, _) in rules.COMMAND_ROLES.items():
        for role in needed:
            assert rules.may_call(command, {role}).allowed, (command, role)
        assert rules.may_call(command, {"service"}).allowed
        outsider = ({"channel_agent"} if rule == "SYS-02" else
                    {"receptionist"} if "consultant" in needed else {"consultant"})
        d = rules.may_call(command, outsider)
        assert (d.allowed, d.outcome, d.rule) == (False, "forbidden", rule), command
    assert rules.may_call("record_offence", {"admin"}).allowed        # acts as a supervisor
    assert not rules.may_call("sign_in", {"admin"}).allowed           # never as a consultant
    assert not rules.may_call("attest_uniform", {"manager"}).allowed  # a supervisor's task
    assert rules.may_call("submit_report", {"clerk", "consultant"}).allowed


def test_att08_a_swap_takes_two_different_people():
    # clauses: SYS-02.9
    swap = rules.SwapRequest(3, "c1", 3, "c1", (D("2026-03-04"),))
    d = rules.approve_swap(1, {"manager"}, swap, at(f"{MON} 09:00"))
    assert (d.allowed, d.outcome, d.rule) == (False, "same_person", "ATT-08")


# ---------------------------------------------------------------- use cases

def uow_at(session, when, caller):
    return make_uow(models.Base, models.KIT, "attendance", now=at(when), caller=caller,
                    session=session, policy_spec=rules.POLICY, catalogue=events.CATALOGUE,
                    zone_of=repo.zone_of)


ROLES = {"mgr": "manager", "sup": "supervisor", "clerk": "clerk", "rec": "receptionist",
         "agent": "channel_agent", "c1": "consultant", "c2": "consultant", "x": "manager",
         "xc": "consultant"}


@pytest.fixture
def office():
    """Project A (manager, supervisor, clerk, receptionist, channel agent, two consultants) and
    project B (a manager ``x`` and a consultant ``xc``)."""
    uow = uow_at(None, f"{MON} 08:00", ADMIN)
    pid = usecases.create_project(uow, {"code": "a", "name": "A",
                                        "timezone": "Asia/Shanghai"})["id"]
    other = usecases.create_project(uow, {"code": "b", "name": "B",
                                          "timezone": "Asia/Shanghai"})["id"]
    ids, projects = {}, {}
    for name, role in ROLES.items():
        project = other if name in ("x", "xc") else pid
        ids[name] = usecases.add_staff(uow, project, {"username": name, "name": name,
                                                      "password": "password1",
                                                      "roles": [role]})["id"]
        projects[name] = project
    uow.session.commit()

    def act(who, when="09:00"):
        caller = ADMIN if who == "admin" else person(ids[who], projects[who], ROLES[who],
                                                      name=who)
        return uow_at(uow.session, f"{MON} {when}", caller)
    return act, pid, ids, uow.session


def refused(error, call, *args):
    with pytest.raises(error) as e:
        call(*args)
    return e.value


def test_sys02_a_colleague_s_roster_is_403_another_project_s_person_404(office):
    # clauses: SYS-02.10
    act, pid, ids, s = office
    usecases.set_roster(act("mgr"), pid, {"person_id": ids["c2"], "start": D("2026-03-09"),
                                          "end": D("2026-03-15"), "rest": [D("2026-03-10")]})
    week = {"person_id": ids["c2"], "start": D("2026-03-09"), "end": D("2026-03-15")}
    e = refused(Forbidden, usecases.list_roster, act("c1"), pid, week)
    assert (e.rule, e.field) == ("ATT-01", "person_id")
    assert len(usecases.list_roster(act("c2"), pid, week)) == 7
    for reader in ("sup", "mgr", "clerk"):
        assert len(usecases.list_roster(act(reader), pid, week)) == 7
    # without ?person_id= a consultant gets their own days only
    assert usecases.list_roster(act("c1"), pid, {"start": D("2026-03-09"),
                                                 "end": D("2026-03-15")}) == []
    e = refused(NotFound, usecases.list_roster, act("mgr"), pid, dict(week, person_id=ids["xc"]))
    assert (e.rule, e.field) == ("SYS-02", "person_id")


def test_sys02_the_ledger_of_a_colleague_or_of_another_project(office):
    # clauses: SYS-02.10
    act, pid, ids, s = office
    usecases.record_offence(act("sup"), pid, {"person_id": ids["c2"], "offence":
                                              "sleeping_on_duty", "day": None})
    assert refused(Forbidden, usecases.ledger, act("c1"), pid,
                   {"person_id": ids["c2"]}).rule == "ATT-10"
    assert usecases.ledger(act("c1"), pid, {}) == []
    assert len(usecases.ledger(act("clerk"), pid, {"person_id": ids["c2"]})) == 1
    e = refused(NotFound, usecases.ledger, act("mgr"), pid, {"person_id": ids["xc"]})
    assert (e.rule, e.field) == ("SYS-02", "person_id")


def test_sys02_named_people_are_this_project_s_staff_with_the_role_the_rule_needs(office):
    # clauses: SYS-02.9
    act, pid, ids, s = office
    fine = {"offence": "sleeping_on_duty", "day": None}
    e = refused(NotFound, usecases.record_offence, act("sup"), pid,
                dict(fine, person_id=ids["xc"]))
    assert (e.rule, e.field) == ("SYS-02", "person_id")
    e = refused(NotFound, usecases.record_offence, act("sup"), pid, dict(fine, person_id=9999))
    assert (e.rule, e.field) == ("SYS-02", "person_id")
    e = refused(Unprocessable, usecases.record_offence, act("sup"), pid,
                dict(fine, person_id=ids["agent"]))
    assert (e.rule, e.field) == ("ATT-10", "person_id")
    assert usecases.record_offence(act("sup"), pid, dict(fine, person_id=ids["clerk"]))
    e = refused(Unprocessable, usecases.set_roster, act("mgr"), pid,
                {"person_id": ids["agent"], "start": D("2026-03-09"), "end": D("2026-03-15"),
                 "rest": []})
    assert (e.rule, e.field) == ("ATT-01", "person_id")
    e = refused(NotFound, usecases.set_roster, act("mgr"), pid,
                {"person_id": ids["xc"], "start": D("2026-03-09"), "end": D("2026-03-15"),
                 "rest": []})
    assert e.field == "person_id"
    # ATT-06: uniform is a consultant's; a dispute is between consultants
    e = refused(Unprocessable, usecases.attest_uniform, act("sup"), pid,
                {"person_id": ids["clerk"]})
    assert (e.rule, e.field) == ("ATT-06", "person_id")
    e = refused(Unprocessable, usecases.resolve_dispute, act("sup"), pid,
                {"person_ids": [ids["c1"], ids["rec"]], "day": None})
    assert (e.rule, e.field) == ("ATT-06", "person_ids")
    e = refused(NotFound, usecases.resolve_dispute, act("sup"), pid,
                {"person_ids": [ids["c1"], ids["xc"]], "day": None})
    assert e.field == "person_ids"
    # ATT-08: both people of a swap, each named by their own field
    swap = {"days": [D("2026-03-04")], "approved": True}
    e = refused(NotFound, usecases.record_swap, act("mgr"), pid,
                dict(swap, a_id=ids["c1"], b_id=ids["xc"]))
    assert (e.rule, e.field) == ("SYS-02", "b_id")
    e = refused(Unprocessable, usecases.record_swap, act("mgr"), pid,
                dict(swap, a_id=ids["agent"], b_id=ids["c1"]))
    assert (e.rule, e.field) == ("ATT-08", "a_id")
    e = refused(Unprocessable, usecases.record_swap, act("mgr"), pid,
                dict(swap, a_id=ids["c1"], b_id=ids["c1"]))
    assert (e.rule, e.field) == ("ATT-08", "b_id")
    # ATT-13 terms, ATT-05 notes
    e = refused(Unprocessable, usecases.set_terms, act("mgr"), pid, ids["agent"],
                {"monthly_salary": 500000})
    assert (e.rule, e.field) == ("ATT-13", "person_id")
    e = refused(NotFound, usecases.annotate_missing_punch, act("mgr"), pid,
                {"person_id": ids["xc"], "day": D(MON), "note": "forgot"})
    assert e.field == "person_id"


def test_sys02_a_proxy_punch_names_a_maker_of_this_project(office):
    # clauses: SYS-02.9
    act, pid, ids, s = office
    punch = usecases.punch(act("c1", "08:10"), pid, {"kind": "in", "person_id": None})
    e = refused(NotFound, usecases.report_proxy_punch, act("sup"), pid,
                {"punch_id": punch["id"], "made_by": ids["xc"]})
    assert (e.rule, e.field) == ("SYS-02", "made_by")
    # the punch and a leave request of another project: 404 naming their field
    other = act("xc", "08:10")
    theirs = usecases.punch(other, other.caller.project_id, {"kind": "in",
                                                              "person_id": None})
    e = refused(NotFound, usecases.report_proxy_punch, act("sup"), pid,
                {"punch_id": theirs["id"], "made_by": ids["c2"]})
    assert (e.rule, e.field) == ("SYS-02", "punch_id")
    e = refused(NotFound, usecases.approve_leave, act("mgr"), pid, 987654)
    assert (e.rule, e.field) == ("SYS-02", "leave_id")


def test_sys02_punching_or_signing_in_for_another_project_s_person_is_404_and_books_nothing(
        office):
    # clauses: SYS-02.9
    act, pid, ids, s = office
    for call, body in ((usecases.punch, {"kind": "in", "person_id": ids["xc"]}),
                       (usecases.sign_in, {"person_id": ids["xc"]})):
        e = refused(NotFound, call, act("c1", "08:10"), pid, body)
        assert e.field == "person_id"
    assert usecases.ledger(act("mgr"), pid, {}) == []      # no attempt booked, no name read


def test_sys02_a_channel_agent_does_not_punch_or_ask_for_leave(office):
    # clauses: SYS-02.10
    act, pid, ids, s = office
    e = refused(Forbidden, usecases.punch, act("agent", "08:10"), pid,
                {"kind": "in", "person_id": None})
    assert e.rule == "SYS-02"
    e = refused(Forbidden, usecases.request_leave, act("agent", "08:10"), pid,
                {"leave_type": "personal", "start_day": D("2026-03-05"), "end_day": None,
                 "handover_note": "x", "emergency": False})
    assert e.rule == "SYS-02"
    # a receptionist is office staff: punches for themself
    assert usecases.punch(act("rec", "08:10"), pid, {"kind": "in", "person_id": None})


def test_sys02_another_project_s_person_is_404_to_a_manager_and_found_by_an_admin(office):
    # clauses: SYS-02.9
    act, pid, ids, s = office
    e = refused(NotFound, usecases.get_staff, act("mgr"), ids["xc"])
    assert (e.rule, e.field) == ("SYS-02", "person_id")
    e = refused(NotFound, usecases.set_roles, act("mgr"), ids["xc"], {"roles": ["clerk"]})
    assert e.field == "person_id"
    assert usecases.get_staff(act("admin"), ids["xc"])["id"] == ids["xc"]
    assert usecases.get_staff(act("c1"), ids["c2"])["id"] == ids["c2"]


def test_sys01_sys02_why_answers_a_consultant_only_records_about_themself(office):
    """The service's filter (AttendanceService.may_see_why) over real records."""
    # clauses: SYS-02.11
    act, pid, ids, s = office
    [line] = usecases.record_offence(act("sup"), pid, {"person_id": ids["c2"], "offence":
                                                       "sleeping_on_duty", "day": None})
    punch = usecases.punch(act("c2", "08:40"), pid, {"kind": "in", "person_id": None})
    usecases.declare_blackout(act("mgr"), pid, {"day": D("2026-03-20"), "kind": "launch_day",
                                                "reason": "launch"})
    s.flush()
    svc = object.__new__(AttendanceService)
    svc.db = s

    def visible(who, subject_type, subject_id):
        caller = ADMIN if who == "admin" else person(ids[who], pid, ROLES[who])
        return [r for r in chain(s, subject_type, subject_id, pid) if svc.may_see_why(caller, r)]
    for subject in (("ledger", line["id"]), ("punch", punch["id"])):
        assert visible("c2", *subject) and visible("clerk", *subject)
        assert visible("sup", *subject) and visible("admin", *subject)
        assert visible("c1", *subject) == [] and visible("agent", *subject) == []
    assert visible("c1", "blackout", "2026-03-20") and visible("agent", "blackout", "2026-03-20")
