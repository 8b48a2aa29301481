"""Reception (轮序接待): the day's rotation sheet, desk positions, walk-ins, receptions, passes,
desk status, refusals, change of consultant, calls and the board (REC-01…13).

Entrypoints stay thin: verify the caller, load, call the rule (rules.py), store, emit.
Every change to a day's sheet first locks that day's ``day_sheet`` row (an UPDATE of its
version, then ``SELECT … FOR UPDATE``), so N instances on one PostgreSQL assign walk-ins one at
a time from the current sheet; a partial unique index keeps a consultant to one open first-group
reception and a walk-in to one reception. Rule decisions are stored with ``why.record`` and the
events go to the outbox in the same transaction (SYS-01).
"""
import logging
from dataclasses import replace
from datetime import date

from nameko.events import event_handler
from nameko.rpc import RpcProxy
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from services.common import outbox, why
from services.common.clock import Clock
from services.common.db import Database, is_postgres
from services.common.decision import allow
from services.common.errors import Conflict, NotFound, Unprocessable, refused
from services.common.inbox import once
from services.common.rpc import call
from services.common.schemas import load
from services.common.service import ServiceKit, rpc
from services.common.timeutil import business_day, local, parse_instant

from . import rules, schemas
from .models import (KIT, Call, DaySheet, ProjectZone, Reception, SheetEntry, Staff,
                     Suspension, WalkIn)

log = logging.getLogger(__name__)

DESK_STAFF = ("receptionist", "supervisor", "manager")   # walk-ins, calls, desk status of others
LEADS = ("supervisor", "manager")                       # reorder, refusals, others' receptions
STATUS_RULES = {"lunch": "REC-10", "official_business": "REC-03", "away_announced": "REC-04",
                "away": "REC-04", "back": "REC-01"}
STATUS_WORDS = {"lunch": "goes to lunch", "official_business": "is out on official business (公务)",
                "away_announced": "announces a short absence to the next consultant",
                "away": "is not at the desk", "back": "is back at the desk"}
BUSY_RULES = {"receiving": "REC-03", "suspended": "REC-09", "off_duty": "REC-10"}




def _iso(value):
    return value.isoformat() if value is not None else None


def rule_entry(e):
    """The stored entry as the rules see it."""
    return rules.SheetEntry(
        person_id=e.person_id, name=e.name, signin_seq=e.signin_seq, marks=e.marks,
        state=e.state, pass_until=e.pass_until, last_finished_at=e.last_finished_at,
        received_today=e.received_today, receiving_kind=e.receiving_kind, groups=e.groups,
        suspended_until=e.suspended_until)


def reception_view(r, name=None):
    return {"id": r.id, "walk_in_id": r.walk_in_id, "person_id": r.person_id, "name": name,
            "kind": r.kind, "second_group": r.second_group, "customer_id": r.customer_id,
            "credit_owner_id": r.credit_owner_id, "status": r.status, "rule": r.rule,
            "reason": r.reason, "notice": r.notice, "day": r.day.isoformat(),
            "started_at": _iso(r.started_at), "completed_at": _iso(r.completed_at),
            "outcome": r.outcome, "floor_plans": r.floor_plans}


class ReceptionService(ServiceKit):
    name = "reception"
    db = Database(KIT)
    clock = Clock(KIT)
    clients = RpcProxy("clients")
    policy_defaults = rules.POLICY_DEFAULTS

    # ================================================================ attendance's events
    @event_handler("attendance", "project_created")
    @once
    def on_project_created(self, payload):
        project = payload.get("project") or {}
        if project.get("id") is None:
            return
        row = self.db.get(ProjectZone, project["id"])
        if row is None:
            self.db.add(ProjectZone(project_id=project["id"],
                                    timezone=project.get("timezone") or "Asia/Shanghai"))
        else:
            row.timezone = project.get("timezone") or row.timezone

    @event_handler("attendance", "staff_added")
    @once
    def on_staff_added(self, payload):
        self._upsert_staff(payload.get("person") or {})

    @event_handler("attendance", "roles_changed")
    @once
    def on_roles_changed(self, payload):
        self._upsert_staff(payload.get("person") or {})

    def _upsert_staff(self, person):
        if person.get("id") is None:
            return
        row = self.db.get(Staff, person["id"])
        if row is None:
            row = Staff(person_id=person["id"])
            self.db.add(row)
        row.project_id, row.name = person.get("project_id"), person.get("name") or ""
        row.roles, row.active = list(person.get("roles") or []), bool(person.get("active", True))
        if row.name:
            self.db.execute(update(SheetEntry).where(SheetEntry.person_id == row.person_id)
                            .values(name=row.name))

    @event_handler("attendance", "signed_in")
    @once
    def on_signed_in(self, payload):
        """ATT-06/REC-01: a valid sign-in puts the consultant on the day's sheet."""
        pid, day = payload["project_id"], date.fromisoformat(payload["day"])
        person_id, name = payload["person_id"], payload.get("name") or f"#{payload['person_id']}"
        at = parse_instant(payload["at"]) if payload.get("at") else self.clock.now()
        placed_last = bool(payload.get("placed_last"))
        sheet, entries = self._lock_sheet(pid, day, create=True)
        mine = next((e for e in entries if e.person_id == person_id), None)
        if mine is not None:
            if mine.state == "off_duty" and mine.off_reason == "leave":
                self._rejoin(sheet, entries, mine, "signed in again after leave")
            else:
                log.info("reception: %s already on the %s sheet; sign-in ignored", name, day)
            return
        suspended = self.db.scalar(select(func.max(Suspension.until_day)).where(
            Suspension.project_id == pid, Suspension.person_id == person_id,
            Suspension.until_day >= day))
        marks = rules.join_mark_count([rule_entry(e) for e in entries])
        ordered = sorted(entries, key=lambda e: e.signin_seq)
        slot = rules.sign_in_slot([(e.signed_in_at, e.placed_last) for e in ordered], at,
                                  placed_last)
        entry = SheetEntry(sheet_id=sheet.id, person_id=person_id, name=name, signin_seq=0,
                           marks=marks, state="free", signed_in_at=at, placed_last=placed_last,
                           clock_in_at=parse_instant(payload["clock_in_at"])
                           if payload.get("clock_in_at") else None,
                           suspended_until=suspended, groups=0, received_today=0)
        ordered.insert(slot, entry)
        for i, e in enumerate(ordered, 1):
            e.signin_seq = i
        self.db.add(entry)
        tz = self._tz(pid)
        how = ("placed after everyone who signed in correctly (ATT-06 视作最后签到)"
               if placed_last else f"signed in at {local(at, tz).strftime('%H:%M:%S')}")
        decision = allow("REC-01", f"{name} {how}: {rules.ordinal(slot + 1)} on the sheet with "
                         f"{marks} mark{'s' if marks != 1 else ''} (the highest count on the "
                         "sheet when joining)", "joined", person_id=person_id, marks=marks,
                         signin_seq=slot + 1, placed_last=placed_last)
        self._record(decision, sheet, actor_id=person_id)

    @event_handler("attendance", "clocked_out")
    @once
    def on_clocked_out(self, payload):
        """REC-10: a consultant who has clocked out may not be on the sheet."""
        self._take_off(payload, "clocked_out", "REC-10", "has clocked out: off the sheet")

    @event_handler("attendance", "eligibility_revoked")
    @once
    def on_eligibility_revoked(self, payload):
        """ATT-03 → REC-01: no reception for the rest of the day."""
        self._take_off(payload, "eligibility_revoked", "REC-01",
                       f"lost reception eligibility (ATT-03) until {payload.get('until')}: "
                       "off the sheet for the day")

    @event_handler("attendance", "leave_started")
    @once
    def on_leave_started(self, payload):
        self._take_off(payload, "leave", "REC-01",
                       f"is on {payload.get('leave_type') or ''} leave: off the sheet until back")

    @event_handler("attendance", "leave_ended")
    @once
    def on_leave_ended(self, payload):
        """REC-01: back from leave joins at the back of the current round."""
        sheet, entries = self._lock_sheet(payload["project_id"],
                                          date.fromisoformat(payload["day"]))
        mine = next((e for e in entries if e.person_id == payload["person_id"]), None)
        if mine is not None and mine.state == "off_duty" and mine.off_reason == "leave":
            self._rejoin(sheet, entries, mine, "back from leave")

    def _take_off(self, payload, why_off, rule, words):
        sheet, entries = self._lock_sheet(payload["project_id"],
                                          date.fromisoformat(payload["day"]))
        mine = next((e for e in entries if e.person_id == payload["person_id"]), None)
        if mine is None or (mine.state == "off_duty" and mine.off_reason == why_off):
            return
        mine.off_reason = why_off
        mine.state_since = self.clock.now()
        if mine.groups == 0:   # still receiving: leaves the sheet when the reception completes
            mine.state, mine.pass_until = "off_duty", None
        self._record(allow(rule, f"{mine.name} {words}", "off_sheet",
                           person_id=mine.person_id, why=why_off), sheet,
                     actor_id=mine.person_id)

    def _rejoin(self, sheet, entries, mine, words):
        others = [rule_entry(e) for e in entries if e.person_id != mine.person_id]
        _, decision = rules.join_sheet(others, mine.person_id, mine.name)
        mine.marks, mine.signin_seq = decision.data["marks"], decision.data["signin_seq"]
        mine.state, mine.off_reason, mine.state_detail = "free", None, None
        mine.state_since = self.clock.now()
        self._record(replace(decision, reason=f"{decision.reason} ({words})"), sheet,
                     actor_id=mine.person_id)

    # ================================================================ reads
    @rpc
    def sheet(self, token, project_id, query=None):
        """REC-01: the day's sheet in rotation order (everyone in the project may read it)."""
        self._caller(token, project_id)
        query = load(schemas.SheetQuery, query or {})
        tz = self._tz(project_id)
        now = self.clock.now()
        day = query.get("day") or business_day(now, tz)
        return self._sheet_view(project_id, day, now, tz)

    def _sheet_view(self, project_id, day, now, tz):
        sheet = self.db.scalar(select(DaySheet).where(DaySheet.project_id == project_id,
                                                      DaySheet.day == day))
        entries = self._entries(sheet) if sheet else []
        by_id = {e.person_id: e for e in entries}
        board = rules.board_view([rule_entry(e) for e in entries], now, self.policy(project_id),
                                 tz) if entries else {"marks": [], "desk": []}
        rows = [{"place": m["place"], "person_id": m["person_id"], "name": m["name"],
                 "marks": m["marks"], "state": m["state"],
                 "detail": by_id[m["person_id"]].state_detail,
                 "signin_seq": by_id[m["person_id"]].signin_seq,
                 "signed_in_at": _iso(by_id[m["person_id"]].signed_in_at),
                 "suspended_until": _iso(by_id[m["person_id"]].suspended_until)}
                for m in board["marks"]]
        off = [e for e in entries if e.state == "off_duty"]
        rows += [{"place": None, "person_id": e.person_id, "name": e.name, "marks": e.marks,
                  "state": "off_duty", "detail": e.off_reason, "signin_seq": e.signin_seq,
                  "signed_in_at": _iso(e.signed_in_at),
                  "suspended_until": _iso(e.suspended_until)}
                 for e in sorted(off, key=lambda e: e.signin_seq)]
        return {"project_id": project_id, "day": day.isoformat(), "entries": rows,
                "desk": board["desk"], "notice": sheet.notice if sheet else None}

    @rpc
    def board(self, token, project_id):
        """REC-13: desk positions 1–3, the rotation with marks, who is receiving, at lunch, on
        official business, passing, suspended — the shape gateway/static/board.html draws."""
        self._caller(token, project_id)
        tz = self._tz(project_id)
        now = self.clock.now()
        day = business_day(now, tz)
        sheet = self.db.scalar(select(DaySheet).where(DaySheet.project_id == project_id,
                                                      DaySheet.day == day))
        entries = self._entries(sheet) if sheet else []
        view = rules.board_view([rule_entry(e) for e in entries], now, self.policy(project_id),
                                tz)
        by_id = {e.person_id: e for e in entries}
        marks = {m["person_id"]: m["marks"] for m in view["marks"]}

        def detail(person_id, state):
            e = by_id[person_id]
            since = local(e.state_since, tz).strftime("%H:%M") if e.state_since else None
            if state == "receiving":
                kinds = {"turn": "轮序 turn", "returning": "老客户 returning",
                         "duty": "义务接待 duty", "non_turn": "非轮序 non-turn"}
                text = kinds.get(e.receiving_kind, e.receiving_kind or "")
                if e.groups > 1:
                    text += f" ×{e.groups}"
                return f"{text} · {since}" if since else text
            if state == "passing" and e.pass_until:
                return f"至 until {local(e.pass_until, tz).strftime('%H:%M')}"
            if state == "suspended" and e.suspended_until:
                return f"至 until {e.suspended_until.isoformat()}"
            bits = [b for b in (e.state_detail, since and f"since {since}") if b]
            return " · ".join(bits) or None

        def people(state):
            return [{"person_id": p["person_id"], "name": p["name"],
                     "detail": detail(p["person_id"], state)} for p in view[state]]

        return {"project_id": project_id, "day": view["day"], "at": view["at"],
                "desk": [dict(d, marks=marks.get(d["person_id"], 0)) for d in view["desk"]],
                "rotation": [{"person_id": m["person_id"], "name": m["name"],
                              "marks": m["marks"], "state": m["state"], "place": m["place"]}
                             for m in view["marks"]],
                "receiving": people("receiving"), "lunch": people("lunch"),
                "official_business": people("official_business"),
                "passing": people("passing"), "suspended": people("suspended"),
                "notice": sheet.notice if sheet else None}

    @rpc
    def list_receptions(self, token, project_id, query=None):
        self._caller(token, project_id)
        query = load(schemas.SheetQuery, query or {})
        day = query.get("day") or business_day(self.clock.now(), self._tz(project_id))
        rows = self.db.scalars(select(Reception).where(Reception.project_id == project_id,
                                                       Reception.day == day)
                               .order_by(Reception.id)).all()
        names = self._names(project_id, [r.person_id for r in rows])
        return [reception_view(r, names.get(r.person_id)) for r in rows]

    @rpc
    def get_reception(self, token, project_id, reception_id):
        self._caller(token, project_id)
        rec = self._reception(project_id, reception_id)
        return reception_view(rec, self._names(project_id, [rec.person_id]).get(rec.person_id))

    # ================================================================ the sheet
    @rpc
    def reorder_sheet(self, token, project_id, payload):
        """REC-01 指定顺序: a supervisor or manager sets the order with a reason (recorded)."""
        caller = self._caller(token, project_id).require(*LEADS, action="reorder the sheet")
        data = load(schemas.ReorderIn, payload)
        now, tz = self.clock.now(), self._tz(project_id)
        sheet, entries = self._lock_sheet(project_id, business_day(now, tz), fresh=True)
        if sheet is None:
            raise NotFound("nobody has signed in today: no sheet to reorder", rule="REC-01")
        on = [e for e in entries if e.state != "off_duty"]
        decision = rules.reorder_sheet([rule_entry(e) for e in on], data["order"],
                                       caller.name or f"#{caller.person_id}", caller.roles,
                                       data["reason"])
        if not decision.allowed:
            refused(decision, field="order" if decision.outcome == "bad_order" else "reason")
        seq = {int(p): s for p, s in decision.data["signin_seq"].items()}
        for e in on:
            e.signin_seq = seq[e.person_id]
        for i, e in enumerate(sorted((e for e in entries if e.state == "off_duty"),
                                     key=lambda e: e.signin_seq), len(on) + 1):
            e.signin_seq = i
        self._record(decision, sheet, actor_id=caller.person_id)
        self.db.commit()
        return self._sheet_view(project_id, sheet.day, now, tz)

    # ================================================================ walk-ins (REC-02/03/04/07/08)
    @rpc
    def register_walk_in(self, token, project_id, payload):
        """A walk-in: the owner lookup (REC-07/CLI-02), then the assignment by the rules."""
        caller = self._caller(token, project_id).require(*DESK_STAFF,
                                                         action="register a walk-in")
        data = load(schemas.WalkInIn, payload)
        owner, customer_id, masked = None, None, None
        if data.get("phone"):
            owner = call(self.clients, "owner_of", self.auth.service_token(), project_id,
                         data["phone"])
            customer_id = owner.get("customer_id")
            masked = owner.get("phone_masked") or rules.mask_phone(data["phone"])
            if customer_id is None:
                customer_id = self._register_customer(project_id, data["phone"],
                                                      data.get("name"), "walk_in")
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        policy = self.policy(project_id)
        sheet, entries = self._lock_sheet(project_id, day, fresh=True)
        if not entries:
            raise Conflict("nobody has signed in today: no sheet to assign from (REC-01 no "
                           "sign-in, no reception)", rule="REC-01")
        owner_id = owner.get("owner_id") if owner else None
        assignment = rules.assign_walk_in(
            [rule_entry(e) for e in entries], now, policy, owner_id=owner_id,
            protection_live=bool(owner and owner.get("protection_live")),
            visit_kind=data["visit_kind"], tz=tz)
        decision = assignment.decision
        if not decision.allowed:
            refused(decision, error=Conflict)
        walk = WalkIn(project_id=project_id, day=day, visit_kind=data["visit_kind"],
                      customer_name=data.get("name"), phone_masked=masked,
                      customer_id=customer_id, owner_id=owner_id,
                      protection_live=bool(owner and owner.get("protection_live")),
                      note=data.get("note"), registered_by=caller.person_id, at=now)
        self.db.add(walk)
        self.db.flush()
        by_id = {e.person_id: e for e in entries}
        actor = caller.as_actor()
        for skip in assignment.skipped:
            e = by_id[skip.data["person_id"]]
            delta = skip.data.get("marks_delta", 0)
            if delta:
                e.marks += delta
                outbox.emit(self.db, "turn_forfeited", now=now, project_id=project_id,
                            actor=actor, rule=skip.rule, reason=skip.reason,
                            person_id=e.person_id, day=day.isoformat(), why=skip.outcome,
                            state=skip.data.get("state"), walk_in_id=walk.id)
            why.record(self.db, skip, subject_type="walk_in", subject_id=walk.id, now=now,
                       project_id=project_id, actor_id=caller.person_id)
        taker = by_id[decision.data["person_id"]]
        kind = decision.data["kind"]
        if taker.groups == 0:
            taker.receiving_kind = kind
            taker.state_since = now
        taker.groups += 1
        taker.state, taker.pass_until, taker.state_detail = "receiving", None, None
        taker.received_today += 1
        notice = assignment.notice
        rec = Reception(project_id=project_id, day=day, walk_in_id=walk.id,
                        person_id=taker.person_id, kind=kind,
                        second_group=bool(decision.data.get("second_group")),
                        customer_id=customer_id,
                        credit_owner_id=decision.data.get("credit_owner_id"),
                        marks_delta=decision.data.get("marks_delta", 0), status="open",
                        rule=decision.rule, reason=decision.reason,
                        notice=notice.reason if notice else None, started_at=now)
        self.db.add(rec)
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"{taker.name} already has an open reception (REC-03: one group at "
                           "a time)", rule="REC-03")
        why.record(self.db, decision, subject_type="walk_in", subject_id=walk.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        if notice:
            sheet.notice = notice.reason
            why.record(self.db, notice, subject_type="walk_in", subject_id=walk.id, now=now,
                       project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "reception_started", now=now, project_id=project_id, actor=actor,
                    rule=decision.rule, reason=decision.reason, reception_id=rec.id,
                    walk_in_id=walk.id, person_id=taker.person_id, customer_id=customer_id,
                    kind=kind, marks_delta=rec.marks_delta, second_group=rec.second_group,
                    credit_owner_id=rec.credit_owner_id, day=day.isoformat())
        self.db.commit()
        return {"walk_in_id": walk.id, "phone_masked": masked,
                "reception": reception_view(rec, taker.name),
                "decisions": [d.as_dict() for d in assignment.decisions],
                "owner": ({k: owner.get(k) for k in ("customer_id", "owner_id", "owner_name",
                                                     "protection_live", "rule", "reason",
                                                     "phone_masked")} if owner else None)}

    def _register_customer(self, project_id, phone, name, source):
        """clients' ``register_customer``: its customer id, or None while clients is down or
        refuses — the walk-in is never held up by it."""
        try:
            answer = call(self.clients, "register_customer", self.auth.service_token(),
                          project_id, phone, name, source, timeout=3)
            return answer.get("customer_id") if isinstance(answer, dict) else None
        except Exception as exc:  # timeout, refusal: no id, the walk-in goes on
            log.info("reception: register_customer unavailable (%s); customer_id None", exc)
            return None

    # ================================================================ receptions (REC-06)
    @rpc
    def complete_reception(self, token, project_id, reception_id, payload):
        """REC-06: the customer left — outcome, floor plans handed out; back in the rotation."""
        caller = self._caller(token, project_id)
        data = load(schemas.CompleteIn, payload)
        rec = self._reception(project_id, reception_id)
        caller.require_self(rec.person_id, *LEADS, action="complete someone else's reception")
        if rec.status != "open":
            raise Conflict(f"reception {rec.id} is already completed", rule="REC-06",
                           field="reception_id")
        now = self.clock.now()
        sheet, entries = self._lock_sheet(project_id, rec.day, fresh=True)
        rec = self._reception(project_id, reception_id, populate=True)
        if rec.status != "open":
            raise Conflict(f"reception {rec.id} is already completed", rule="REC-06",
                           field="reception_id")
        entry = next(e for e in entries if e.person_id == rec.person_id)
        as_rules = replace(rule_entry(entry), state="receiving", groups=max(entry.groups, 1))
        decision = rules.complete_reception(as_rules, now, rec.kind, data["floor_plans"],
                                            data["outcome"], rec.credit_owner_id)
        if not decision.allowed:
            refused(decision, field="floor_plans")
        entry.marks += decision.data["marks_delta"]
        entry.groups = max(entry.groups - 1, 0)
        entry.last_finished_at = now
        if entry.groups == 0:
            entry.state = "off_duty" if entry.off_reason else "free"
            entry.receiving_kind, entry.state_since = None, now
        rec.status, rec.completed_at, rec.outcome = "completed", now, data["outcome"]
        rec.floor_plans = decision.data["floor_plans"]
        rec.visit_registered = data["visit_registered"]
        rec.credit_owner_id = decision.data["credit_owner_id"]
        why.record(self.db, decision, subject_type="reception", subject_id=rec.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "reception_completed", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=decision.rule, reason=decision.reason,
                    reception_id=rec.id, person_id=rec.person_id, customer_id=rec.customer_id,
                    credit_owner_id=rec.credit_owner_id, kind=rec.kind,
                    outcome=data["outcome"], floor_plans=rec.floor_plans,
                    visit_registered=rec.visit_registered, marks_delta=rec.marks_delta,
                    day=rec.day.isoformat())
        self.db.commit()
        return reception_view(rec, entry.name)

    # ================================================================ pass (REC-05) and status
    @rpc
    def voluntary_pass(self, token, project_id, payload):
        """REC-05: give up standing for at least the policy minutes: two marks at once."""
        caller = self._caller(token, project_id)
        data = load(schemas.PassIn, payload)
        person_id = data.get("person_id", caller.person_id)
        caller.require_self(person_id, *LEADS, action="pass for someone else")
        now, tz = self.clock.now(), self._tz(project_id)
        policy = self.policy(project_id)
        sheet, entries = self._lock_sheet(project_id, business_day(now, tz), fresh=True)
        entry = self._entry(entries, person_id)
        decision = rules.voluntary_pass(rule_entry(entry), now, data["minutes"], policy, tz)
        if not decision.allowed:
            refused(decision, error=Unprocessable if decision.outcome == "too_short"
                    else Conflict, field="minutes" if decision.outcome == "too_short" else None)
        entry.marks += decision.data["marks_delta"]
        entry.state, entry.pass_until = "passing", parse_instant(decision.data["pass_until"])
        entry.state_since, entry.state_detail = now, None
        self._record(decision, sheet, actor_id=caller.person_id)
        self.db.commit()
        return self._sheet_view(project_id, sheet.day, now, tz)

    @rpc
    def set_desk_status(self, token, project_id, person_id, payload):
        """Lunch (REC-10), official business (REC-03), away / announced short absence (REC-04),
        back at the desk. A consultant changes only their own; desk staff anyone's."""
        caller = self._caller(token, project_id)
        caller.require_self(person_id, *DESK_STAFF, action="change someone else's desk status")
        data = load(schemas.DeskStatusIn, payload)
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        sheet, entries = self._lock_sheet(project_id, day, fresh=True)
        entry = self._entry(entries, person_id)
        current = rules.effective_state(rule_entry(entry), now, day)
        wanted = data["state"]
        if current in BUSY_RULES:
            raise Conflict(f"{entry.name} is {current.replace('_', ' ')}: the desk status "
                           "cannot change now", rule=BUSY_RULES[current], field="state")
        if wanted == "back" and current == "free":
            return self._sheet_view(project_id, day, now, tz)
        entry.state = "free" if wanted == "back" else wanted
        entry.state_detail = None if wanted == "back" else data.get("detail")
        entry.state_since, entry.pass_until = now, None
        rule = STATUS_RULES[wanted]
        decision = allow(rule, f"{entry.name} {STATUS_WORDS[wanted]}"
                         + (f" ({data['detail']})" if data.get("detail") else ""),
                         "status_" + wanted, person_id=person_id, state=entry.state,
                         before=current)
        self._record(decision, sheet, actor_id=caller.person_id)
        self.db.commit()
        return self._sheet_view(project_id, day, now, tz)

    # ================================================================ refusals (REC-09)
    @rpc
    def record_refusal(self, token, project_id, payload):
        """REC-09: refusing to stand, picking customers or refusing with an excuse → suspended;
        attendance writes the ledger entry from ``refusal_recorded``."""
        caller = self._caller(token, project_id).require(*LEADS, action="record a refusal")
        data = load(schemas.RefusalIn, payload)
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        policy = self.policy(project_id)
        sheet, entries = self._lock_sheet(project_id, day, fresh=True)
        entry = next((e for e in entries if e.person_id == data["person_id"]), None)
        staff = self.db.get(Staff, data["person_id"])
        if entry is None and (staff is None or staff.project_id != project_id):
            raise NotFound(f"no consultant {data['person_id']} in this project",
                           field="person_id")
        name = entry.name if entry else staff.name
        decision = rules.suspension(name, data["kind"], caller.roles, now, policy, tz)
        if not decision.allowed:
            refused(decision, error=Conflict)
        until = date.fromisoformat(decision.data["suspended_until_day"])
        self.db.add(Suspension(project_id=project_id, person_id=data["person_id"],
                               kind=data["kind"], days=decision.data["days"], from_day=day,
                               until_day=until, recorded_by=caller.person_id,
                               note=data.get("note"), rule=decision.rule,
                               reason=decision.reason, at=now))
        if entry is not None:
            entry.suspended_until = max(filter(None, (entry.suspended_until, until)))
            self._record(decision, sheet, actor_id=caller.person_id)
        else:
            why.record(self.db, decision, subject_type="consultant",
                       subject_id=data["person_id"], now=now, project_id=project_id,
                       actor_id=caller.person_id)
        outbox.emit(self.db, "refusal_recorded", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=decision.rule, reason=decision.reason,
                    person_id=data["person_id"], day=day.isoformat(),
                    suspended_until_day=until.isoformat(), recorded_by=caller.person_id,
                    kind=data["kind"], days=decision.data["days"])
        self.db.commit()
        return {"person_id": data["person_id"], "name": name, "kind": data["kind"],
                "days": decision.data["days"], "suspended_until_day": until.isoformat(),
                "rule": decision.rule, "reason": decision.reason}

    # ================================================================ change of consultant
    @rpc
    def change_consultant(self, token, project_id, payload):
        """REC-11: at the customer's request a new consultant serves; clients splits credit."""
        caller = self._caller(token, project_id).require(*DESK_STAFF,
                                                         action="change a customer's consultant")
        data = load(schemas.ChangeConsultantIn, payload)
        names = self._names(project_id, [data["from_person_id"], data["to_person_id"]])
        for field in ("from_person_id", "to_person_id"):
            if data[field] not in names:
                raise NotFound(f"no consultant {data[field]} in this project", field=field)
        decision = rules.change_consultant(data["customer_id"], data["from_person_id"],
                                           names[data["from_person_id"]], data["to_person_id"],
                                           names[data["to_person_id"]])
        if not decision.allowed:
            refused(decision, field="to_person_id")
        now = self.clock.now()
        why.record(self.db, decision, subject_type="customer", subject_id=data["customer_id"],
                   now=now, project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "consultant_changed", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=decision.rule, reason=decision.reason,
                    customer_id=data["customer_id"], from_person_id=data["from_person_id"],
                    to_person_id=data["to_person_id"],
                    credit_split=decision.data["credit_split"])
        self.db.commit()
        return decision.as_dict()

    # ================================================================ calls (REC-12)
    @rpc
    def register_call(self, token, project_id, payload):
        """REC-12: every desk call is registered; blanks are missing entries (fined); the
        answerer owns a new caller (clients, from ``call_registered``)."""
        caller = self._caller(token, project_id)
        data = load(schemas.CallIn, payload)
        if not caller.has(*DESK_STAFF):
            caller.require("consultant", action="register a call")
            caller.require_self(data["answered_by"], action="register a call answered by "
                                "someone else")
        if data["answered_by"] not in self._names(project_id, [data["answered_by"]]):
            raise NotFound(f"no staff member {data['answered_by']} in this project",
                           field="answered_by")
        customer_id = (self._register_customer(project_id, data["phone"], data.get("caller"),
                                               "call") if data.get("phone") else None)
        self.db.commit()  # end the read before writing (the RPC above let other workers run)
        now, tz = self.clock.now(), self._tz(project_id)
        policy = self.policy(project_id)
        ended = parse_instant(data["ended_at"]) if data.get("ended_at") else now
        check = rules.check_call_registration(data, policy)
        row = Call(project_id=project_id, day=business_day(ended, tz),
                   caller=data.get("caller"), phone_masked=rules.mask_phone(data.get("phone")),
                   need=data.get("need"), how_heard=data.get("how_heard"),
                   media_source=data.get("media_source"), answered_by=data["answered_by"],
                   customer_id=customer_id, registered_by=caller.person_id, ended_at=ended,
                   missing=check.data["missing"], fine=check.data["fine"], rule=check.rule,
                   reason=check.reason, at=now)
        self.db.add(row)
        self.db.flush()
        why.record(self.db, check, subject_type="call", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "call_registered", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=check.rule, reason=check.reason,
                    call_id=row.id, customer_id=customer_id, answered_by=row.answered_by,
                    media_source=row.media_source, day=row.day.isoformat(),
                    missing=check.data["missing"], fine=check.data["fine"])
        self.db.commit()
        return self._call_view(row, now, policy)

    @rpc
    def record_sms(self, token, project_id, call_id, payload):
        """REC-12: the standard SMS within the policy minutes of the call."""
        caller = self._caller(token, project_id)
        data = load(schemas.SmsIn, payload)
        row = self.db.get(Call, call_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"no call {call_id}", field="call_id")
        caller.require_self(row.answered_by, *DESK_STAFF, action="record someone else's SMS")
        if row.sms_sent_at is not None:
            raise Conflict(f"the SMS for call {call_id} is already recorded", rule="REC-12")
        now = self.clock.now()
        policy = self.policy(project_id)
        sent = parse_instant(data["sent_at"]) if data.get("sent_at") else now
        if sent > now:
            raise Unprocessable("an SMS cannot be sent in the future", rule="REC-12",
                                field="sent_at")
        decision = rules.check_sms(row.ended_at, sent, now, policy)
        row.sms_sent_at, row.sms_status = sent, decision.outcome
        why.record(self.db, decision, subject_type="call", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return self._call_view(row, now, policy)

    @rpc
    def list_calls(self, token, project_id, query=None):
        self._caller(token, project_id)
        query = load(schemas.SheetQuery, query or {})
        now = self.clock.now()
        day = query.get("day") or business_day(now, self._tz(project_id))
        policy = self.policy(project_id)
        rows = self.db.scalars(select(Call).where(Call.project_id == project_id, Call.day == day)
                               .order_by(Call.id)).all()
        return [self._call_view(r, now, policy) for r in rows]

    def _call_view(self, row, now, policy):
        sms = rules.check_sms(row.ended_at, row.sms_sent_at, now, policy)
        return {"id": row.id, "day": row.day.isoformat(), "caller": row.caller,
                "phone_masked": row.phone_masked, "need": row.need, "how_heard": row.how_heard,
                "media_source": row.media_source, "answered_by": row.answered_by,
                "customer_id": row.customer_id, "missing": row.missing, "fine": row.fine,
                "ended_at": _iso(row.ended_at),
                "sms": {"status": sms.outcome, "rule": sms.rule, "reason": sms.reason,
                        "sent_at": _iso(row.sms_sent_at)}}

    # ================================================================ helpers
    def _tz(self, project_id):
        row = self.db.get(ProjectZone, project_id)
        return row.timezone if row else None

    def _names(self, project_id, person_ids):
        """Names of people of this project (from the staff directory events or a sheet)."""
        ids = set(person_ids)
        names = {s.person_id: s.name for s in self.db.scalars(
            select(Staff).where(Staff.person_id.in_(ids), Staff.project_id == project_id))}
        missing = ids - set(names)
        if missing:
            rows = self.db.execute(select(SheetEntry.person_id, SheetEntry.name)
                                   .join(DaySheet, DaySheet.id == SheetEntry.sheet_id)
                                   .where(DaySheet.project_id == project_id,
                                          SheetEntry.person_id.in_(missing))).all()
            names.update({r.person_id: r.name for r in rows})
        return names

    def _reception(self, project_id, reception_id, populate=False):
        query = select(Reception).where(Reception.id == reception_id)
        if populate:
            query = query.execution_options(populate_existing=True)
        rec = self.db.scalar(query)
        if rec is None or rec.project_id != project_id:
            raise NotFound(f"no reception {reception_id}", field="reception_id")
        return rec

    @staticmethod
    def _entry(entries, person_id):
        entry = next((e for e in entries if e.person_id == person_id), None)
        if entry is None:
            raise NotFound(f"consultant {person_id} is not on today's sheet (REC-01 no "
                           "sign-in, no reception)", rule="REC-01", field="person_id")
        return entry

    def _entries(self, sheet, populate=False):
        query = select(SheetEntry).where(SheetEntry.sheet_id == sheet.id)
        if populate:
            query = query.execution_options(populate_existing=True)
        return list(self.db.scalars(query))

    def _lock_sheet(self, project_id, day, create=False, fresh=False):
        """Lock the (project, day) sheet row for this transaction and load it with its entries.

        The UPDATE takes PostgreSQL's row lock (and SQLite's write lock) before anything is
        read, so every instance assigns from the newest sheet; ``fresh`` first ends a read-only
        transaction (SQLite would refuse to upgrade a stale read snapshot to a write)."""
        if fresh:
            self.db.commit()
        now = self.clock.now()
        bind = self.db.get_bind()
        if create:
            insert = pg_insert if is_postgres(bind) else sqlite_insert
            self.db.execute(insert(DaySheet).values(
                project_id=project_id, day=day, version=0, afternoon_done=False,
                created_at=now, updated_at=now).on_conflict_do_nothing(
                index_elements=["project_id", "day"]))
        locked = self.db.execute(update(DaySheet).where(DaySheet.project_id == project_id,
                                                        DaySheet.day == day)
                                 .values(version=DaySheet.version + 1, updated_at=now))
        if locked.rowcount == 0:
            return None, []
        sheet = self.db.scalar(select(DaySheet).where(DaySheet.project_id == project_id,
                                                      DaySheet.day == day)
                               .with_for_update()
                               .execution_options(populate_existing=True))
        entries = self._entries(sheet, populate=True)
        self._afternoon(sheet, entries, now)
        return sheet, entries

    def _afternoon(self, sheet, entries, now):
        """REC-10: once past noon on the sheet's own day, apply the afternoon policy once."""
        if sheet.afternoon_done or not entries:
            return
        tz = self._tz(sheet.project_id)
        if business_day(now, tz) != sheet.day:
            return
        decision = rules.afternoon_start([rule_entry(e) for e in entries], now,
                                         self.policy(sheet.project_id), tz)
        if not decision.allowed:
            return
        if decision.outcome == "fresh_round":
            for e in entries:
                e.marks = decision.data["marks"].get(str(e.person_id), e.marks)
        sheet.afternoon_done = True
        self._record(decision, sheet)

    def _record(self, decision, sheet, actor_id=None):
        """A decision about the day's sheet: "why" answers it under ``sheet/<project>-<day>``."""
        why.record(self.db, decision, subject_type="sheet",
                   subject_id=f"{sheet.project_id}-{sheet.day.isoformat()}",
                   now=self.clock.now(), project_id=sheet.project_id, actor_id=actor_id)
