"""Attendance use cases on in-memory SQLite, no broker (tests/usecase_kit.py): the commands'
main paths, the event handlers, and that every refusal cites its rule."""
import uuid

import pytest

from services.attendance import events, models, repo, rules, usecases
from services.common import policy
from services.common.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from services.common.why import chain
from tests.usecase_kit import at, make_uow, outbox_events, person

ADMIN = person(None, None, "admin", name="admin")
MON = "2026-03-02"


def uow_at(session, when, caller):
    return make_uow(models.Base, models.KIT, "attendance", now=at(when), caller=caller,
                    session=session, policy_spec=rules.POLICY, catalogue=events.CATALOGUE,
                    zone_of=repo.zone_of)


@pytest.fixture
def office():
    """A project with a manager, a supervisor, a clerk and two consultants."""
    uow = uow_at(None, f"{MON} 08:00", ADMIN)
    pid = usecases.create_project(uow, {"code": "t", "name": "T",
                                        "timezone": "Asia/Shanghai"})["id"]
    ids = {}
    for name, roles in (("mgr", ["manager"]), ("sup", ["supervisor"]), ("clerk", ["clerk"]),
                        ("c1", ["consultant"]), ("c2", ["consultant"])):
        ids[name] = usecases.add_staff(uow, pid, {"username": name, "name": name,
                                                  "password": "password1", "roles": roles})["id"]
    uow.session.commit()
    roles = {"mgr": "manager", "sup": "supervisor", "clerk": "clerk", "c1": "consultant",
             "c2": "consultant"}

    def act(who, when):
        caller = ADMIN if who == "admin" else person(ids[who], pid, roles[who], name=who)
        return uow_at(uow.session, f"{MON} {when}" if len(when) <= 8 else when, caller)
    return act, pid, ids, uow.session


def test_directory_events_keep_their_shapes_and_login_refusal_cites_sys02(office):
    act, pid, ids, s = office
    project = outbox_events(s, "project_created")[0]["project"]
    assert set(project) == {"id", "code", "name", "timezone"}
    added = outbox_events(s, "staff_added")[0]["person"]
    assert set(added) == {"id", "project_id", "username", "name", "roles", "active"}
    assert usecases.authenticate(act("admin", "08:00"), "c1", "password1")["id"] == ids["c1"]
    with pytest.raises(Unauthorized) as bad:
        usecases.authenticate(act("admin", "08:00"), "c1", "wrong")
    assert bad.value.rule == "SYS-02"
    with pytest.raises(Forbidden) as grant:                      # only an admin grants admin
        usecases.set_roles(act("mgr", "08:00"), ids["c1"], {"roles": ["admin"]})
    assert grant.value.rule == "SYS-02"
    changed = usecases.set_roles(act("mgr", "08:00"), ids["c1"],
                                 {"roles": ["consultant", "supervisor"]})
    assert changed["roles"] == ["consultant", "supervisor"]
    assert outbox_events(s, "roles_changed")[-1]["person"]["roles"] == changed["roles"]
    # a person sees their own project; an admin every project; no project, none
    assert [p["id"] for p in usecases.list_projects(act("c1", "08:00"))] == [pid]
    assert [p["id"] for p in usecases.list_projects(act("admin", "08:00"))] == [pid]
    assert usecases.list_projects(uow_at(s, f"{MON} 08:00", person(7, None, "service"))) == []


def test_att04_late_punch_books_the_fine_and_announces_it(office):
    # clauses: ATT-04.2
    act, pid, ids, s = office
    uow = act("c1", "08:31")
    view = usecases.punch(uow, pid, {"kind": "in", "person_id": None})
    assert (view["outcome"], view["rule"]) == ("late", "ATT-04")
    [line] = usecases.ledger(uow, pid, {})
    assert (line["person_id"], line["fine"], line["rule"]) == (ids["c1"], 50, "ATT-04")
    assert [e["event_type"] for e in outbox_events(s)][-2:] == ["discipline_recorded",
                                                               "clocked_in"]
    with pytest.raises(Conflict) as twice:
        usecases.punch(act("c1", "08:32"), pid, {"kind": "in", "person_id": None})
    assert twice.value.rule == "ATT-03"


def test_att03_a_punch_for_someone_else_is_kept_against_the_submitter(office):
    # clauses: ATT-03.2 ATT-03.3
    act, pid, ids, s = office
    kept = usecases.punch(act("c1", "08:20"), pid, {"kind": "in", "person_id": ids["c2"]})
    assert isinstance(kept, usecases.Kept) and kept.decision.rule == "ATT-03"
    with pytest.raises(Forbidden):
        kept.raise_()
    [line] = usecases.ledger(act("mgr", "08:21"), pid, {"person_id": ids["c1"]})
    assert (line["offence"], line["rule"]) == ("proxy_attempt", "ATT-03")


def test_att03_proxy_punch_report_voids_and_the_consultant_may_not_leave(office):
    # clauses: ATT-03.5 ATT-03.7 ATT-03.8
    act, pid, ids, s = office
    punch = usecases.punch(act("c1", "08:10"), pid, {"kind": "in", "person_id": None})
    d = usecases.report_proxy_punch(act("sup", "09:00"), pid, {"punch_id": punch["id"],
                                                                "made_by": ids["c2"]})
    assert d.data["eligibility_revoked"] and outbox_events(s, "eligibility_revoked")
    with pytest.raises(Conflict) as again:
        usecases.report_proxy_punch(act("sup", "09:01"), pid, {"punch_id": punch["id"],
                                                                "made_by": ids["c2"]})
    assert again.value.rule == "ATT-03"
    with pytest.raises(Conflict) as leave:
        usecases.punch(act("c1", "12:00"), pid, {"kind": "out", "person_id": None})
    assert leave.value.rule == "ATT-03"


def test_att06_invalid_sign_in_is_kept_and_the_valid_one_placed_last(office):
    # clauses: ATT-06.4 ATT-06.5 ATT-06.6
    act, pid, ids, s = office
    usecases.punch(act("c1", "08:20"), pid, {"kind": "in", "person_id": None})
    kept = usecases.sign_in(act("c1", "08:21"), pid, {"person_id": None})
    assert kept.decision.rule == "ATT-06" and kept.decision.data["why"] == "no_uniform"
    usecases.attest_uniform(act("sup", "08:22"), pid, {"person_id": ids["c1"]})
    view = usecases.sign_in(act("c1", "08:23"), pid, {"person_id": None})
    assert view["valid"] and view["placed_last"]
    assert [e["event_type"] for e in outbox_events(s) if "sign" in e["event_type"]] == \
        ["sign_in_invalid", "signed_in"]
    order = usecases.sign_in_order(act("c2", "08:30"), pid, {})
    assert [o["person_id"] for o in order["order"]] == [ids["c1"]]
    with pytest.raises(Conflict) as dispute:
        usecases.resolve_dispute(act("sup", "08:40"), pid, {"person_ids": [ids["c1"],
                                                                           ids["c2"]],
                                                            "day": None})
    assert dispute.value.rule == "ATT-06"                        # c2 never clocked in


def test_att07_leave_refused_is_kept_approved_by_a_manager_and_certified(office):
    # clauses: ATT-07.3 ATT-07.7 ATT-07.9
    act, pid, ids, s = office
    late = usecases.request_leave(act("c1", "09:00"), pid, {
        "leave_type": "sick", "start_day": at(MON).date(), "end_day": None,
        "handover_note": "", "emergency": False})
    assert late.decision.rule == "ATT-07" and late.decision.outcome == "late_sick_notice"
    with pytest.raises(Unprocessable) as span:
        usecases.request_leave(act("c1", "09:00"), pid, {
            "leave_type": "annual", "start_day": at("2026-03-05").date(),
            "end_day": at("2026-03-04").date(), "handover_note": "x", "emergency": False})
    assert (span.value.rule, span.value.field) == ("ATT-07", "end_day")
    asked = usecases.request_leave(act("c1", "09:00"), pid, {
        "leave_type": "sick", "start_day": at("2026-03-03").date(), "end_day": None,
        "handover_note": "", "emergency": False})
    assert asked["status"] == "approved"          # ATT-07.8: notified in time, counts at once
    annual = usecases.request_leave(act("c1", "09:00"), pid, {
        "leave_type": "annual", "start_day": at("2026-03-10").date(), "end_day": None,
        "handover_note": "x", "emergency": False})
    with pytest.raises(Forbidden):
        usecases.approve_leave(act("c2", "09:05"), pid, annual["id"])
    approved = usecases.approve_leave(act("mgr", "09:05"), pid, annual["id"])
    assert approved["status"] == "approved"
    with pytest.raises(Conflict) as twice:
        usecases.approve_leave(act("mgr", "09:06"), pid, annual["id"])
    assert twice.value.rule == "ATT-07"
    short = usecases.request_leave(act("c1", "09:07"), pid, {
        "leave_type": "personal", "start_day": at(MON).date(), "end_day": None,
        "handover_note": "x", "emergency": False})
    assert short.decision.outcome == "short_notice"
    personal = usecases.list_leave(act("c1", "09:07"), pid)[-1]["id"]
    with pytest.raises(Conflict) as not_sick:
        usecases.file_certificate(act("c1", "09:07"), pid, personal)
    assert not_sick.value.rule == "ATT-07"
    filed = usecases.file_certificate(act("c1", "2026-03-04 10:00"), pid, asked["id"])
    assert filed["certificate_at"] is not None
    assert [x["status"] for x in usecases.list_leave(act("c1", "09:08"), pid)] == \
        ["refused", "approved", "approved", "refused"]


def test_att09_closing_a_day_makes_the_unpunched_absent_once(office):
    # clauses: ATT-09.1 ATT-09.2 ATT-09.4
    act, pid, ids, s = office
    mgr = act("mgr", "08:00")
    for who in ("c1", "c2"):
        usecases.set_roster(mgr, pid, {"person_id": ids[who], "start": at(MON).date(),
                                       "end": at(MON).date(), "rest": []})
    usecases.punch(act("c1", "08:29"), pid, {"kind": "in", "person_id": None})
    with pytest.raises(Conflict) as early:
        usecases.close_day(act("mgr", "18:00"), pid, {"day": at(MON).date()})
    assert early.value.rule == "ATT-09"
    summary = usecases.close_day(act("mgr", "2026-03-03 09:00"), pid, {"day": at(MON).date()})
    assert (summary["present"], summary["absent"]) == (1, 1)
    [absence] = outbox_events(s, "absence_recorded")
    assert (absence["person_id"], absence["dismissal_review"]) == (ids["c2"], False)
    assert [d["rule"] for d in chain(s, "day", f"{ids['c2']}-{MON}")] == ["ATT-09", "ATT-09"]
    with pytest.raises(Conflict) as again:
        usecases.close_day(act("mgr", "2026-03-03 09:01"), pid, {"day": at(MON).date()})
    assert again.value.rule == "ATT-09"


def test_att01_roster_refusals_cite_their_rules(office):
    # clauses: ATT-01.1
    act, pid, ids, s = office
    mgr = act("mgr", "08:00")
    data = {"person_id": ids["c1"], "start": at(MON).date(), "end": at("2026-03-08").date()}
    with pytest.raises(Conflict) as saturday:
        usecases.set_roster(mgr, pid, dict(data, rest=[at("2026-03-07").date()]))
    assert (saturday.value.rule, saturday.value.field) == ("ATT-01", "rest")
    with pytest.raises(Unprocessable) as stray:
        usecases.set_roster(mgr, pid, dict(data, rest=[at("2026-03-10").date()]))
    assert stray.value.rule == "ATT-01"
    with pytest.raises(NotFound):
        usecases.set_roster(mgr, pid, dict(data, person_id=999, rest=[]))


def test_handlers_book_refusals_and_poaching_once_and_note_receptions(office):
    # clauses: ATT-10.8 ATT-11.2
    act, pid, ids, s = office
    refusal = {"event_id": str(uuid.uuid4()), "project_id": pid, "person_id": ids["c1"],
               "day": MON, "suspended_until_day": MON, "recorded_by": None, "kind": "excuse"}
    poach = {"event_id": str(uuid.uuid4()), "project_id": pid, "person_id": ids["c1"],
             "fine": 100, "day": MON, "reason": "poached", "actor": None}
    for _ in range(2):                                           # a redelivery books nothing
        usecases.on_refusal_recorded(uow_at(s, f"{MON} 10:00", None), refusal)
        usecases.on_poaching_recorded(uow_at(s, f"{MON} 10:00", None), poach)
    lines = usecases.ledger(act("mgr", "10:01"), pid, {"person_id": ids["c1"]})
    assert sorted((x["rule"], x["fine"]) for x in lines) == [("CLI-09", 100), ("REC-09", 0)]
    usecases.on_reception_completed(uow_at(s, f"{MON} 11:00", None), {
        "project_id": pid, "person_id": ids["c1"], "day": MON,
        "occurred_at": f"{MON}T10:50:00+08:00"})
    assert repo.lunch_state(s, pid, at(MON).date())[1][ids["c1"]] is not None


def test_sys03_a_bad_policy_value_is_refused_when_written_naming_key_and_rule(office):
    act, pid, ids, s = office
    with pytest.raises(Unprocessable) as bad:
        policy.change(s, pid, rules.POLICY, {"work_start": "8.30"}, ids["mgr"])
    assert (bad.value.field, bad.value.rule) == ("work_start", "ATT-04")
    with pytest.raises(Unprocessable) as window:
        policy.change(s, pid, rules.POLICY, {"lunch_window_end": "11:00"}, ids["mgr"])
    assert (window.value.field, window.value.rule) == ("lunch_window_end", "ATT-11")
    policy.change(s, pid, rules.POLICY, {"grace_minutes": 5}, ids["mgr"])
    assert act("c1", "08:00").policy(pid)["grace_minutes"] == 5
    view = usecases.punch(act("c1", "08:34"), pid, {"kind": "in", "person_id": None})
    assert view["outcome"] == "on_time"                          # the stored grace applies


def test_att07_a_manager_turns_leave_down_with_a_reason_the_applicant_reads(office):
    act, pid, ids, s = office
    asked = usecases.request_leave(act("c1", "09:00"), pid, {
        "leave_type": "annual", "start_day": at("2026-03-10").date(), "end_day": None,
        "handover_note": "x", "emergency": False})
    assert asked["status"] == "requested"
    with pytest.raises(Forbidden) as supervisor:              # the approver's role, not a lead's
        usecases.reject_leave(act("sup", "09:05"), pid, asked["id"], {"reason": "no"})
    assert supervisor.value.rule == "ATT-07"
    turned = usecases.reject_leave(act("mgr", "09:05"), pid, asked["id"],
                                   {"reason": "开盘周人手不足 launch week"})
    assert (turned["status"], turned["rule"]) == ("rejected", "ATT-07")
    assert "launch week" in turned["reason"]
    assert usecases.list_leave(act("c1", "09:06"), pid)[-1]["status"] == "rejected"
    with pytest.raises(Conflict) as twice:                    # decided once: approve no longer
        usecases.approve_leave(act("mgr", "09:06"), pid, asked["id"])
    assert twice.value.rule == "ATT-07"
    assert chain(s, "leave", asked["id"], pid)[-1]["outcome"] == "rejected"


def test_att08_swaps_are_listed_to_leads_and_to_the_two_people_in_them(office):
    act, pid, ids, s = office
    usecases.record_swap(act("mgr", "09:00"), pid, {"a_id": ids["c1"], "b_id": ids["sup"],
                                                    "days": [at(MON).date()],
                                                    "approved": False})
    assert [w["status"] for w in usecases.list_swaps(act("clerk", "09:01"), pid)] == \
        ["unapproved"]
    assert usecases.list_swaps(act("c1", "09:01"), pid)[0]["days"] == [MON]
    assert usecases.list_swaps(act("c2", "09:01"), pid) == []      # not theirs
