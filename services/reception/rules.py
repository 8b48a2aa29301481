"""Reception rotation rules (REC-01..REC-13): plain data in, Decisions out. No I/O, no clock.

The day's sheet is a list of ``SheetEntry``. Order is by marks (∨), ties by ``signin_seq``
(sign-in order, ATT-06). A turn reception adds its mark on completion (REC-06); a forfeit
adds it at once (REC-04/REC-10); a pass adds two at once (REC-05). Everything else is no mark.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping, Sequence

from services.common.decision import Decision, allow, refuse
from services.common.policyspec import Key, PolicySpec, at_least, between, clock_time, one_of
from services.common.staffing import project_staff
from services.common.timeutil import business_day, local

from .constants import DUTY_CHOOSERS, NON_TURN_KINDS, VISIT_KINDS

POLICY = PolicySpec("reception", {
    "pass_min_minutes": Key(30, "REC-05", "shortest voluntary pass; a pass counts two marks",
                            at_least(1)),
    "duty_chooser": Key("last_finished", "REC-07", "who takes a duty reception when the owner "
                        "cannot: " + ", ".join(DUTY_CHOOSERS), one_of(*DUTY_CHOOSERS)),
    "short_absence_keeps_turn": Key(True, "REC-04", "an announced short absence keeps the turn"),
    "afternoon_resumes_morning_order": Key(True, "REC-10", "after noon the morning's marks "
                                           "carry on (false: a fresh round)"),
    "noon": Key("12:00", "REC-10", "when the afternoon starts (project-local HH:MM)",
                clock_time),
    "sms_deadline_minutes": Key(5, "REC-12", "minutes after a call's end for the standard SMS",
                                at_least(1)),
    "missing_call_entry_fine": Key(10, "REC-12", "fine per blank field of a call registration",
                                   at_least(0)),
    "sms_fault_fine": Key(10, "REC-12", "fine for a standard SMS sent late or never sent",
                          at_least(0)),
    "unregistered_call_fine": Key(10, "REC-12", "fine for a desk call never registered",
                                  at_least(0)),
    "suspension_days_supervisor": Key(1, "REC-09", "days of suspension a supervisor records",
                                      at_least(1)),
    "suspension_days_manager": Key(3, "REC-09", "days of suspension a manager records",
                                   at_least(1)),
    "suspension_days_excuse": Key(1, "REC-09", "days of suspension for refusing with an excuse",
                                  at_least(1)),
    "desk_positions": Key(3, "REC-02", "how many stand at the front desk", between(1, 10)),
})
policy_with_defaults = POLICY.with_defaults
POLICY_DEFAULTS: dict[str, Any] = POLICY.defaults

STATES = ("free", "receiving", "lunch", "official_business", "away_announced", "away",
          "passing", "suspended", "off_duty")
# In the rotation order (hold their place); only "free" can take a customer.
IN_ROTATION = frozenset({"free", "lunch", "official_business", "away_announced", "away"})
# States whose turn is skipped when it comes (REC-03/04/10).
SKIPPED_STATES = frozenset({"lunch", "official_business", "away_announced", "away"})
CALL_FIELDS = ("caller", "phone", "need", "how_heard", "answered_by")
MAX_GROUPS = 2   # REC-03: one group, and one unrelated second group when nobody else is free
LUNCH_ROUTE = "POST /v1/projects/<id>/lunch/start"
REORDER_ROLES = frozenset({"supervisor", "manager"})


@dataclass(frozen=True)
class SheetEntry:
    """One consultant on today's rotation sheet (轮序表)."""
    person_id: int
    name: str
    signin_seq: int                      # place on the sheet: sign-in order, reorder, rejoin
    marks: int = 0                       # ∨ on the sheet
    state: str = "free"
    pass_until: datetime | None = None   # REC-05, state "passing"
    last_finished_at: datetime | None = None  # REC-07 last_finished chooser, ATT-11
    received_today: int = 0              # receptions of any kind today (REC-07 last_two)
    receiving_kind: str | None = None    # while receiving: turn / returning / duty / non_turn
    groups: int = 0                      # groups being received now (REC-03 one at a time)
    suspended_until: date | None = None  # REC-09, last suspended business day (inclusive)
    off_reason: str | None = None        # off_duty: clocked_out / eligibility_revoked / leave
    lunch_pending: bool = False          # ATT-11 lunch started while receiving (REC-10)

    @property
    def key(self) -> tuple[int, int]:
        return (self.marks, self.signin_seq)


@dataclass(frozen=True)
class Assignment:
    """Who takes a walk-in (one Decision), whose turns were skipped on the way, the desk notice."""
    decision: Decision
    skipped: tuple[Decision, ...] = ()
    notice: Decision | None = None

    @property
    def person_id(self) -> int | None:
        return self.decision.data.get("person_id")

    @property
    def decisions(self) -> list[Decision]:
        return [*self.skipped, self.decision] + ([self.notice] if self.notice else [])


# ---------------------------------------------------------------- helpers

def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _marks(n: int) -> str:
    return f"{n} mark" if n == 1 else f"{n} marks"


def _hhmm(moment: datetime, tz: str | None = None) -> str:
    return local(moment, tz).strftime("%H:%M")


def effective_state(entry: SheetEntry, now: datetime | None = None,
                    day: date | None = None) -> str:
    """The state that matters now: an expired pass is free again, a live suspension wins."""
    if day is not None and entry.suspended_until is not None and day <= entry.suspended_until \
            and entry.state != "off_duty":
        return "suspended"
    if entry.state == "passing" and now is not None and entry.pass_until is not None \
            and now >= entry.pass_until:
        return "free"
    return entry.state


_STATE_WORDS = {"official_business": "on official business", "lunch": "at lunch",
                "away_announced": "briefly away (announced)", "off_duty": "off duty"}


def _day(now: datetime | None, tz: str | None) -> date | None:
    return business_day(now, tz) if now is not None else None


# ---------------------------------------------------------------- REC-01 sheet and order

def rotation_order(entries: Iterable[SheetEntry], now: datetime | None = None,
                   tz: str | None = None) -> list[SheetEntry]:
    """REC-01: consultants holding a place in the rotation, fewest marks first, ties by sign-in.

    Receiving, passing, suspended and off-duty consultants hold no place until they come back.
    """
    day = _day(now, tz)
    return sorted((e for e in entries if effective_state(e, now, day) in IN_ROTATION),
                  key=lambda e: e.key)


def join_mark_count(entries: Iterable[SheetEntry], exclude_person_id: int | None = None) -> int:
    """REC-01: a late joiner / returner starts at the highest count on the sheet (0 when empty)."""
    return max((e.marks for e in entries
                if e.state != "off_duty" and e.person_id != exclude_person_id), default=0)


def join_sheet(entries: Sequence[SheetEntry], person_id: int, name: str,
               signin_seq: int | None = None) -> tuple[SheetEntry, Decision]:
    """REC-01: put a late joiner or returner at the back of the current round."""
    others = [e for e in entries if e.person_id != person_id]
    marks = join_mark_count(others)
    back = max((e.signin_seq for e in others), default=0) + 1
    seq = back if signin_seq is None else max(signin_seq, back)
    entry = SheetEntry(person_id=person_id, name=name, signin_seq=seq, marks=marks)
    return entry, allow("REC-01", f"{name} joins at the back of the current round with "
                        f"{_marks(marks)} (the highest count on the sheet)", "joined",
                        person_id=person_id, marks=marks, signin_seq=seq)


def sheet_needed(entries: Sequence[SheetEntry], action: str) -> Decision:
    """REC-01 no sign-in, no reception: nothing is assigned from, or done to, an empty sheet."""
    if entries:
        return allow("REC-01", "the day's sheet has consultants on it", "sheet_open")
    return refuse("REC-01", f"nobody has signed in today: no sheet {action}", "no_sheet")


def on_sheet(entry: SheetEntry | None, person_id: int) -> Decision:
    """REC-01: only a consultant on today's sheet passes, changes desk status or receives."""
    if entry is not None:
        return allow("REC-01", f"{entry.name} is on today's sheet", "on_sheet",
                     person_id=person_id)
    return refuse("REC-01", f"consultant {person_id} is not on today's sheet (REC-01 no "
                  "sign-in, no reception)", "not_on_sheet", person_id=person_id)


def signed_in(entries: Sequence[SheetEntry], times: Sequence[tuple[datetime | None, bool]],
              person_id: int, name: str, at: datetime, placed_last: bool,
              tz: str | None = None) -> tuple[int, Decision]:
    """ATT-06/REC-01: a valid sign-in joins the sheet with the highest count on it, at the
    place ``sign_in_slot`` gives (``times`` are the sheet's ``(signed_in_at, placed_last)`` in
    sheet order). Returns that index and the Decision (data: marks, signin_seq)."""
    marks = join_mark_count(entries)
    slot = sign_in_slot(times, at, placed_last)
    how = ("placed after everyone who signed in correctly (ATT-06 视作最后签到)"
           if placed_last else f"signed in at {local(at, tz).strftime('%H:%M:%S')}")
    return slot, allow("REC-01", f"{name} {how}: {ordinal(slot + 1)} on the sheet with "
                       f"{_marks(marks)} (the highest count on the sheet when joining)",
                       "joined", person_id=person_id, marks=marks, signin_seq=slot + 1,
                       placed_last=placed_last)


def rejoin(entries: Sequence[SheetEntry], entry: SheetEntry, words: str) -> Decision | None:
    """REC-01: back from leave, a consultant rejoins at the back of the current round (data:
    marks, signin_seq). Anyone else already on the sheet keeps their place: None."""
    if entry.state != "off_duty" or entry.off_reason != "leave":
        return None
    _, decision = join_sheet(entries, entry.person_id, entry.name)
    return replace(decision, reason=f"{decision.reason} ({words})")


OFF_SHEET_RULES = {"clocked_out": "REC-10", "eligibility_revoked": "REC-01", "leave": "REC-01"}


def take_off_sheet(entry: SheetEntry | None, why_off: str, until: str | None = None,
                   leave_type: str | None = None) -> Decision | None:
    """REC-10 clocked out, REC-01 eligibility revoked (ATT-03) or on leave: off the sheet. One
    still receiving leaves when the reception completes (data: leaves_now). None when not on
    the sheet or already off for that reason."""
    if entry is None or (entry.state == "off_duty" and entry.off_reason == why_off):
        return None
    words = {"clocked_out": "has clocked out: off the sheet",
             "eligibility_revoked": f"lost reception eligibility (ATT-03) until {until}: off "
                                    "the sheet for the day",
             "leave": f"is on {leave_type or ''} leave: off the sheet until back"}[why_off]
    return allow(OFF_SHEET_RULES[why_off], f"{entry.name} {words}", "off_sheet",
                 person_id=entry.person_id, why=why_off, leaves_now=entry.groups == 0)


def reorder_sheet(entries: Sequence[SheetEntry], order: Sequence[int], by_name: str,
                  by_roles: Iterable[str], reason: str) -> Decision:
    """REC-01 指定顺序: a supervisor/manager sets the sheet order with a reason.

    The new order replaces the sign-in tie-break (signin_seq 1..n); marks are untouched.
    """
    roles = set(by_roles)
    if not roles & REORDER_ROLES:
        return refuse("REC-01", f"{by_name} is not a supervisor or manager and may not reorder "
                      "the sheet", "forbidden")
    if not (reason or "").strip():
        return refuse("REC-01", "a reorder of the sheet needs a reason", "reason_required")
    current = [e.person_id for e in sorted(entries, key=lambda e: e.signin_seq)]
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        return refuse("REC-01", "the new order must list every consultant on the sheet exactly "
                      "once", "bad_order", expected=current, given=list(order))
    names = {e.person_id: e.name for e in entries}
    return allow("REC-01", f"{by_name} reordered the sheet: {', '.join(names[p] for p in order)}"
                 f" — {reason.strip()}", "reordered", order=list(order), before=current,
                 signin_seq={str(p): i for i, p in enumerate(order, 1)},
                 by=by_name, why=reason.strip())


# ---------------------------------------------------------------- REC-02 desk

def _top(entries: Iterable[SheetEntry], n: int, now, tz) -> list[SheetEntry]:
    day = _day(now, tz)
    live = (e for e in entries if effective_state(e, now, day) in IN_ROTATION)
    return heapq.nsmallest(n, live, key=lambda e: e.key)  # O(n), not a full sort


def desk_notice(entries: Iterable[SheetEntry], receiver_id: int, now: datetime | None = None,
                policy: Mapping[str, Any] | None = None, tz: str | None = None
                ) -> Decision | None:
    """REC-02: when a desk consultant starts a reception, the last one left at the desk calls
    the next in order (first starts → third calls fourth). None when nobody is left to call
    or the receiver held no desk position. ``entries`` is the sheet before the start.

    Only someone at the desk can pass the word and only someone free can come: the notifier is
    the last *free* consultant left at the desk (the system itself when none is), and the one
    called is the first *free* consultant behind the desk (one at lunch, away or on official
    business is not called; their turn is skipped when it comes, REC-04/10)."""
    n = policy_with_defaults(policy)["desk_positions"]
    entries = list(entries)
    day = _day(now, tz)
    order = rotation_order(entries, now, tz)
    if receiver_id not in [e.person_id for e in order[:n]]:
        return None
    remaining = [e for e in order if e.person_id != receiver_id]
    free = {e.person_id for e in remaining if effective_state(e, now, day) == "free"}
    called = next((e for e in remaining[n - 1:] if e.person_id in free), None)
    if called is None:
        return None
    at_desk = [e for e in remaining[:n - 1] if e.person_id in free]
    notifier = at_desk[-1] if at_desk else None
    who = notifier.name if notifier else "The system (nobody free is left at the desk)"
    return allow("REC-02", f"{who} calls {called.name} to the desk as "
                 f"{ordinal(n)} reception", "desk_call",
                 notifier_id=notifier.person_id if notifier else None,
                 notifier=notifier.name if notifier else None, person_id=called.person_id,
                 name=called.name, position=n)


# ---------------------------------------------------------------- REC-03/04/10 walk-ins

def forfeit_turn(entry: SheetEntry, now: datetime, policy: Mapping[str, Any] | None = None,
                 tz: str | None = None) -> Decision:
    """The turn came to someone not free at the desk: forfeit (mark) or kept (no mark)."""
    p = policy_with_defaults(policy)
    state = effective_state(entry, now, business_day(now, tz))
    base = dict(person_id=entry.person_id, name=entry.name, state=state)
    if state == "official_business":
        return allow("REC-03", f"{entry.name} is on official business (公务): turn and place "
                     "kept, no mark", "turn_kept", marks_delta=0, **base)
    if state == "away_announced" and p["short_absence_keeps_turn"]:
        return allow("REC-04", f"{entry.name} announced a short absence beforehand: turn kept, "
                     "no mark", "turn_kept", marks_delta=0, **base)
    if state == "lunch":
        return allow("REC-10", f"{entry.name} is at lunch when the turn comes: skipped, counts "
                     "as used (1 mark), not made up", "forfeited", marks_delta=1, **base)
    return allow("REC-04", f"{entry.name} is not at the desk when the turn comes: forfeited "
                 "(1 mark), not made up", "forfeited", marks_delta=1, **base)


def _scan(entries: Sequence[SheetEntry], now: datetime, day: date):
    """One pass: effective state of each entry and the best free one."""
    states, best = [], None
    for e in entries:
        st = effective_state(e, now, day)
        states.append(st)
        if st == "free" and (best is None or e.key < best.key):
            best = e
    return states, best


def _second_group(entries, states, prefer: int | None = None) -> SheetEntry | None:
    """REC-03: nobody free → a consultant receiving one group takes an unrelated second one;
    nobody ever holds more than ``MAX_GROUPS`` (the database holds two slots, too)."""
    busy = [e for e, st in zip(entries, states) if st == "receiving" and e.groups < MAX_GROUPS]
    for e in busy:
        if e.person_id == prefer:
            return e
    return min(busy, key=lambda e: e.key, default=None)


def _nobody(rule: str) -> Assignment:
    return Assignment(refuse(rule, "nobody on the sheet is free, and everyone receiving already "
                             f"has {MAX_GROUPS} groups (REC-03: one unrelated second group at "
                             "most)", "nobody_available", marks_delta=0))


def sheet_snapshot(entries: Sequence[SheetEntry], now: datetime, day: date) -> dict:
    """SYS-01: the sheet as the assignment saw it — marks, state and sign-in order of everyone
    on it — stored in the assignment's decision so "why" shows what made it."""
    ordered = sorted(entries, key=lambda e: e.signin_seq)
    return {"marks": {str(e.person_id): e.marks for e in ordered},
            "states": {str(e.person_id): effective_state(e, now, day) for e in ordered},
            "sign_in_order": [e.person_id for e in ordered]}


def _with_snapshot(a: Assignment, entries, now, day) -> Assignment:
    if not a.decision.allowed:
        return a
    data = dict(a.decision.data, sheet=sheet_snapshot(entries, now, day))
    return replace(a, decision=replace(a.decision, data=data))


def assign_walk_in(entries: Sequence[SheetEntry], now: datetime,
                   policy: Mapping[str, Any] | None = None, *, owner_id: int | None = None,
                   protection_live: bool = False, visit_kind: str = "new",
                   tz: str | None = None, named_person_id: int | None = None) -> Assignment:
    """Who receives this walk-in (REC-03, REC-04, REC-07, REC-08, REC-10, CLI-08).

    ``owner_id``/``protection_live`` is the CLI-02/CLI-03 lookup. ``visit_kind`` is "new" or a
    REC-08 kind. ``named_person_id`` is the consultant the customer named on arrival (CLI-08).
    The Decision's data: person_id, name, kind, marks_delta (marks this reception counts,
    added on completion for a turn), credit_owner_id, second_group, and ``sheet`` (the marks,
    states and sign-in order it was decided on, SYS-01).
    """
    if visit_kind not in VISIT_KINDS:
        raise ValueError(f"visit_kind must be one of {', '.join(VISIT_KINDS)}")
    p = policy_with_defaults(policy)
    day = business_day(now, tz)
    return _with_snapshot(_assign(entries, now, day, p, tz, owner_id, protection_live,
                                  visit_kind, named_person_id), entries, now, day)


def _assign(entries, now, day, p, tz, owner_id, protection_live, visit_kind,
            named_person_id) -> Assignment:
    if visit_kind == "industry_peer":
        return _peer(entries, now, day, p, tz)
    owned = owner_id is not None and protection_live
    if owned or visit_kind in NON_TURN_KINDS:
        rule = "REC-08" if visit_kind in NON_TURN_KINDS else "REC-07"
        return _returning(entries, now, day, p, tz, owner_id, rule, visit_kind)
    if named_person_id is not None:
        return _named(entries, now, day, p, tz, named_person_id)
    note = " (owner's protection has lapsed, CLI-03)" if owner_id is not None else ""
    return _turn(entries, now, day, p, tz, note)


def _named(entries, now, day, p, tz, named_id) -> Assignment:
    """CLI-08 电转访: the consultant the customer named (called before, or identified from the
    SMS) is notified and receives when present and free — out of the rotation's order but
    counted as their turn (one mark on completion): a new customer is not one of REC-08's
    non-turns. Named but not free (or not on the sheet): the rotation takes the customer as
    usual, the named consultant is still notified (clients decides ownership, CLI-04/08)."""
    states, _ = _scan(entries, now, day)
    by_id = {e.person_id: (e, st) for e, st in zip(entries, states)}
    named, state = by_id.get(named_id, (None, None))
    if named is not None and state == "free":
        d = allow("CLI-08", f"the customer named {named.name} on arrival (电转访): {named.name} "
                  f"is notified and receives; counted as their turn ({_marks(named.marks)}, "
                  "+1 on completion)", "named_receives", person_id=named.person_id,
                  name=named.name, kind="turn", marks_delta=1, credit_owner_id=None,
                  second_group=False, named_person_id=named_id, notified=True)
        return Assignment(d, (), desk_notice(entries, named.person_id, now, p, tz))
    where = (f"{named.name} is {_STATE_WORDS.get(state, state)}" if named is not None
             else f"consultant {named_id} is not on today's sheet")
    a = _turn(entries, now, day, p, tz, f" (named {where}: notified, CLI-08)")
    if not a.decision.allowed:
        return a
    data = dict(a.decision.data, named_person_id=named_id, notified=True)
    return replace(a, decision=replace(a.decision, data=data))


def _turn(entries, now, day, p, tz, note="") -> Assignment:
    states, taker = _scan(entries, now, day)
    second = taker is None
    if second:
        taker = _second_group(entries, states)
        if taker is None:
            return _nobody("REC-03")
    ahead = sorted((e for e, st in zip(entries, states)
                    if st in SKIPPED_STATES and e.key < taker.key), key=lambda e: e.key)
    skipped = [forfeit_turn(e, now, p, tz) for e in ahead]
    skipped += [_made_up(e) for e, st in zip(entries, states)
                if st == "receiving" and e.receiving_kind == "duty" and e.key < taker.key
                and e.person_id != taker.person_id]
    if second:
        reason = (f"{taker.name} takes the walk-in as a second group: nobody else is free "
                  f"({_marks(taker.marks)})")
    else:
        pos = len(ahead) + 1
        reason = (f"{taker.name} takes the walk-in as {ordinal(pos)} in the rotation with "
                  f"{_marks(taker.marks)} (fewest of those free; signed in "
                  f"{ordinal(taker.signin_seq)})")
    if ahead:
        reason += "; passed over: " + ", ".join(f"{d.data['name']} ({d.outcome.replace('_', ' ')})"
                                                for d in skipped if d.rule != "REC-07")
    decision = allow("REC-03", reason + note, "assigned", person_id=taker.person_id,
                     name=taker.name, kind="turn", marks_delta=1, credit_owner_id=None,
                     second_group=second)
    notice = None if second else desk_notice(entries, taker.person_id, now, p, tz)
    return Assignment(decision, tuple(skipped), notice)


def _made_up(e: SheetEntry) -> Decision:
    return allow("REC-07", f"{e.name} misses the turn because of a duty reception: the turn is "
                 "made up (no mark; stays ahead)", "turn_made_up", person_id=e.person_id,
                 name=e.name, marks_delta=0, make_up=True)


def _returning(entries, now, day, p, tz, owner_id, rule, visit_kind) -> Assignment:
    """REC-07/REC-08: the owner receives when present and free, else a duty reception."""
    states, _ = _scan(entries, now, day)
    by_id = {e.person_id: (e, st) for e, st in zip(entries, states)}
    what = "a returning customer" if visit_kind == "new" else visit_kind.replace("_", " ")
    owner, owner_state = by_id.get(owner_id, (None, None))
    if owner is not None and owner_state in ("free", "passing"):
        d = allow(rule, f"{owner.name} receives their own {what}: not a turn, no mark",
                  "owner_receives", person_id=owner.person_id, name=owner.name,
                  kind="returning", marks_delta=0, credit_owner_id=owner_id, second_group=False)
        return Assignment(d, (), desk_notice(entries, owner.person_id, now, p, tz))
    free = [e for e, st in zip(entries, states) if st == "free"]
    taker, why = choose_duty(entries, free, p["duty_chooser"], tz)
    second = taker is None
    if second:
        taker = _second_group(entries, states, prefer=owner_id)
        why = "nobody else is free (second group, REC-03)"
        if taker is None:
            return _nobody(rule)
    absent = (f"owner {owner.name} is {_STATE_WORDS.get(owner_state, owner_state)}"
              if owner is not None
              else "the owner is not on the sheet" if owner_id is not None else "no owner")
    d = allow(rule, f"duty reception (义务接待) of {what} by {taker.name}: {why}; {absent}; "
              "not a turn, no mark; credit stays with the owner", "duty_reception",
              person_id=taker.person_id, name=taker.name, kind="duty", marks_delta=0,
              credit_owner_id=owner_id, second_group=second, chooser=p["duty_chooser"])
    notice = None if second else desk_notice(entries, taker.person_id, now, p, tz)
    return Assignment(d, (), notice)


def choose_duty(entries: Sequence[SheetEntry], free: Sequence[SheetEntry], chooser: str,
                tz: str | None = None) -> tuple[SheetEntry | None, str]:
    """REC-07 duty chooser (policy) among free consultants; falls back to the back of the round."""
    if not free:
        return None, "nobody free"
    if chooser == "head_of_rotation":
        e = min(free, key=lambda e: e.key)
        return e, f"head of the rotation ({_marks(e.marks)})"
    if chooser == "last_two_signed_in":
        unreceived = sorted((e for e in entries if e.received_today == 0
                             and e.state not in ("off_duty", "suspended")),
                            key=lambda e: e.signin_seq, reverse=True)[:2]
        free_ids = {e.person_id for e in free}
        for e in unreceived:
            if e.person_id in free_ids:
                return e, "one of the last two signed in who have not yet received"
    finished = [e for e in free if e.last_finished_at is not None]
    if finished:
        e = max(finished, key=lambda e: e.last_finished_at)
        return e, f"last to finish a reception (at {_hhmm(e.last_finished_at, tz)})"
    e = max(free, key=lambda e: e.key)
    return e, "at the back of the rotation (nobody free has finished a reception yet)"


def _peer(entries, now, day, p, tz) -> Assignment:
    """REC-08: industry peers (同行调研) go to the last consultant in order, who may not refuse."""
    states, _ = _scan(entries, now, day)
    free = [e for e, st in zip(entries, states) if st == "free"]
    taker = max(free, key=lambda e: e.key, default=None) or _second_group(entries, states)
    if taker is None:
        return _nobody("REC-08")
    d = allow("REC-08", f"industry peers (同行调研) are received by {taker.name}, the last "
              "consultant in the rotation, who may not refuse: not a turn, no mark",
              "non_turn", person_id=taker.person_id, name=taker.name, kind="non_turn",
              marks_delta=0, credit_owner_id=None, second_group=taker.state == "receiving",
              may_refuse=False)
    return Assignment(d, (), desk_notice(entries, taker.person_id, now, p, tz))


def one_group_at_a_time(name: str) -> Decision:
    """REC-03: the database found an open first-group reception already (a concurrent one)."""
    return refuse("REC-03", f"{name} already has an open reception (REC-03: one group at a "
                  "time)", "already_receiving")


# desk status a consultant (or the desk) sets: the rule it is under and how it reads
STATUS_RULES = {"lunch": "REC-10", "official_business": "REC-03", "away_announced": "REC-04",
                "away": "REC-04", "back": "REC-01"}
STATUS_WORDS = {"lunch": "goes to lunch", "official_business": "is out on official business (公务)",
                "away_announced": "announces a short absence to the next consultant",
                "away": "is not at the desk", "back": "is back at the desk"}
# states the desk status cannot change out of, and the rule that holds them
BUSY_RULES = {"receiving": "REC-03", "suspended": "REC-09", "off_duty": "REC-10"}


def desk_status(entry: SheetEntry, now: datetime, day: date, wanted: str,
                detail: str | None = None) -> Decision:
    """REC-03/04/10: lunch, official business, away (announced or not), back at the desk.
    data: state (the new stored state), detail, before; outcome "unchanged" when already there."""
    if wanted == "lunch":
        return refuse("ATT-11", f"lunch is started through attendance ({LUNCH_ROUTE}), which "
                      "keeps the lunch group and its order; the desk status cannot set it",
                      "lunch_through_attendance", person_id=entry.person_id)
    current = effective_state(entry, now, day)
    if current == "lunch" and wanted != "lunch":
        return refuse("ATT-11", f"{entry.name} is at lunch: lunch ends through attendance "
                      f"({LUNCH_ROUTE.replace('start', 'end')}), which records an overstay",
                      "lunch_through_attendance", person_id=entry.person_id)
    if current in BUSY_RULES:
        return refuse(BUSY_RULES[current], f"{entry.name} is {current.replace('_', ' ')}: the "
                      "desk status cannot change now", "busy", person_id=entry.person_id,
                      state=current)
    if wanted == "back" and current == "free":
        return allow("REC-01", f"{entry.name} is already at the desk", "unchanged",
                     person_id=entry.person_id, state="free", before=current, detail=None)
    back = wanted == "back"
    return allow(STATUS_RULES[wanted], f"{entry.name} {STATUS_WORDS[wanted]}"
                 + (f" ({detail})" if detail else ""), "status_" + wanted,
                 person_id=entry.person_id, state="free" if back else wanted, before=current,
                 detail=None if back else detail)


# ---------------------------------------------------------------- REC-10 lunch (ATT-11)

def lunch_started(entry: SheetEntry | None, at: datetime, due_back_at: datetime,
                  tz: str | None = None) -> Decision | None:
    """REC-10/ATT-11: attendance started the consultant's lunch: the desk state is lunch (the
    turn is skipped with a mark while away). None when not on the sheet or off duty. One
    receiving keeps receiving: the lunch shows once the reception completes (data: now)."""
    if entry is None or entry.state == "off_duty":
        return None
    receiving = entry.state == "receiving"
    when = f"from {_hhmm(at, tz)}, due back {_hhmm(due_back_at, tz)}"
    words = ("still receiving: at lunch once the reception completes" if receiving
             else "at lunch: a turn that comes is skipped (1 mark, not made up)")
    return allow("REC-10", f"{entry.name} goes to lunch (ATT-11) {when}; {words}",
                 "lunch_started", person_id=entry.person_id, now=not receiving,
                 at=at.isoformat(), due_back_at=due_back_at.isoformat())


def lunch_ended(entry: SheetEntry | None, at: datetime, overstay_minutes: int,
                tz: str | None = None) -> Decision | None:
    """REC-10/ATT-11: back from lunch (attendance): back at the desk in the rotation. None when
    not on the sheet or not at lunch any more."""
    if entry is None or entry.state not in ("lunch", "receiving"):
        return None
    over = (f", {overstay_minutes} min over (recorded by attendance)" if overstay_minutes
            else ", on time")
    return allow("REC-10", f"{entry.name} is back from lunch at {_hhmm(at, tz)}{over}: back "
                 "in the rotation", "lunch_ended", person_id=entry.person_id,
                 now=entry.state == "lunch", overstay_minutes=overstay_minutes)


# ---------------------------------------------------------------- ATT-06 dispute resolved

def sign_in_order_resolved(entries: Sequence[SheetEntry], order: Sequence[int],
                           dispute_id: int, decided_by: int | None) -> Decision | None:
    """ATT-06/REC-01: a supervisor resolved a sign-in dispute by clock-in times: the people in
    ``order`` who are on the sheet take the sheet places they held between them, in the
    resolved order (everyone else keeps theirs; marks untouched). data: signin_seq
    {person: place}. None when nothing changes."""
    on = {e.person_id: e for e in entries}
    people = [p for p in dict.fromkeys(order) if p in on]
    places = sorted(on[p].signin_seq for p in people)
    new = dict(zip(people, places))
    if all(on[p].signin_seq == new[p] for p in people):
        return None
    names = ", ".join(on[p].name for p in people)
    return allow("REC-01", f"sign-in dispute {dispute_id} resolved by clock-in times (ATT-06): "
                 f"the sheet's sign-in order is now {names}", "sign_in_order_changed",
                 dispute_id=dispute_id, decided_by=decided_by, order=people,
                 before=sorted(people, key=lambda p: on[p].signin_seq),
                 signin_seq={str(p): s for p, s in new.items()})


# ---------------------------------------------------------------- REC-05 pass

def voluntary_pass(entry: SheetEntry, now: datetime, minutes: int,
                   policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """REC-05: give up standing for at least the policy minutes; counts as two marks."""
    least = policy_with_defaults(policy)["pass_min_minutes"]
    state = effective_state(entry, now, business_day(now, tz))
    if state != "free":
        return refuse("REC-05", f"{entry.name} is {_STATE_WORDS.get(state, state)}, not "
                      "standing at the desk: nothing to pass", "not_at_desk",
                      person_id=entry.person_id)
    if minutes < least:
        return refuse("REC-05", f"a pass of {minutes} min is shorter than the {least} min "
                      "minimum", "too_short", person_id=entry.person_id, minutes=minutes,
                      minimum=least)
    until = now + timedelta(minutes=minutes)
    return allow("REC-05", f"{entry.name} passes for {minutes} min until {_hhmm(until, tz)}: "
                 f"counts as two receptions (2 marks, now {entry.marks + 2})", "passed",
                 person_id=entry.person_id, name=entry.name, marks_delta=2,
                 pass_until=until.isoformat(), minutes=minutes)


# ---------------------------------------------------------------- REC-06 completion

def complete_reception(entry: SheetEntry, now: datetime, kind: str = "turn",
                       floor_plans: Iterable[Mapping[str, Any]] = (), outcome: str = "",
                       credit_owner_id: int | None = None) -> Decision:
    """REC-06: the customer left: +1 mark for a turn (0 otherwise), back into the rotation,
    the reception outcome in data["result"] (Decision.outcome is "completed"),
    floor plans handed out listed (materials issues them, MAT-07)."""
    if entry.state != "receiving":
        return refuse("REC-06", f"{entry.name} is not receiving: nothing to complete",
                      "not_receiving", person_id=entry.person_id)
    plans = []
    for item in floor_plans:
        code, qty = str(item.get("code") or "").strip(), item.get("quantity")
        if not code or isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            return refuse("REC-06", f"floor plan entry {dict(item)!r} needs a code and a "
                          "positive whole quantity", "bad_floor_plans", person_id=entry.person_id)
        plans.append({"code": code, "quantity": qty})
    delta = 1 if kind == "turn" else 0
    state_after = ("receiving" if entry.groups > 1   # another group still with them
                   else "off_duty" if entry.off_reason
                   else "lunch" if entry.lunch_pending else "free")
    handed = ", ".join(f"{p['code']} ×{p['quantity']}" for p in plans) or "none"
    mark = f"+1 mark (now {entry.marks + 1})" if delta else f"no mark ({kind} reception)"
    return allow("REC-06", f"{entry.name} completed a reception: {mark}, back in the rotation; "
                 f"floor plans handed out: {handed}", "completed", person_id=entry.person_id,
                 name=entry.name, kind=kind, marks_delta=delta, floor_plans=plans,
                 result=outcome, state_after=state_after, last_finished_at=now.isoformat(),
                 credit_owner_id=credit_owner_id if credit_owner_id is not None
                 else entry.person_id)


def still_open(reception_id: int, status: str) -> Decision:
    """REC-06: a reception is completed once."""
    if status == "open":
        return allow("REC-06", f"reception {reception_id} is open", "open")
    return refuse("REC-06", f"reception {reception_id} is already completed",
                  "already_completed")


# ---------------------------------------------------------------- REC-09 suspension

def suspension(name: str, kind: str, recorder_roles: Iterable[str], now: datetime,
               policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """REC-09: refusal/picking → 1 day by a supervisor, 3 by a manager; excuse → 1 day.

    Starts at once and counts today as the first day; data carries the last suspended day.
    """
    p = policy_with_defaults(policy)
    roles = set(recorder_roles)
    if kind not in ("refusal", "picking", "excuse"):
        raise ValueError("kind must be refusal, picking or excuse")
    if not roles & REORDER_ROLES:
        return refuse("REC-09", "only a supervisor or manager records a refusal", "forbidden")
    if kind == "excuse":
        days, by = p["suspension_days_excuse"], "refusing a customer with an excuse"
    elif "manager" in roles:
        days, by = p["suspension_days_manager"], f"{kind} recorded by a manager"
    else:
        days, by = p["suspension_days_supervisor"], f"{kind} recorded by a supervisor"
    until = business_day(now, tz) + timedelta(days=days - 1)
    return allow("REC-09", f"{name} is suspended from receiving for {days} day"
                 f"{'s' if days != 1 else ''} ({by}) through {until.isoformat()}", "suspended",
                 kind=kind, days=days, suspended_until_day=until.isoformat())


# ---------------------------------------------------------------- REC-10 afternoon

def afternoon_start(entries: Sequence[SheetEntry], now: datetime,
                    policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """REC-10: after noon the afternoon resumes the morning's order (policy: marks carry on);
    with the policy off the afternoon is a fresh round: marks levelled, sign-in order decides."""
    p = policy_with_defaults(policy)
    if local(now, tz).time() < time.fromisoformat(p["noon"]):
        return refuse("REC-10", f"it is not yet {p['noon']}: still the morning", "morning")
    on_sheet = [e for e in entries if e.state != "off_duty"]
    if p["afternoon_resumes_morning_order"]:
        return allow("REC-10", f"after {p['noon']} the afternoon resumes the morning's order",
                     "resumed", marks={str(e.person_id): e.marks for e in on_sheet})
    top = join_mark_count(on_sheet)
    return allow("REC-10", f"after {p['noon']} the afternoon starts a fresh round: everyone at "
                 f"{_marks(top)}, sign-in order decides", "fresh_round",
                 marks={str(e.person_id): top for e in on_sheet})


# ---------------------------------------------------------------- REC-11 change of consultant

def change_consultant(customer_id: int, old_id: int, old_name: str, new_id: int,
                      new_name: str, new_share_percent: int = 50) -> Decision:
    """REC-11/CLI-10: at the customer's request the new consultant serves; credit split."""
    if old_id == new_id:
        return refuse("REC-11", f"{new_name} already serves this customer", "same_consultant")
    old_share = 100 - new_share_percent
    return allow("REC-11", f"at the customer's request {new_name} serves instead of {old_name}; "
                 f"deal credit split {old_share}:{new_share_percent}", "consultant_changed",
                 customer_id=customer_id, from_person_id=old_id, to_person_id=new_id,
                 credit_split=[{"person_id": old_id, "percent": old_share},
                               {"person_id": new_id, "percent": new_share_percent}])


# ---------------------------------------------------------------- REC-12 calls

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_call_registration(call: Mapping[str, Any],
                            policy: Mapping[str, Any] | None = None) -> Decision:
    """REC-12: caller, phone, need, how heard, answered by — each blank is a missing entry
    fined per policy (001 漏登 "每空10元"). Values never echoed (CLI-14)."""
    fine_each = policy_with_defaults(policy)["missing_call_entry_fine"]
    missing = [f for f in CALL_FIELDS if _blank(call.get(f))]
    if not missing:
        return allow("REC-12", "call registration complete", "complete", missing=[], fine=0)
    return refuse("REC-12", f"call registration misses {', '.join(missing)}: fine "
                  f"{fine_each} × {len(missing)} = {fine_each * len(missing)}", "incomplete",
                  missing=missing, fine=fine_each * len(missing))


def check_sms(call_ended_at: datetime, sms_sent_at: datetime | None, now: datetime,
              policy: Mapping[str, Any] | None = None) -> Decision:
    """REC-12: the standard SMS within 5 min (policy) of the call's end, the boundary included:
    4:59 and 5:00 are on time, 5:00.001 is late."""
    limit = policy_with_defaults(policy)["sms_deadline_minutes"]
    deadline = call_ended_at + timedelta(minutes=limit)
    if sms_sent_at is None:
        if now <= deadline:
            return allow("REC-12", f"SMS not sent yet; due within {limit} min", "pending",
                         deadline=deadline.isoformat())
        return refuse("REC-12", f"no SMS sent within {limit} min of the call", "missing",
                      deadline=deadline.isoformat())
    took = sms_sent_at - call_ended_at
    mins, secs = divmod(int(took.total_seconds()), 60)
    if sms_sent_at <= deadline:
        return allow("REC-12", f"SMS sent {mins}:{secs:02d} after the call (limit {limit} min)",
                     "on_time", seconds=took.total_seconds(), deadline=deadline.isoformat())
    return refuse("REC-12", f"SMS sent {mins}:{secs:02d} after the call, later than {limit} min",
                  "late", seconds=took.total_seconds(), took=f"{mins}:{secs:02d}",
                  deadline=deadline.isoformat())


def call_ended_gate(ended_at: datetime, now: datetime) -> Decision:
    """REC-12: a call is registered after it ended, never with an end in the future."""
    if ended_at > now:
        return refuse("REC-12", "a call cannot have ended in the future", "in_future")
    return allow("REC-12", "call ended before its registration", "ok")


FAULT_KINDS = ("missing_entry", "late_sms", "no_sms", "unregistered_call")


def call_fault(kind: str, person_id: int, name: str, policy: Mapping[str, Any] | None = None,
               missing: Sequence[str] = (), took: str | None = None) -> Decision | None:
    """REC-12 → ATT-10: the fined fault a call carries (data: kind, person_id, missing, fine);
    None when the fine is 0 (nothing for the ledger)."""
    p = policy_with_defaults(policy)
    if kind == "missing_entry":
        fine = p["missing_call_entry_fine"] * len(missing)
        what = f"missed {len(missing)} entr{'y' if len(missing) == 1 else 'ies'} " \
               f"({', '.join(missing)}) × {p['missing_call_entry_fine']}"
    elif kind in ("late_sms", "no_sms"):
        fine = p["sms_fault_fine"]
        what = (f"sent the standard SMS late ({took} after the call, limit "
                f"{p['sms_deadline_minutes']} min)" if kind == "late_sms"
                else f"sent no standard SMS within {p['sms_deadline_minutes']} min")
    elif kind == "unregistered_call":
        fine = p["unregistered_call_fine"]
        what = "answered a desk call and never registered it"
    else:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    if fine <= 0:
        return None
    return allow("REC-12", f"{name} {what}: fine {fine}", kind, kind=kind,
                 person_id=person_id, missing=list(missing), fine=fine)


def sms_overdue(call_ended_at: datetime, sms_sent_at: datetime | None, now: datetime,
                policy: Mapping[str, Any] | None = None) -> bool:
    """REC-12: the SMS deadline passed with no SMS (the timer records it once)."""
    return sms_sent_at is None and check_sms(call_ended_at, None, now, policy).outcome == "missing"


def sms_gate(call_id: int, sent_before: datetime | None, sent_at: datetime,
             now: datetime) -> Decision:
    """REC-12: one SMS per call, and not one sent in the future (``check_sms`` then says
    whether it was on time)."""
    if sent_before is not None:
        return refuse("REC-12", f"the SMS for call {call_id} is already recorded",
                      "already_recorded")
    if sent_at > now:
        return refuse("REC-12", "an SMS cannot be sent in the future", "in_future")
    return allow("REC-12", "SMS recorded", "recorded")


# ---------------------------------------------------------------- REC-13 board

def board_view(entries: Sequence[SheetEntry], now: datetime,
               policy: Mapping[str, Any] | None = None, tz: str | None = None) -> dict:
    """REC-13: the sheet as plain data for the front-desk board."""
    n = policy_with_defaults(policy)["desk_positions"]
    day = business_day(now, tz)
    shown = [(e, effective_state(e, now, day)) for e in entries if e.state != "off_duty"]
    state = {e.person_id: st for e, st in shown}
    order = [(e, state[e.person_id]) for e in rotation_order(entries, now, tz)]
    place = {e.person_id: i for i, (e, _) in enumerate(order, 1)}

    def people(state):
        return [{"person_id": e.person_id, "name": e.name}
                for e, st in sorted(shown, key=lambda x: x[0].key) if st == state]

    rest = sorted((x for x in shown if x[1] not in IN_ROTATION), key=lambda x: x[0].key)
    return {
        "at": now.isoformat(),
        "day": day.isoformat(),
        "desk": [{"position": i, "person_id": e.person_id, "name": e.name, "state": st}
                 for i, (e, st) in enumerate(order[:n], 1)],
        "receiving": people("receiving"),
        "lunch": people("lunch"),
        "official_business": people("official_business"),
        "passing": people("passing"),
        "suspended": people("suspended"),
        "marks": [{"person_id": e.person_id, "name": e.name, "marks": e.marks, "state": st,
                   "place": place.get(e.person_id)} for e, st in order + rest],
    }


# ---------------------------------------------------------------- ATT-06 / REC-01 sign-in place

def sign_in_slot(sheet: Sequence[tuple[datetime | None, bool]], at: datetime,
                 placed_last: bool) -> int:
    """ATT-06/REC-01: where a new valid sign-in goes on the sheet (an index into ``sheet``, the
    entries as ``(signed_in_at, placed_last)`` in sheet order).

    A "视作最后签到" sign-in (``placed_last``) goes to the very back. A correct sign-in goes
    behind everyone already on the sheet except those placed last, and ahead of any correct
    sign-in made later than it (an event delivered out of order still lands in sign-in order).
    """
    if placed_last:
        return len(sheet)
    for i, (other_at, other_last) in enumerate(sheet):
        if other_last or (other_at is not None and other_at > at):
            return i
    return len(sheet)


def named_consultant(person: Mapping[str, Any] | None, person_id: int,
                     project_id: int) -> Decision:
    """CLI-08: the consultant a customer names on arrival is an active consultant of the
    project (``person``: the directory's copy, or None)."""
    return project_staff({person_id: person}, project_id, field="named_person_id",
                         rule="CLI-08", role="consultant", what="consultant")


def named_staff(person: Mapping[str, Any] | None, person_id: int, project_id: int, *,
                field: str, rule: str, role: str = "consultant") -> Decision:
    """SYS-02 with ``rule``: a person a desk command names (the refused consultant, REC-09;
    the old and new consultant, REC-11; the answerer of a call, REC-12) is active staff of
    the project in ``role`` (``person``: the directory's copy). A consultant the directory has
    not heard of yet but who is on this project's sheet signed in as one (ATT-06): allowed."""
    if person is None:
        return allow(rule, f"{role} {person_id} signed in on this project's sheet", "staff")
    return project_staff({person_id: person}, project_id, field=field, rule=rule, role=role,
                         what=role)


# SYS-02: who reads the desk's records of customers (receptions, walk-ins, calls): the roles
# that receive, route and record customers; a channel agent is external (CLI-06) and a
# storekeeper keeps the store.
DESK_RECORD_READERS = frozenset({"consultant", "receptionist", "clerk", "supervisor",
                                 "manager"})
# SYS-01: the rotation sheet hangs on the office wall (REC-13): its reasons are everyone's
WHY_PUBLIC = frozenset({"sheet", "consultant_day"})
_DESK_SUBJECTS = frozenset({"walk_in", "reception", "call"})   # what the receptionist records
_PEOPLE_KEYS = ("person_id", "from_person_id", "to_person_id", "answered_by")


def why_visible(viewer_id: int | None, roles: Iterable[str], record: Mapping[str, Any],
                by_default: bool) -> bool:
    """SYS-01 with SYS-02 beyond the kit's default (``by_default``: leads all; anyone the
    records about themself; the public sheet): the receptionist reads the reasons of the
    walk-ins, receptions and calls the desk registers; a consultant reads the suspensions
    recorded against them (``consultant/<id>``, REC-09), the changes of consultant and the
    calls and faults that name them."""
    if by_default:
        return True
    subject = record.get("subject_type")
    if subject in _DESK_SUBJECTS and "receptionist" in set(roles or ()):
        return True
    if viewer_id is None:
        return False
    if subject == "consultant" and str(record.get("subject_id")) == str(viewer_id):
        return True
    data = record.get("data") or {}
    return any(str(data.get(key)) == str(viewer_id) for key in _PEOPLE_KEYS
               if data.get(key) is not None)


def mask_phone(phone: str | None) -> str | None:
    """CLI-14: 13812341234 → 138****1234 (digits only; short numbers keep their last 2)."""
    if not phone:
        return None
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):   # +86 mobile: the national number
        digits = digits[2:]
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 \
            else digits[:3] + "****"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


# -- the day close (issue 13): nothing stays open into the next business day --------------
# Which rule each state left open at the close belongs to.
CLOSE_RULES = {"receiving": "REC-06", "passing": "REC-05", "lunch": "REC-10",
               "official_business": "REC-04", "away_announced": "REC-04", "away": "REC-04"}


def reception_closed_by_day_close(reception_id: int, day: date) -> Decision:
    """REC-06: a reception never completed is closed by the day close: no outcome, no floor
    plans handed out, no mark (nobody saw the customer leave)."""
    return allow("REC-06", f"reception {reception_id} was still open when business day {day} "
                 "closed: closed by the day close, with no outcome and no mark",
                 outcome="closed_by_day_close", reception_id=reception_id, day=day.isoformat())


def desk_state_closed(entry: SheetEntry, day: date) -> Decision | None:
    """The state a consultant was left in (a pass, lunch, official business, away) ends with
    the day; None when there is nothing to close (free, already off duty, suspended)."""
    rule = CLOSE_RULES.get(entry.state)
    if rule is None:
        return None
    return allow(rule, f"{entry.name} was still {entry.state.replace('_', ' ')} when business "
                 f"day {day} closed: ended by the day close", outcome="closed_by_day_close",
                 person_id=entry.person_id, state=entry.state, day=day.isoformat())


# ---------------------------------------------------------------- REC-13 the TV board's logins

def display_created(name: str) -> Decision:
    """REC-13: a display login shows this project's board and nothing else."""
    return allow("REC-13", f"display '{name}' may show the board (read-only, until revoked)",
                 "display_created", name=name)


def display_revoked(name: str) -> Decision:
    return allow("REC-13", f"display '{name}' was revoked: its login stops at once",
                 "display_revoked", name=name)


def display_may_show(project_id: int, display: Mapping[str, Any] | None) -> Decision:
    """REC-13: a display login works while its display exists in this project, unrevoked."""
    if display is None or display["project_id"] != project_id:
        return refuse("REC-13", "this display login is unknown here", "unknown_display")
    if display["revoked_at"] is not None:
        return refuse("REC-13", f"display '{display['name']}' was revoked", "display_revoked")
    return allow("REC-13", f"display '{display['name']}' shows the board", "shows_board")
