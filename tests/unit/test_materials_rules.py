"""Materials rules (MAT-01..MAT-08, SYS-01, SYS-03): pure functions, no broker, no database."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.materials import rules as r
from services.materials.rules import IssueForm, PlanLine

SH = "Asia/Shanghai"


def shanghai(y, m, d, hh=10, mm=0):
    from services.common.timeutil import zone
    return datetime(y, m, d, hh, mm, tzinfo=zone(SH))


# ---------------------------------------------------------------- SYS-03 policy

def test_sys03_policy_defaults_for_materials():
    p = r.policy_with_defaults()
    assert p == {"desk_kit_min_per_plan": 2, "stocktake_min_counters": 2,
                 "full_count_months": [6, 12], "plan_periods": ["weekly", "monthly", "quarterly"]}
    p["full_count_months"].append(3)  # a copy: the module defaults stay untouched
    assert r.POLICY_DEFAULTS["full_count_months"] == [6, 12]


def test_sys03_policy_overrides_are_applied_and_checked():
    assert r.policy_with_defaults({"desk_kit_min_per_plan": 3})["desk_kit_min_per_plan"] == 3
    with pytest.raises(ValueError):
        r.policy_with_defaults({"stocktake_min_counters": 1})  # MAT-06: never fewer than two
    with pytest.raises(ValueError):
        r.policy_with_defaults({"plan_periods": ["daily"]})
    with pytest.raises(ValueError):
        r.policy_with_defaults({"full_count_months": [13]})
    with pytest.raises(ValueError):
        r.policy_with_defaults({"no_such_key": 1})


def test_money_is_whole_cents():
    assert r.yuan_to_cents("12.50") == 1250
    assert r.yuan_to_cents(Decimal("0.01")) == 1
    with pytest.raises(ValueError):
        r.yuan_to_cents("0.005")


# ---------------------------------------------------------------- SYS-01 stock movement

def test_sys01_every_movement_cites_rule_reason_and_new_balance():
    d = r.stock_movement("receive", 5, 10, item="楼书")
    assert (d.rule, d.allowed, d.data["before"], d.data["after"], d.data["delta"]) == \
        ("MAT-03", True, 10, 15, 5)
    assert "10 -> 15" in d.reason


@pytest.mark.parametrize("qty", [0, -1, True, 1.5])
def test_sys01_movement_quantity_must_be_positive_integer(qty):
    d = r.stock_movement("receive", qty, 10)
    assert not d.allowed and d.data["field"] == "quantity"


def test_sys01_unknown_movement_kind_refused():
    d = r.stock_movement("teleport", 1, 10)
    assert not d.allowed and d.rule == "SYS-01"


# ---------------------------------------------------------------- MAT-01 catalogue

def item(**over):
    base = dict(name="户型单张 A", specification="A4 铜版纸", model="A", unit="张",
                unit_price_cents=150, category="floor_plan", reorder_level=50)
    base.update(over)
    return r.validate_item(**base)


def test_mat01_valid_item_with_zero_price_and_zero_reorder_level():
    # clauses: MAT-01.1 MAT-01.2
    d = item(unit_price_cents=0, reorder_level=0)
    assert d.allowed and d.rule == "MAT-01"


def test_mat01_blank_model_is_allowed():
    # clauses: MAT-01.1
    assert item(model="").allowed


@pytest.mark.parametrize("field,value", [
    ("name", " "), ("specification", ""), ("unit", ""), ("unit_price_cents", -1),
    ("unit_price_cents", 1.5), ("category", "poster"), ("reorder_level", -1), ("model", None)])
def test_mat01_invalid_item_refused_naming_field(field, value):
    # clauses: MAT-01.1 MAT-01.2
    d = item(**{field: value})
    assert not d.allowed and d.rule == "MAT-01" and field in d.data["errors"]


@pytest.mark.parametrize("category", r.CATEGORIES)
def test_mat01_every_listed_category_accepted(category):
    # clauses: MAT-01.3
    assert item(category=category).allowed


# ---------------------------------------------------------------- MAT-02 plans

def test_mat02_period_bounds():
    # clauses: MAT-02.1
    assert r.period_start("weekly", date(2024, 5, 15)) == date(2024, 5, 13)  # Monday
    assert r.period_start("quarterly", date(2024, 5, 15)) == date(2024, 4, 1)
    assert r.period_end("monthly", date(2024, 12, 1)) == date(2025, 1, 1)
    assert r.period_end("quarterly", date(2024, 10, 1)) == date(2025, 1, 1)
    assert r.period_end("weekly", date(2024, 5, 13)) == date(2024, 5, 20)


def test_mat02_validate_plan():
    # clauses: MAT-02.1 MAT-02.2
    assert r.validate_plan("monthly", date(2024, 5, 1), "开盘", {1: 500}).allowed
    assert r.validate_plan("monthly", date(2024, 5, 2), "开盘", {1: 500}).data["field"] == "starts"
    assert r.validate_plan("daily", date(2024, 5, 1), "开盘", {1: 500}).data["field"] == "period"
    assert r.validate_plan("monthly", date(2024, 5, 1), " ", {1: 500}).data["field"] == "milestone"
    assert r.validate_plan("monthly", date(2024, 5, 1), "开盘", {1: 0}).data["field"] == "lines"
    # a project that plans only monthly refuses a weekly plan
    d = r.validate_plan("weekly", date(2024, 5, 13), "开盘", {1: 5}, {"plan_periods": ["monthly"]})
    assert not d.allowed and d.rule == "MAT-02"


def test_mat02_request_within_plan_is_planned_up_to_remaining():
    # clauses: MAT-02.6
    plans = [PlanLine("monthly", date(2024, 5, 1), "开盘", 7, quantity=100, requested=60)]
    d = r.classify_request(7, 40, shanghai(2024, 5, 31, 23, 59), plans)
    assert d.outcome == "planned" and d.data["needs_approval"] is False
    d = r.classify_request(7, 41, shanghai(2024, 5, 31), plans)
    assert d.outcome == "urgent" and d.data["needs_approval"] and d.rule == "MAT-02"


def test_mat02_request_outside_plan_period_or_item_is_urgent():
    # clauses: MAT-02.6
    plans = [PlanLine("monthly", date(2024, 5, 1), "开盘", 7, quantity=100)]
    # 2024-06-01 00:30 in Shanghai is still 2024-05-31 in UTC: the local day decides (SYS-04)
    utc = datetime(2024, 5, 31, 16, 30, tzinfo=timezone.utc)
    assert r.classify_request(7, 1, utc, plans).outcome == "urgent"
    assert r.classify_request(8, 1, shanghai(2024, 5, 10), plans).outcome == "urgent"


def test_mat02_urgent_request_needs_a_manager():
    # clauses: MAT-02.3
    d = r.approve_urgent_request(4, ["supervisor", "consultant"])
    assert not d.allowed and d.rule == "MAT-02"
    assert r.approve_urgent_request(2, ["manager"]).allowed


# ---------------------------------------------------------------- MAT-03 receiving

def receipt(**over):
    base = dict(name="楼书", specification="32页", model="", quantity=100, unit_price_cents=1250,
                receiver_id=5, inspector_id=6)
    base.update(over)
    return r.validate_receipt(**base)


def test_mat03_receipt_amount_is_quantity_times_price():
    # clauses: MAT-03.2
    d = receipt()
    assert d.allowed and d.data["amount_cents"] == 125000
    assert receipt(amount_cents=125000).allowed
    bad = receipt(amount_cents=124999)
    assert not bad.allowed and bad.data["field"] == "amount_cents"


@pytest.mark.parametrize("field,value", [
    ("quantity", 0), ("quantity", -3), ("unit_price_cents", -1), ("name", ""),
    ("specification", ""), ("receiver_id", None), ("inspector_id", None)])
def test_mat03_incomplete_receipt_refused(field, value):
    # clauses: MAT-03.2
    d = receipt(**{field: value})
    assert not d.allowed and d.rule == "MAT-03" and d.data["field"] == field


def test_mat03_receiver_and_inspector_must_differ():
    # clauses: MAT-03.1
    d = receipt(receiver_id=5, inspector_id=5)
    assert not d.allowed and d.data["field"] == "inspector_id"


# ``receive`` was never called by the service and went (dead code); the receipt's movement is
# chosen by ``receiving_movement`` and applied by ``stock_movement``.
def test_mat03_passed_goods_become_available():
    # clauses: MAT-03.1
    kind, note = r.receiving_movement(True, 7)
    assert (kind, note) == ("receive", "receipt 7")
    d = r.stock_movement(kind, 30, 10, held=0)
    assert d.data["after"] == 40 and d.data["held_after"] == 0


def test_mat03_failed_goods_go_to_temporary_storage_not_available():
    # clauses: MAT-03.3
    kind, note = r.receiving_movement(False, 7)
    assert kind == "hold" and "not available until exchanged or returned" in note
    d = r.stock_movement(kind, 30, 10, held=2)
    assert d.allowed and d.outcome == "hold"
    assert d.data["after"] == 10 and d.data["held_after"] == 32


def test_mat03_held_goods_exchanged_become_available_returned_leave():
    # clauses: MAT-03.4
    ex = r.resolve_held("exchange", 30, on_hand=10, held=30)
    assert (ex.data["after"], ex.data["held_after"]) == (40, 0)
    ret = r.resolve_held("return", 30, on_hand=10, held=30)
    assert (ret.data["after"], ret.data["held_after"]) == (10, 0)
    over = r.resolve_held("return", 31, on_hand=10, held=30)
    assert not over.allowed and over.outcome == "insufficient_held"
    assert not r.resolve_held("keep", 1, 10, 1).allowed


# ---------------------------------------------------------------- MAT-04 issuing

def form(qty=2, recipient=9, confirmed=9, **over):
    base = dict(item_name="户型单张 A", specification="A4", quantity=qty,
                recipient_id=recipient, confirmed_by=confirmed)
    base.update(over)
    return IssueForm(**base)


def test_mat04_issue_exactly_the_stock_is_allowed_to_zero():
    # clauses: MAT-04.3
    d = r.issue(form(qty=2), on_hand=2)
    assert d.allowed and d.rule == "MAT-04" and d.data["after"] == 0


def test_mat04_issue_more_than_stock_refused():
    # clauses: MAT-04.3
    d = r.issue(form(qty=3), on_hand=2)
    assert not d.allowed and d.outcome == "insufficient_stock"
    assert "only 2 in stock" in d.reason and d.data["shortfall"] == 1


def test_mat04_only_the_recipient_confirms():
    # clauses: MAT-04.2
    d = r.issue(form(recipient=9, confirmed=4), on_hand=10)
    assert not d.allowed and d.outcome == "wrong_confirmer"
    d = r.issue(form(confirmed=None), on_hand=10)
    assert not d.allowed and d.outcome == "unconfirmed"


def test_mat04_form_must_name_item_spec_and_quantity():
    # clauses: MAT-04.1
    assert r.issue(form(item_name=""), 10).data["field"] == "item_name"
    assert r.issue(form(specification=" "), 10).data["field"] == "specification"
    assert r.issue(form(qty=0), 10).data["field"] == "quantity"
    wrong = r.issue(form(), 10, catalogue_name="户型单张 A", catalogue_spec="A3")
    assert not wrong.allowed and wrong.data["field"] == "specification"


def test_mat04_issue_reports_low_stock_crossing():
    # clauses: MAT-08.1
    assert r.issue(form(qty=2), 12, reorder_level=10).data["low_stock"] is True
    assert r.issue(form(qty=1), 12, reorder_level=10).data["low_stock"] is False


# ---------------------------------------------------------------- MAT-05 usage ledger

def test_mat05_ledger_entry_states():
    # clauses: MAT-05.3
    for state in ("in_use", "stored", "damaged"):
        d = r.ledger_entry("激光笔", "前台", 9, state)
        assert d.allowed and d.outcome == state and not d.data["report_for_disposal"]


def test_mat05_unusable_is_reported_for_disposal_once_and_is_final():
    # clauses: MAT-05.4
    d = r.ledger_entry("激光笔", "前台", 9, "unusable", previous_state="damaged")
    assert d.outcome == "report_disposal" and d.data["report_for_disposal"] is True
    again = r.ledger_entry("激光笔", "仓库", 9, "unusable", previous_state="unusable")
    assert again.data["report_for_disposal"] is False
    back = r.ledger_entry("激光笔", "前台", 9, "in_use", previous_state="unusable")
    assert not back.allowed and back.rule == "MAT-05"


@pytest.mark.parametrize("location,responsible,state,field", [
    ("", 9, "in_use", "location"), ("前台", None, "in_use", "responsible_id"),
    ("前台", 9, "lost", "state")])
def test_mat05_incomplete_entry_refused(location, responsible, state, field):
    # clauses: MAT-05.1 MAT-05.2 MAT-05.3
    d = r.ledger_entry("激光笔", location, responsible, state)
    assert not d.allowed and d.data["field"] == field


# ---------------------------------------------------------------- MAT-06 stocktake

def test_mat06_needs_two_distinct_counters():
    # clauses: MAT-06.2
    assert not r.check_stocktake([5], False, shanghai(2024, 5, 31)).allowed
    same = r.check_stocktake([5, 5], False, shanghai(2024, 5, 31))
    assert not same.allowed and same.outcome == "too_few_counters"
    assert r.check_stocktake([5, 6], False, shanghai(2024, 5, 31)).allowed
    assert not r.check_stocktake([5, 6], False, shanghai(2024, 5, 31),
                                 {"stocktake_min_counters": 3}).allowed


def test_mat06_full_count_required_in_june_and_december():
    # clauses: MAT-06.3
    for month in (6, 12):
        d = r.check_stocktake([5, 6], False, shanghai(2024, month, 15))
        assert not d.allowed and d.outcome == "full_count_required"
        assert r.check_stocktake([5, 6], True, shanghai(2024, month, 15)).outcome == "full"
    # 2024-07-01 00:30 Shanghai is June in UTC: the local month decides (SYS-04)
    july = datetime(2024, 6, 30, 16, 30, tzinfo=timezone.utc)
    assert r.check_stocktake([5, 6], False, july).allowed


def test_mat06_match_needs_no_reason():
    # clauses: MAT-06.5
    line = r.stocktake_line("楼书", 10, 10)
    assert line.decision.allowed and line.decision.outcome == "match"
    assert line.new_balance == 10 and line.movements == () and line.attribution is None


def test_mat06_surplus_needs_reason_and_adjusts_up():
    # clauses: MAT-06.5 MAT-06.7
    assert r.stocktake_line("楼书", 10, 12).decision.outcome == "reason_required"
    line = r.stocktake_line("楼书", 10, 12, reasons={"surplus": "上月入库漏记"})
    assert line.surplus == 2 and line.new_balance == 12 and line.attribution is None
    assert [m.outcome for m in line.movements] == ["surplus"]


def test_mat06_shortage_and_damage_each_need_reason_and_loss_goes_to_storekeeper():
    # clauses: MAT-06.5 MAT-06.8
    missing = r.stocktake_line("楼书", 10, 7, damaged_qty=1, reasons={"shortage": "x"},
                               storekeeper_id=3)
    assert not missing.decision.allowed and missing.decision.data["missing"] == "damage"
    line = r.stocktake_line("楼书", 10, 7, damaged_qty=1, unit_price_cents=1250, storekeeper_id=3,
                            reasons={"shortage": "保管不善", "damage": "受潮"})
    assert (line.shortage, line.damaged, line.new_balance) == (3, 1, 6)
    assert [m.data["after"] for m in line.movements] == [7, 6]
    assert line.attribution.data == {"attributed_to": 3, "qty": 4, "amount_cents": 5000,
                                     "cause": "keeping"}


def test_mat06_loss_from_other_cause_not_attributed():
    # clauses: MAT-06.8
    line = r.stocktake_line("楼书", 10, 9, reasons={"shortage": "客户带走"}, storekeeper_id=3,
                            loss_cause="other")
    assert line.attribution.outcome == "unattributed"
    assert line.attribution.data["attributed_to"] is None


def test_mat06_invalid_counts_refused():
    assert not r.stocktake_line("楼书", 10, 2, damaged_qty=3).decision.allowed
    assert not r.stocktake_line("楼书", -1, 2).decision.allowed
    no_keeper = r.stocktake_line("楼书", 10, 9, reasons={"shortage": "x"})
    assert not no_keeper.decision.allowed and no_keeper.decision.data["field"] == "storekeeper_id"


# ---------------------------------------------------------------- MAT-07 desk kit

def test_mat07_folder_needs_two_of_every_floor_plan():
    # clauses: MAT-07.1
    d = r.desk_kit_shortages({"A": 2, "B": 1}, ["A", "B", "C"], consultant_id=9)
    assert not d.allowed and d.outcome == "short" and d.rule == "MAT-07"
    assert d.data["shortages"] == {"B": 1, "C": 2}
    assert r.desk_kit_shortages({"A": 2, "B": 5}, ["A", "B"]).outcome == "complete"
    three = r.desk_kit_shortages({"A": 2}, ["A"], {"desk_kit_min_per_plan": 3})
    assert three.data["shortages"] == {"A": 1}


def test_mat07_rec06_handed_out_plans_are_issued_from_stock():
    # clauses: MAT-07.2
    out = r.handout_issue_lines([("A", 1), ("B", 2), ("A", 1)], {"A": 5, "B": 2}, consultant_id=9)
    assert [(line.item_id, line.quantity) for line in out.lines] == [("A", 2), ("B", 2)]
    assert all(line.decision.allowed and line.decision.rule == "MAT-04" for line in out.lines)
    assert out.lines[1].decision.data["after"] == 0
    assert out.shortages == () and out.decision.outcome == "issued"


def test_mat07_stock_short_of_handout_records_shortage_not_negative():
    # clauses: MAT-07.3
    out = r.handout_issue_lines({"A": 3, "B": 1, "Z": 1}, {"A": 2, "B": 0},
                                consultant_id=9, names={"A": "户型单张 A"})
    assert [(line.item_id, line.quantity) for line in out.lines] == [("A", 2)]
    short = {s.item_id: (s.wanted, s.issued, s.missing, s.decision.outcome) for s in out.shortages}
    assert short == {"A": (3, 2, 1, "shortage"), "B": (1, 0, 1, "shortage"),
                     "Z": (1, 0, 1, "unknown_item")}
    assert "only 2 in stock" in out.shortages[0].decision.reason
    assert out.decision.outcome == "short" and out.decision.data == {"issued": 2, "missing": 3}


def test_mat07_handout_flags_invalid_quantity():
    # clauses: MAT-07.3
    out = r.handout_issue_lines([("A", -1)], {"A": 5}, consultant_id=9)
    assert out.lines == () and out.shortages[0].decision.outcome == "invalid"


def test_mat07_handout_issue_carries_low_stock():
    out = r.handout_issue_lines({"A": 2}, {"A": 11}, 9, reorder_levels={"A": 10})
    assert out.lines[0].decision.data["low_stock"] is True


# ---------------------------------------------------------------- MAT-08 low stock

@pytest.mark.parametrize("before,after,level,expected", [
    (11, 10, 10, True),    # falling to the level
    (11, 3, 10, True),     # falling past it
    (10, 9, 10, False),    # already at the level: raised before, not again
    (9, 5, 10, False),     # still below
    (12, 11, 10, False),   # still above
    (5, 15, 10, False),    # restocking never raises
    (1, 0, 0, True),       # level 0: running out
])
def test_mat08_crossed_reorder_level(before, after, level, expected):
    # clauses: MAT-08.1
    assert r.crossed_reorder_level(before, after, level) is expected


def test_mat08_restock_above_level_rearms_once_per_crossing():
    # clauses: MAT-08.2
    level, stock, raised = 10, 12, 0
    for kind, qty in [("issue", 2), ("issue", 1), ("receive", 5), ("issue", 4), ("issue", 1)]:
        d = r.stock_movement(kind, qty, stock, reorder_level=level)
        raised += d.data["low_stock"]
        stock = d.data["after"]
    assert raised == 2


def test_mat08_low_stock_decision():
    # clauses: MAT-08.1
    d = r.low_stock("楼书", 11, 10, 10)
    assert d.rule == "MAT-08" and d.outcome == "low_stock" and "reorder level 10" in d.reason
    assert r.low_stock("楼书", 10, 9, 10).outcome == "ok"


# ---------------------------------------------------------------- decisions that were inline

def test_sys03_policy_spec_names_the_rule_each_key_tunes():
    from services.common.policyspec import PolicyValueError
    assert r.POLICY.defaults == r.POLICY_DEFAULTS
    for key, value, rule in [("stocktake_min_counters", 1, "MAT-06"),
                             ("desk_kit_min_per_plan", 0, "MAT-07"),
                             ("full_count_months", [0], "MAT-06"),
                             ("plan_periods", [], "MAT-02"),
                             ("stocktake_min_counters", True, "MAT-06")]:
        with pytest.raises(PolicyValueError) as exc:
            r.POLICY.with_defaults({key: value})
        assert (exc.value.key, exc.value.rule) == (key, rule)
    assert all(k.doc for k in r.POLICY.keys.values())


def test_sys01_applied_movement_cites_the_callers_rule_and_note():
    d = r.applied_movement("issue", 2, 5, 0, item="FP", reorder_level=3, rule="MAT-07",
                           note="reception 9")
    assert d.rule == "MAT-07" and d.reason.endswith("(reception 9)")
    assert (d.data["after"], d.data["low_stock"]) == (3, True)


def test_mat04_a_movement_the_database_refused_is_a_conflict_citing_its_rule():
    # clauses: MAT-04.3
    d = r.movement_refused("issue", 3, item="FP", available=1)
    assert (d.allowed, d.rule, d.outcome, d.data["field"]) == \
        (False, "MAT-04", "insufficient_stock", "quantity")
    assert "available 1" in d.reason
    held = r.movement_refused("return", 3, item="FP", available=1)
    assert held.rule == "MAT-03" and held.outcome == "insufficient_held"
    assert "temporary storage" in held.reason


def test_mat01_codes_are_unique_and_changes_are_checked_as_a_whole_item():
    # clauses: MAT-01.4
    assert r.code_free("FP-A", taken=False).allowed
    taken = r.code_free("FP-A", taken=True)
    assert not taken.allowed and taken.rule == "MAT-01" and taken.data["field"] == "code"
    current = {"name": "sheet", "specification": "A4", "model": "", "unit": "pc",
               "unit_price_cents": 5, "category": "other", "reorder_level": 1}
    d = r.revise_item(current, {"name": " new name ", "reorder_level": 9})
    assert d.allowed and d.data["fields"]["name"] == "new name"
    assert d.data["fields"]["reorder_level"] == 9 and "on_hand" not in d.data["fields"]
    bad = r.revise_item(current, {"category": "spaceship"})
    assert not bad.allowed and bad.data["field"] == "category"


def test_mat02_an_item_is_listed_once_in_a_plan():
    # clauses: MAT-02.1
    d = r.validate_plan("monthly", date(2024, 5, 1), "开盘", [(1, 5), (1, 6)])
    assert not d.allowed and d.data["field"] == "lines" and "twice" in d.reason
    ok = r.validate_plan("monthly", date(2024, 5, 1), "开盘", [(1, 5), (2, 6)])
    assert ok.allowed and ok.data["lines"] == {1: 5, 2: 6}


def test_mat02_a_draft_plan_is_approved_once():
    # clauses: MAT-02.7
    d = r.approve_plan("draft", 4, "monthly", "开盘", "王经理")
    assert d.allowed and d.data["status"] == "approved" and "王经理" in d.reason
    again = r.approve_plan("approved", 4, "monthly", "开盘", "王经理")
    assert not again.allowed and again.outcome == "conflict" and again.rule == "MAT-02"


def test_mat02_requests_are_decided_once_by_a_manager_and_an_admin_acts_as_one():
    # clauses: MAT-02.3
    from services.common.roles import acting_roles
    assert r.decide_request("pending", 1, True, 2, {"manager"}).data["status"] == "approved"
    named = r.decide_request("pending", 1, True, 2, {"manager"}, names={2: "王芳 Wang Fang"})
    assert named.reason == "urgent request approved by manager 王芳 Wang Fang"
    assert r.decide_request("pending", 1, True, 2, {"manager"}).reason.endswith("manager #2")
    rejected = r.decide_request("pending", 1, False, 2, {"manager"}, "no", names={2: "王芳"})
    assert rejected.reason == "urgent request rejected by manager 王芳: no"
    done = r.decide_request("approved", 1, True, 2, {"manager"}, item="楼书 (A4) [BRO]",
                            quantity=5)
    assert done.reason == "request 1 (5 of 楼书 (A4) [BRO]) is already approved"
    noted = r.decide_request("pending", 1, True, 2, {"manager"}, "开盘用 for the launch")
    assert noted.reason.endswith(": 开盘用 for the launch")     # the note is kept either way
    rejected = r.decide_request("pending", 1, False, 2, {"manager"}, "no budget")
    assert rejected.data["status"] == "rejected" and rejected.reason.endswith("no budget")
    assert r.decide_request("pending", 1, True, 3, {"supervisor"}).outcome == "forbidden"
    assert r.decide_request("approved", 1, True, 2, {"manager"}).outcome == "conflict"
    assert r.decide_request("pending", 1, True, 9, acting_roles({"admin"})).allowed
    assert r.classify_request(1, 5, shanghai(2024, 5, 2), []).data["status"] == "pending"
    lost = r.plan_changed()
    assert not lost.allowed and lost.rule == "MAT-02" and lost.outcome == "conflict"


def test_mat03_held_goods_are_resolved_once():
    # clauses: MAT-03.4
    d = r.held_claim_lost(3, 2)
    assert not d.allowed and (d.rule, d.outcome) == ("MAT-03", "insufficient_held")


def test_mat04_a_new_form_awaits_its_recipient_and_is_confirmed_or_cancelled_once():
    # clauses: MAT-04.4
    new = form(confirmed=None)
    d = r.new_issue_form(new, 0, catalogue_name="户型单张 A", catalogue_spec="A4")
    assert d.allowed and d.outcome == "unconfirmed" and d.data["status"] == "pending"
    zero = r.new_issue_form(form(qty=0, confirmed=None), 10, catalogue_name="户型单张 A",
                            catalogue_spec="A4")
    assert not zero.allowed and zero.data["field"] == "quantity"
    wrong = r.new_issue_form(new, 10, catalogue_name="楼书", catalogue_spec="A4")
    assert not wrong.allowed and wrong.data["field"] == "item_name"
    assert r.pending_form("pending", 5).allowed
    done = r.pending_form("issued", 5)
    assert not done.allowed and done.outcome == "conflict" and done.rule == "MAT-04"
    assert r.form_confirmed(5, 11, "issue 1").outcome == "issued"
    assert r.form_cancelled(5).outcome == "cancelled"


def test_mat06_each_item_once_and_a_full_count_covers_every_item():
    # clauses: MAT-06.4
    assert r.stocktake_items([1, 2], [1, 2, 3], full=False).allowed
    twice = r.stocktake_items([1, 1], [1], full=False)
    assert not twice.allowed and twice.data["field"] == "lines"
    partial = r.stocktake_items([1], [1, 2], full=True)
    assert not partial.allowed and partial.reason.endswith("missing item #2")
    named = r.stocktake_items([1], [1, 2, 3], full=True,
                              items={2: "楼书 (A4) [BRO-1]", 3: "手提袋 (L) [BAG-1]"})
    assert named.reason.endswith("missing 楼书 (A4) [BRO-1], 手提袋 (L) [BAG-1]"), named.reason
    assert r.stocktake_storekeeper(None, 5, {"storekeeper"}) == 5
    assert r.stocktake_storekeeper(7, 5, {"storekeeper"}) == 7
    assert r.stocktake_storekeeper(None, 2, {"manager"}) is None


def test_mat07_a_folder_check_names_this_projects_floor_plans():
    # clauses: MAT-07.1
    assert r.check_folder({"A": 2}, ["A", "B"]).allowed
    unknown = r.check_folder({"Z": 1}, ["A"])
    assert not unknown.allowed and unknown.rule == "MAT-07" and "Z" in unknown.reason
    assert not r.check_folder({"A": -1}, ["A"]).allowed
    report = r.shortage_report("2026-03-02", 2, 5, "printer down")
    assert report.rule == "MAT-07" and report.reason.endswith(": printer down")
    assert "2 shortage line(s)" in report.reason and report.data["lines"] == 2


# ---------------------------------------------------------------- issue 12: new clauses

def test_mat02_4_issue_against_request_needs_it_approved_for_the_item_and_within_it():
    """MAT-02.3 / MAT-02.4 / MAT-02.5 at their boundaries."""
    approved = r.RequestFacts(7, 1, "urgent", "approved", 5, issued=3)
    assert r.issue_against_request(approved, 1, 2).outcome == "against_request"  # exactly 2 left
    over = r.issue_against_request(approved, 1, 3)
    assert (over.allowed, over.outcome, over.data["field"]) == (False, "over_basis", "quantity")
    for status in ("pending", "rejected"):
        d = r.issue_against_request(r.RequestFacts(7, 1, "urgent", status, 5), 1, 1)
        assert (d.allowed, d.outcome, d.rule) == (False, "not_approved", "MAT-02")
    assert "manager" in r.issue_against_request(
        r.RequestFacts(7, 1, "urgent", "pending", 5), 1, 1).reason
    wrong = r.issue_against_request(approved, 2, 1)
    assert (wrong.allowed, wrong.data["field"]) == (False, "request_id")


def test_mat02_4_issue_against_plan_only_when_a_current_plan_has_it_left():
    """MAT-02.4 / MAT-02.6: the classification of the day decides; urgent is no basis."""
    now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    plans = [PlanLine("monthly", date(2026, 3, 1), "开盘", 1, 10, requested=7)]
    ok = r.issue_against_plan(r.classify_request(1, 3, now, plans), 1, 3)
    assert (ok.allowed, ok.outcome, ok.data["plan_period"]) == (True, "against_plan", "monthly")
    no = r.issue_against_plan(r.classify_request(1, 4, now, plans), 1, 4)
    assert (no.allowed, no.outcome, no.data["field"]) == (False, "no_basis", "request_id")
    assert "only 3" in no.reason


def test_mat06_2_project_staff_must_be_known_of_the_project_active_and_in_role():
    """MAT-06.2 / MAT-06.8 / MAT-07.1 / MAT-05.2 / MAT-03.1: the people a record names."""
    me = {"project_id": 1, "name": "a", "roles": ["storekeeper"], "active": True}
    assert r.project_staff({5: me}, 1, field="f", rule="MAT-06").allowed
    assert r.project_staff({5: me}, 1, field="f", rule="MAT-06", role="storekeeper").allowed
    for people, role in (({5: None}, None), ({5: dict(me, project_id=2)}, None),
                         ({5: dict(me, active=False)}, None), ({5: me}, "consultant")):
        d = r.project_staff(people, 1, field="f", rule="MAT-06", role=role)
        assert (d.allowed, d.rule, d.data["field"], d.data["person_id"]) == \
            (False, "MAT-06", "f", 5)


def test_mat06_1_each_month_is_counted_and_june_and_december_fully():
    """MAT-06.1 / MAT-06.3: done, due, missed, future; a partial count does not do for June."""
    today = date(2026, 7, 15)
    assert r.month_status(date(2026, 5, 1), today, [(1, False)]).outcome == "done"
    assert r.month_status(date(2026, 6, 1), today, [(2, False)]).outcome == "missed"
    assert r.month_status(date(2026, 6, 1), today, [(2, False), (3, True)]).outcome == "done"
    assert r.month_status(date(2026, 7, 1), today, []).outcome == "due"
    assert r.month_status(date(2026, 8, 1), today, []).outcome == "future"
    assert r.month_status(date(2026, 4, 1), today, [], {"full_count_months": [4]}).data[
        "full_required"] is True
