"""Client attribution rules (CLI-01..CLI-14), pure and fast: no broker, no database."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.clients import rules
from services.clients.rules import (
    ChannelReport,
    Contact,
    Ownership,
    StaffReferral,
    Subscription,
    change_consultant,
    channel_attribution,
    check_phone,
    check_poaching,
    check_report,
    check_source,
    check_subscription,
    check_withdrawal,
    conversion_figures,
    customer_view,
    deal_credit,
    deposit_status,
    first_contact,
    mask_phone,
    may_see_full_phone,
    may_see_report,
    normalise_phone,
    override_ownership,
    ownership_from_records,
    period_label,
    policy_with_defaults,
    protection_status,
    referral_chain_claim,
    relative_claim,
    resolve_dispute,
    staff_referral_credit,
    subscription_is_live,
    void_form,
)
from services.common.timeutil import at

DAY = date(2026, 3, 2)  # a Monday
PHONE = "13800138000"
A, B, C = 1, 2, 3


def t(hhmm, day=DAY):
    return at(day, hhmm)


def days_later(n, hhmm="10:00"):
    return at(DAY + timedelta(days=n), hhmm)


def owned(owner=A, since=None, **kw):
    since = since or t("10:00")
    return Ownership(owner_id=owner, since=since, last_contact_at=kw.pop("last", since), **kw)


# ------------------------------------------------------------------ policy (SYS-03)

def test_sys03_policy_defaults_and_overrides():
    p = policy_with_defaults(None)
    assert p == rules.POLICY_DEFAULTS
    assert (p["protection_days"], p["no_follow_up_days"], p["report_lead_minutes"],
            p["report_expiry_days"], p["change_split_percent"], p["deposit_minutes"],
            p["poaching_fine"]) == (90, 30, 30, 30, 50, 10, 100)
    assert policy_with_defaults({"protection_days": 60})["protection_days"] == 60
    for bad in ({"nope": 1}, {"protection_days": 0}, {"deposit_minutes": "10"},
                {"change_split_percent": 101}, {"poaching_fine": True}):
        with pytest.raises(ValueError):
            policy_with_defaults(bad)


@pytest.mark.parametrize("key,value,rule", [("protection_days", 0, "CLI-03"),
                                            ("report_lead_minutes", -5, "CLI-06"),
                                            ("change_split_percent", 101, "CLI-10"),
                                            ("deposit_minutes", "10", "CLI-12"),
                                            ("poaching_fine", -1, "CLI-09")])
def test_sys03_a_bad_policy_value_names_its_key_and_rule(key, value, rule):
    from services.common.policyspec import PolicyValueError
    with pytest.raises(PolicyValueError) as exc:
        rules.POLICY.with_defaults({key: value})
    assert (exc.value.key, exc.value.rule) == (key, rule)
    assert rules.POLICY.with_defaults({"poaching_fine": 0, "change_split_percent": 0})[
        "poaching_fine"] == 0                                  # zero is a fine/split of none
    assert all(k.doc for k in rules.POLICY.keys.values())


# ------------------------------------------------------------------ CLI-01

@pytest.mark.parametrize("text", ["138 0013 8000", "+86 138-0013-8000", "0086 13800138000",
                                  "138.0013.8000", "(+86)13800138000", "8613800138000",
                                  "１３８００１３８０００"])
def test_cli01_same_phone_written_many_ways_normalises_to_one(text):
    # clauses: CLI-01.1
    assert normalise_phone(text) == PHONE


@pytest.mark.parametrize("text", ["", None, "12800138000", "1380013800", "138001380000",
                                  "+1 415 555 0100", "138-0013-800a", "010-62345678"])
def test_cli01_invalid_phone_raises_and_check_phone_refuses(text):
    with pytest.raises(ValueError, match="CLI-01"):
        normalise_phone(text)
    d = check_phone(text)
    assert not d.allowed and d.rule == "CLI-01" and d.outcome == "invalid_phone"


def test_cli01_check_phone_allows_with_canonical_number():
    d = check_phone("+86 138-0013-8000")
    assert d.allowed and d.data["phone"] == PHONE and PHONE not in d.reason


def test_cli01_cli05_sources():
    # clauses: CLI-01.2
    assert rules.SOURCES == ("walk_in", "call", "channel", "customer_referral",
                             "staff_referral", "relative")
    assert check_source("relative").allowed
    assert not check_source("internet").allowed


# ------------------------------------------------------------------ CLI-02

def test_cli02_first_registered_contact_makes_owner():
    ch = first_contact(None, Contact(A, t("10:00"), "call", source="call"))
    assert ch.decision.rule == "CLI-02" and ch.decision.outcome == "new_owner"
    assert ch.owner_id == A and ch.ownership.since == t("10:00")


def test_cli02_second_consultant_does_not_become_owner():
    # clauses: CLI-02.3
    ch = first_contact(owned(A), Contact(B, t("11:00")))
    assert ch.decision.outcome == "unchanged_owner" and ch.owner_id == A
    assert ch.ownership.last_contact_at == t("11:00")          # protection renewed
    assert ch.ownership.follow_up_at == t("10:00")             # but not the owner's follow-up


def test_cli02_owners_own_contact_is_recorded():
    ch = first_contact(owned(A), Contact(A, days_later(5)))
    assert ch.decision.outcome == "contact_recorded" and ch.owner_id == A
    assert ch.ownership.follow_up_at == days_later(5)


def test_cli02_registration_order_decides_never_two_owners():
    # clauses: CLI-02.2
    contacts = [Contact(B, t("10:00"), seq=2), Contact(A, t("10:00"), seq=1),
                Contact(C, t("10:05"), "call")]
    h = ownership_from_records(contacts)
    assert h.ownership.owner_id == A
    assert [d.outcome for d in h.decisions] == ["new_owner", "unchanged_owner", "unchanged_owner"]


def test_cli02_bad_contact_kind_is_a_caller_bug():
    with pytest.raises(ValueError):
        first_contact(None, Contact(A, t("10:00"), "email"))


# ------------------------------------------------------------------ CLI-03

@pytest.mark.parametrize("n,live", [(89, True), (90, True), (91, False)])
def test_cli03_protection_day_89_live_90_live_91_lapsed(n, live):
    # clauses: CLI-03.1
    d = protection_status(owned(A), days_later(n, "23:59"))
    assert d.rule == "CLI-03" and d.data["live"] is live
    assert d.outcome == ("live" if live else "lapsed") and f"{n} days" in d.reason


def test_cli03_protection_counts_local_days_not_utc():
    # 23:30 Shanghai on day 0 is 15:30 UTC; 00:30 Shanghai on day 91 is still day 91 locally.
    o = owned(A, since=t("23:30"))
    assert not protection_status(o, at(DAY + timedelta(days=91), "00:30")).data["live"]
    assert protection_status(o, at(DAY + timedelta(days=90), "23:59")).data["live"]


def test_cli03_other_consultant_takes_lapsed_customer_by_first_contact():
    ch = first_contact(owned(A), Contact(B, days_later(91)))
    assert ch.decision.rule == "CLI-03" and ch.decision.outcome == "new_owner"
    assert ch.owner_id == B and ch.decision.data["previous_owner_id"] == A


def test_cli03_same_consultant_needs_supervisor_sign_off_after_lapse():
    ch = first_contact(owned(A), Contact(A, days_later(91)))
    assert not ch.decision.allowed and ch.decision.outcome == "sign_off_required"
    assert ch.ownership == owned(A)      # nothing renewed
    bad = first_contact(owned(A), Contact(A, days_later(91), sign_off_by=9,
                                           sign_off_roles=frozenset({"consultant"})))
    assert not bad.decision.allowed
    ok = first_contact(owned(A), Contact(A, days_later(91), sign_off_by=9,
                                          sign_off_roles=frozenset({"supervisor"})))
    assert ok.decision.outcome == "re_registered" and ok.owner_id == A
    assert ok.ownership.since == days_later(91)


def test_cli03_same_consultant_on_day_90_needs_no_sign_off():
    assert first_contact(owned(A), Contact(A, days_later(90))).decision.outcome == \
        "contact_recorded"


def test_cli03_no_follow_up_for_30_days_closer_gets_credit():
    # clauses: CLI-03.4
    o = owned(A)
    d = deal_credit(o, B, days_later(31))
    assert d.rule == "CLI-03" and d.outcome == "closer"
    assert d.data["credit_split"] == [{"person_id": B, "percent": 100.0}]
    d30 = deal_credit(o, B, days_later(30))
    assert d30.rule == "CLI-12" and d30.data["credit_split"][0]["person_id"] == A


def test_cli03_duty_contact_renews_protection_not_follow_up():
    # B received A's customer on day 20 (duty); A never followed up: B closes on day 40.
    o = first_contact(owned(A), Contact(B, days_later(20))).ownership
    assert protection_status(o, days_later(105)).data["live"]
    assert deal_credit(o, B, days_later(40)).data["credit_split"][0]["person_id"] == B


# ------------------------------------------------------------------ CLI-04

def test_cli04_referral_registered_before_visit_belongs_to_a():
    d = referral_chain_claim(owned(A), t("15:00"), referral_registered_at=t("14:00"))
    assert d.rule == "CLI-04" and d.outcome == "referral_chain" and d.data["owner_id"] == A


def test_cli04_new_customer_names_a_on_arrival():
    d = referral_chain_claim(owned(A), t("15:00"), named_on_arrival_id=A)
    assert d.data["owner_id"] == A


def test_cli04_chance_meeting_gives_no_claim():
    # clauses: CLI-04.4
    d = referral_chain_claim(owned(A), t("15:00"), referral_registered_at=t("15:10"))
    assert d.outcome == "no_claim" and d.data["owner_id"] is None
    assert referral_chain_claim(owned(A), t("15:00"), named_on_arrival_id=B).outcome == "no_claim"


def test_cli04_chain_continues_down_and_needs_live_referrer():
    # clauses: CLI-04.1
    # 甲 belongs to A by referral; 乙 introduced by 甲 -> A again.
    first = referral_chain_claim(owned(A), t("15:00"), named_on_arrival_id=A)
    jia = first_contact(None, Contact(first.data["owner_id"], t("15:00"), "referral")).ownership
    assert referral_chain_claim(jia, days_later(3), named_on_arrival_id=A).data["owner_id"] == A
    assert referral_chain_claim(owned(A), days_later(91),
                                named_on_arrival_id=A).outcome == "no_claim"


# ------------------------------------------------------------------ CLI-05

def test_cli05_pre_registered_relative_belongs_to_consultant():
    d = relative_claim(A, t("15:00"), pre_registered_at=days_later(-2))
    assert d.rule == "CLI-05" and d.data["owner_id"] == A


def test_cli05_no_prior_registration_no_claim():
    # clauses: CLI-05.2
    assert relative_claim(A, t("15:00")).outcome == "no_claim"
    assert relative_claim(A, t("15:00"), pre_registered_at=t("15:30")).outcome == "no_claim"


def test_cli05_pre_registration_goes_through_first_contact():
    ch = first_contact(None, Contact(A, t("09:00"), "pre_registration", source="relative"))
    assert ch.owner_id == A and ch.ownership.source == "relative"
    assert first_contact(owned(B), Contact(A, t("11:00"), "pre_registration")).owner_id == B


# ------------------------------------------------------------------ CLI-06

def report(rid, agent, minutes_before, visit=None, name="王伟", phone=PHONE, channel="X"):
    visit = visit or t("15:00")
    return ChannelReport(rid, agent, channel, name, phone,
                         visit - timedelta(minutes=minutes_before))


def attribute(reports, mentioned=None, started=None, name="王伟", phone=PHONE, **kw):
    return channel_attribution(reports, name, phone, t("15:00"), mentioned or t("15:00"),
                               started or t("15:02"), **kw)


def test_cli06_report_needs_name_and_phone():
    # clauses: CLI-06.1
    assert check_report("", PHONE, t("10:00")).data["field"] == "name"
    d = check_report("王伟", "12345", t("10:00"))
    assert not d.allowed and d.data["field"] == "phone" and d.rule == "CLI-06"
    ok = check_report("王伟", "138 0013 8000", t("10:00"))
    assert ok.allowed and ok.data["phone_masked"] == "138****8000"


def test_cli06_report_on_owned_customer_is_refused_zhuangdan():
    # clauses: CLI-06.7
    d = check_report("王伟", PHONE, days_later(10), current=owned(A))
    assert not d.allowed and d.outcome == "conflict" and d.data["owner_id"] == A
    assert "a consultant of this office" in d.reason       # the agent is not told which one
    assert check_report("王伟", PHONE, days_later(91), current=owned(A)).allowed


@pytest.mark.parametrize("minutes,outcome", [(29, "natural_visit"), (29.99, "natural_visit"),
                                             (30, "channel"), (31, "channel")])
def test_cli06_report_29_minutes_ahead_is_interception_30_is_ok(minutes, outcome):
    # clauses: CLI-06.2, CLI-06.4
    d = attribute([report(1, 7, minutes)])
    assert d.rule == "CLI-06" and d.outcome == outcome
    if outcome == "natural_visit":
        assert "30 min required" in d.reason and "interception" in d.reason


def test_cli06_two_channels_earlier_report_wins():
    # clauses: CLI-06.5
    d = attribute([report(2, 8, 60, channel="Y"), report(1, 7, 120, channel="X")])
    assert d.data["agent_id"] == 7 and d.data["report_id"] == 1


def test_cli06_earlier_invalid_report_passes_to_next_valid():
    d = attribute([report(1, 7, 120, name="李四"), report(2, 8, 60)])
    assert d.data["agent_id"] == 8 and len(d.data["passed_over"]) == 1


def test_cli06_customer_not_mentioning_channel_before_reception_is_natural():
    # clauses: CLI-06.6
    assert attribute([report(1, 7, 60)], mentioned=t("15:10"), started=t("15:05")).outcome == \
        "natural_visit"
    d = channel_attribution([report(1, 7, 60)], "王伟", PHONE, t("15:00"), None, t("15:05"))
    assert d.outcome == "natural_visit"


def test_cli06_report_expires_after_30_days():
    visit = t("15:00")
    on_day_30 = ChannelReport(1, 7, "X", "王伟", PHONE, visit - timedelta(days=30))
    on_day_31 = ChannelReport(1, 7, "X", "王伟", PHONE, visit - timedelta(days=31))
    assert rules.report_expired(on_day_30, visit).data["expired"] is False
    assert rules.report_expired(on_day_31, visit).data["expired"] is True
    assert attribute([on_day_30]).outcome == "channel"
    assert attribute([on_day_31]).outcome == "natural_visit"


def test_cli06_name_and_phone_must_match_visit():
    # clauses: CLI-06.3
    assert attribute([report(1, 7, 60, name="李四")]).outcome == "natural_visit"
    assert attribute([report(1, 7, 60, phone="13900139000")]).outcome == "natural_visit"
    # the same phone written another way and spacing in the name still match
    assert attribute([report(1, 7, 60)], name=" 王 伟", phone="+86 138-0013-8000").outcome == \
        "channel"


def test_cli06_agent_sees_only_own_reports():
    # clauses: CLI-06.9
    mine, theirs = report(1, 7, 60), report(2, 8, 60)
    assert may_see_report(mine, 7, {"channel_agent"}).allowed
    assert not may_see_report(theirs, 7, {"channel_agent"}).allowed
    assert may_see_report(theirs, 99, {"manager"}).allowed
    assert not may_see_report(mine, 99, {"consultant"}).allowed
    assert rules.sees_all_reports({"supervisor"}) and not rules.sees_all_reports({"consultant"})


# ------------------------------------------------------------------ CLI-07

def test_cli07_referral_before_price_negotiation_goes_to_named_consultant():
    # clauses: CLI-07.1
    r = StaffReferral(referrer_id=50, consultant_id=A, registered_at=t("10:00"))
    d = staff_referral_credit(r, receiving_id=B, price_talk_started_at=t("11:00"))
    assert d.rule == "CLI-07" and d.data["owner_id"] == A
    assert staff_referral_credit(r, B).data["owner_id"] == A   # no price talk yet


def test_cli07_referral_after_price_negotiation_receiver_keeps_credit():
    r = StaffReferral(50, A, t("11:30"))
    d = staff_referral_credit(r, receiving_id=B, price_talk_started_at=t("11:00"))
    assert d.outcome == "receiving_consultant" and d.data["owner_id"] == B


def test_cli07_phone_only_referral_needs_form_call_record_and_follow_ups():
    # clauses: CLI-07.3
    partial = StaffReferral(50, A, t("10:00"), phone_only=True,
                            evidence=frozenset({"referral_form", "call_record"}))
    d = staff_referral_credit(partial, receiving_id=B)
    assert d.data["owner_id"] == B and d.data["missing"] == ["follow_up_records"]
    full = StaffReferral(50, A, t("10:00"), phone_only=True,
                         evidence=frozenset(rules.PHONE_ONLY_EVIDENCE))
    assert staff_referral_credit(full, receiving_id=B).data["owner_id"] == A









# ------------------------------------------------------------------ CLI-09

def test_cli09_poaching_returns_customer_and_fines_100():
    # clauses: CLI-09.3
    d = check_poaching(owned(A), B, days_later(10))
    assert not d.allowed and d.rule == "CLI-09" and d.outcome == "poaching"
    assert d.data == {"owner_id": A, "poacher_id": B, "fine": 100}
    assert check_poaching(owned(A), B, days_later(10),
                          policy={"poaching_fine": 200}).data["fine"] == 200


def test_cli09_not_poaching_own_duty_or_lapsed():
    # clauses: CLI-09.1
    assert check_poaching(owned(A), A, t("11:00")).allowed
    assert check_poaching(owned(A), B, t("11:00"), duty_reception=True).outcome == \
        "duty_reception"
    assert check_poaching(owned(A), B, days_later(91)).allowed
    assert check_poaching(None, B, t("11:00")).allowed


# ------------------------------------------------------------------ CLI-10

def test_cli10_change_at_customer_request_splits_50_50():
    # clauses: CLI-10.2
    ch = change_consultant(owned(A), B, days_later(3))
    assert ch.decision.rule == "CLI-10" and ch.owner_id == B
    assert ch.decision.data["credit_split"] == [{"person_id": A, "percent": 50.0},
                                                {"person_id": B, "percent": 50.0}]
    assert deal_credit(ch.ownership, B, days_later(4)).data["credit_split"] == \
        ch.decision.data["credit_split"]


def test_cli10_second_change_scales_earlier_shares_and_policy_split():
    # clauses: CLI-10.2
    once = change_consultant(owned(A), B, days_later(3)).ownership
    twice = change_consultant(once, C, days_later(4)).ownership
    assert dict(twice.shares) == {A: 25.0, B: 25.0, C: 50.0}
    p = change_consultant(owned(A), B, days_later(3), policy={"change_split_percent": 30})
    assert dict(p.ownership.shares) == {A: 70.0, B: 30.0}


def test_cli10_refusals_and_lapsed_owner():
    # clauses: CLI-10.1
    refused = change_consultant(owned(A), B, t("11:00"), at_customer_request=False)
    assert not refused.decision.allowed
    assert change_consultant(owned(A), A, t("11:00")).decision.outcome == "same_consultant"
    lapsed = change_consultant(owned(A), B, days_later(91))
    assert lapsed.ownership.credit_split() == [{"person_id": B, "percent": 100.0}]


# ------------------------------------------------------------------ CLI-11

def test_cli11_dispute_decided_by_registration_records():
    # clauses: CLI-11.1
    h = resolve_dispute([Contact(B, t("11:00")), Contact(A, t("10:00"), "call")])
    assert h.ownership.owner_id == A
    assert h.decisions[-1].rule == "CLI-11" and h.decisions[-1].data["owner_id"] == A
    assert resolve_dispute([]).decisions[-1].data["owner_id"] is None


def test_cli11_supervisor_or_manager_override_with_written_reason():
    # clauses: CLI-11.2
    ch = override_ownership(owned(A), B, 9, {"supervisor"}, "customer's wife registered first "
                            "with B on paper", t("12:00"))
    assert ch.decision.outcome == "override" and ch.owner_id == B
    assert ch.decision.data["previous_owner_id"] == A and ch.decision.data["actor_id"] == 9
    assert override_ownership(owned(A), B, 9, {"manager"}, "ok", t("12:00")).owner_id == B


@pytest.mark.parametrize("roles,reason,outcome", [({"consultant"}, "because", "forbidden"),
                                                  ({"clerk"}, "because", "forbidden"),
                                                  ({"supervisor"}, "   ", "reason_required"),
                                                  ({"manager"}, None, "reason_required")])
def test_cli11_override_refused(roles, reason, outcome):
    ch = override_ownership(owned(A), B, 9, roles, reason, t("12:00"))
    assert not ch.decision.allowed and ch.decision.outcome == outcome and ch.owner_id == A


# ------------------------------------------------------------------ CLI-12

def sub(sid=1, unit="8-1201", signed="10:00", paid=None, status="live"):
    return Subscription(sid, unit, t(signed), t(paid) if paid else None, status)


def test_cli12_subscription_needs_manager_availability_confirmation():
    # clauses: CLI-12.1
    assert not check_subscription("8-1201", None, set(), [], t("10:00")).allowed
    assert not check_subscription("8-1201", 9, {"supervisor"}, [], t("10:00")).allowed
    assert check_subscription("8-1201", 9, {"manager"}, [], t("10:00")).allowed


def test_cli12_unit_never_has_two_live_subscriptions():
    live = sub(paid="10:05")
    d = check_subscription("8-1201", 9, {"manager"}, [live], t("11:00"))
    assert not d.allowed and d.outcome == "unit_taken"
    assert check_subscription("8-1202", 9, {"manager"}, [live], t("11:00")).allowed
    lapsed = sub()  # never paid: lapsed after 10 min, unit free again
    assert check_subscription("8-1201", 9, {"manager"}, [lapsed], t("10:11")).allowed
    assert not check_subscription("8-1201", 9, {"manager"}, [lapsed], t("10:05")).allowed


@pytest.mark.parametrize("paid,ok", [("10:09", True), ("10:10:00", True), ("10:10:01", False),
                                     ("10:11", False)])
def test_cli12_deposit_within_10_minutes_of_signing(paid, ok):
    d = deposit_status(sub(paid=paid), t("12:00"))
    assert d.rule == "CLI-12" and d.allowed is ok
    assert d.outcome == ("deposit_paid" if ok else "lapsed")


def test_cli12_unpaid_subscription_lapses_after_10_minutes():
    # clauses: CLI-12.3
    s = sub()
    assert deposit_status(s, t("10:10")).outcome == "awaiting_deposit"
    d = deposit_status(s, at(DAY, "10:10:01"))
    assert d.outcome == "lapsed" and d.data["release_unit"] is True
    assert subscription_is_live(s, t("10:05")) and not subscription_is_live(s, t("10:11"))


def test_cli12_withdrawal_and_refund_need_manager_and_are_announced():
    # clauses: CLI-12.4
    s = sub(paid="10:05")
    assert not check_withdrawal(s, 9, {"supervisor"}).allowed
    d = check_withdrawal(s, 9, {"manager"}, "refund")
    assert d.outcome == "refunded" and d.data["announce_to_all"] is True
    assert not check_withdrawal(sub(status="withdrawn"), 9, {"manager"}).allowed
    # SYS-01: the reason names the manager by name and the unit by its code
    named = check_withdrawal(s, 9, {"manager"}, names={9: "王经理 Wang (manager)"})
    assert named.reason == ("withdrawal of subscription 1 approved by manager 王经理 Wang "
                            "(manager); unit 8-1201 released and announced to all staff")
    assert "approved by manager #9;" in d.reason                     # not in the replica


def test_cli12_voided_forms_go_to_clerk_never_destroyed():
    # clauses: CLI-12.6
    assert not void_form(sub(), 5, {"consultant"}).allowed
    d = void_form(sub(), 5, {"clerk"})
    assert d.allowed and d.data["keep"] is True
    assert void_form(sub(), 5, {"clerk"}, {5: "钱内业"}).reason.endswith(
        "handed to clerk 钱内业 and kept")


def test_cli12_deal_credit_to_owner_as_attributed_at_signing():
    # clauses: CLI-12.7
    d = deal_credit(owned(A), A, days_later(5))
    assert d.rule == "CLI-12" and d.data["credit_split"] == [{"person_id": A, "percent": 100.0}]
    # B closes A's live, followed-up customer: credit still A's (B was on duty).
    assert deal_credit(owned(A), B, days_later(5)).data["credit_split"][0]["person_id"] == A
    assert deal_credit(None, B, t("12:00")).data["credit_split"][0]["person_id"] == B
    assert deal_credit(owned(A), B, days_later(91)).outcome == "closer"


# ------------------------------------------------------------------ CLI-13

def entry(consultant, media, when):
    return {"consultant_id": consultant, "media_source": media, "at": when}


CALLS = [entry(A, "wechat", t("09:00")), entry(A, "wechat", t("09:30")),
         entry(A, "billboard", t("10:00")), entry(B, "wechat", days_later(31))]
VISITS = [entry(A, "wechat", t("11:00")), entry(A, "billboard", t("12:00")),
          entry(B, "wechat", days_later(31)), entry(B, None, days_later(32))]
DEALS = [entry(A, "wechat", days_later(1))]


def rows(d):
    return {r["key"]: r for r in d.data["rows"]}


def test_cli13_conversion_per_consultant_with_targets():
    # clauses: CLI-13.4
    d = conversion_figures(CALLS, VISITS, DEALS, by="consultant", targets={A: 2, B: 1, C: 1})
    r = rows(d)
    assert d.rule == "CLI-13"
    assert (r[A]["calls"], r[A]["visits"], r[A]["deals"]) == (3, 2, 1)
    assert r[A]["call_to_visit"] == 0.6667 and r[A]["visit_to_deal"] == 0.5
    assert r[A]["target_achievement"] == 0.5 and r[B]["target_achievement"] == 0.0
    assert r[C]["call_to_visit"] is None and r[C]["target"] == 1
    assert d.data["totals"]["calls"] == 4 and d.data["totals"]["visits"] == 4


def test_cli13_conversion_per_media_source_and_period():
    # clauses: CLI-13.3
    r = rows(conversion_figures(CALLS, VISITS, DEALS, by="media_source"))
    assert r["wechat"]["calls"] == 3 and r["wechat"]["visits"] == 2
    assert r["unknown"]["visits"] == 1
    r = rows(conversion_figures(CALLS, VISITS, DEALS, by="period", period="month"))
    assert set(r) == {"2026-03", "2026-04"} and r["2026-04"]["visits"] == 2
    assert period_label(date(2026, 3, 2), "week") == "2026-W10"
    # 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai (SYS-04)
    assert period_label(datetime(2026, 3, 1, 20, tzinfo=timezone.utc), "day") == "2026-03-02"
    with pytest.raises(ValueError):
        conversion_figures([], [], [], by="weather")




# ------------------------------------------------------------------ CLI-14

def test_cli14_mask_phone():
    # clauses: CLI-14.2
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138 1234 1234") == "138****1234"
    assert mask_phone(None) is None


@pytest.mark.parametrize("viewer,roles,full", [(A, {"consultant"}, True),
                                               (B, {"consultant"}, False),
                                               (9, {"supervisor"}, True),
                                               (9, {"manager"}, True),
                                               (9, {"clerk", "receptionist"}, False),
                                               (7, {"channel_agent"}, False)])
def test_cli14_full_phone_only_for_owner_supervisor_manager(viewer, roles, full):
    # clauses: CLI-14.1
    d = may_see_full_phone(viewer, roles, owner_id=A)
    assert d.rule == "CLI-14" and d.allowed is full


def test_cli14_customer_view_masks_phone():
    # clauses: CLI-14.2
    customer = {"id": 42, "name": "王伟", "phone": "13812341234", "owner_id": A}
    assert customer_view(customer, B, {"consultant"})["phone"] == "138****1234"
    assert customer_view(customer, A, {"consultant"})["phone"] == "13812341234"
    assert customer_view(customer, B, {"consultant"})["phone_masked"] is True
    assert customer["phone"] == "13812341234"   # the input is not changed




# ------------------------------------------------------------------ REC-07 / REC-11 / SYS-01

def test_rec07_lookup_tells_reception_whether_owner_is_live():
    # clauses: CLI-09.4
    # reception passes owner_id/protection_live from this lookup (REC-07 uses CLI-02/CLI-03)
    assert protection_status(owned(A), days_later(30)).data == {
        **protection_status(owned(A), days_later(30)).data, "owner_id": A, "live": True}
    assert protection_status(None, t("10:00")).data["live"] is False


def test_rec11_change_split_matches_reception_shape():
    d = change_consultant(owned(A), B, t("11:00")).decision
    assert all(set(x) == {"person_id", "percent"} for x in d.data["credit_split"])


def test_sys01_every_decision_cites_a_cli_rule_with_a_reason():
    # clauses: CLI-11.3
    decisions = [check_phone("x"), first_contact(None, Contact(A, t("10:00"))).decision,
                 protection_status(owned(A), t("10:00")), attribute([report(1, 7, 29)]),
                 check_poaching(owned(A), B, t("11:00")), deposit_status(sub(), t("10:20")),
                 may_see_full_phone(B, {"consultant"}, A),
                 conversion_figures(CALLS, VISITS, DEALS)]
    for d in decisions:
        assert d.rule.startswith("CLI-") and d.reason and d.as_dict()["rule"] == d.rule
    assert "29 min" in decisions[3].reason and "30 min required" in decisions[3].reason


def test_cli07_before_any_visit_the_owner_keeps_the_credit_not_the_named_consultant():
    pre_registration_claim = rules.pre_registration_claim
    # helper-found: the refusal named the referral's own consultant as the one keeping it
    talk = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    claim = pre_registration_claim("staff_referral", 1, talk, consultant_id=8, owner_id=9,
                                   price_talk_at=talk, names={9: "张伟 Zhang Wei"})
    assert "receiving consultant 张伟 Zhang Wei keeps the credit" in claim.decision.reason
    unnamed = pre_registration_claim("staff_referral", 1, talk, consultant_id=8, owner_id=9,
                                     price_talk_at=talk)      # nobody by that id in the replica
    assert "receiving consultant #9 keeps the credit" in unnamed.decision.reason
    nobody = pre_registration_claim("staff_referral", 1, talk, consultant_id=8,
                                    phone_only=True, names={8: "李娜 Li Na"})
    assert nobody.status == "awaiting_evidence"
    assert "the consultant who receives the customer keeps the credit" in \
        nobody.decision.reason and "李娜 Li Na keeps" not in nobody.decision.reason
