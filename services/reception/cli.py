"""Reception admin CLI: the day's sheet, receptions and calls, straight from this service's
database (read-only; changes go through the API so that rules, events and "why" apply)."""
import sys
from datetime import date

from sqlalchemy import select

from services.common import cli
from services.common.timeutil import business_day, utcnow

from .models import KIT, Call, DaySheet, ProjectZone, Reception, SheetEntry

STATE_ZH = {"free": "空闲", "receiving": "接待中", "lunch": "午餐", "official_business": "公务",
            "away": "离岗", "away_announced": "暂离", "passing": "放弃站位",
            "suspended": "停接", "off_duty": "下班"}


def _day(s, args):
    if args.day:
        return date.fromisoformat(args.day)
    zone = s.get(ProjectZone, args.project_id)
    return business_day(utcnow(), zone.timezone if zone else None)


def show_sheet(args):
    from . import rules
    from .service import rule_entry
    with cli.session("reception", KIT) as s:
        day = _day(s, args)
        sheet = s.scalar(select(DaySheet).where(DaySheet.project_id == args.project_id,
                                                DaySheet.day == day))
        if sheet is None:
            print(f"project {args.project_id}, {day}: no sheet (nobody signed in)")
            return
        entries = list(s.scalars(select(SheetEntry).where(SheetEntry.sheet_id == sheet.id)))
        now = utcnow() if day == business_day(utcnow()) else None
        order = rules.rotation_order([rule_entry(e) for e in entries], now)
        places = {e.person_id: i for i, e in enumerate(order, 1)}
        print(f"轮序表 rotation sheet — project {args.project_id}, {day}")
        print(f"{'#':>3}  {'person':>6}  {'name':<24} {'marks':<8} state")
        ranked = sorted(entries, key=lambda e: (places.get(e.person_id, 10**6), e.marks,
                                                e.signin_seq))
        for e in ranked:
            place = places.get(e.person_id)
            state = e.state if e.state != "off_duty" else f"off_duty ({e.off_reason})"
            print(f"{place if place else '-':>3}  {e.person_id:>6}  {e.name:<24} "
                  f"{'∨' * e.marks or '0':<8} {STATE_ZH.get(e.state, '')} {state}")
        if sheet.notice:
            print(f"notice: {sheet.notice}")


def show_receptions(args):
    with cli.session("reception", KIT) as s:
        day = _day(s, args)
        rows = s.scalars(select(Reception).where(Reception.project_id == args.project_id,
                                                 Reception.day == day).order_by(Reception.id))
        print(f"receptions — project {args.project_id}, {day}")
        for r in rows:
            print(f"{r.id:>5}  person {r.person_id:>5}  {r.kind:<9} {r.status:<9} {r.rule}  "
                  f"{r.reason}")


def show_calls(args):
    with cli.session("reception", KIT) as s:
        day = _day(s, args)
        rows = s.scalars(select(Call).where(Call.project_id == args.project_id,
                                            Call.day == day).order_by(Call.id))
        print(f"calls — project {args.project_id}, {day}")
        for c in rows:
            print(f"{c.id:>5}  answered by {c.answered_by:>5}  {c.phone_masked or '-':<12} "
                  f"missing {','.join(c.missing) or '-'}  fine {c.fine}  "
                  f"sms {c.sms_status or 'not recorded'}")


def build():
    p, sub = cli.parser("reception", "Reception service admin: the rotation sheet, receptions "
                                     "and calls of a day (read-only).")
    for name, func, text in (("sheet", show_sheet, "print a day's rotation sheet in order "
                              "(REC-01)"),
                             ("receptions", show_receptions, "list a day's receptions with "
                              "their rule and reason"),
                             ("calls", show_calls, "list a day's registered calls (REC-12)")):
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument("--project-id", type=int, required=True, help="project id")
        c.add_argument("--day", help="business day YYYY-MM-DD (default: today, project-local)")
        c.set_defaults(func=func)
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
