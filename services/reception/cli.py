"""Reception admin CLI: the day's sheet, receptions and calls, asked of the running service
(as the API asks it, on the service's clock and in the project's time zone). Read-only: changes
go through the API so that rules, events and "why" apply."""
import sys

from services.common import cli

STATE_ZH = {"free": "空闲", "receiving": "接待中", "lunch": "午餐", "official_business": "公务",
            "away": "离岗", "away_announced": "暂离", "passing": "放弃站位",
            "suspended": "停接", "off_duty": "下班"}


def _ask(method, args):
    """The service's answer for ``--day`` or, without it, the service's today."""
    return cli.ask_as_admin("reception", method, args.project_id,
                            {"day": args.day} if args.day else {})


def show_sheet(args):
    sheet = _ask("sheet", args)
    if not sheet["entries"]:
        print(f"project {args.project_id}, {sheet['day']}: no sheet (nobody signed in)")
        return
    print(f"轮序表 rotation sheet — project {args.project_id}, {sheet['day']}")
    print(f"{'#':>3}  {'person':>6}  {'name':<24} {'marks':<8} state")
    for e in sheet["entries"]:
        state = e["state"] if e["state"] != "off_duty" else f"off_duty ({e['detail']})"
        print(f"{e['place'] or '-':>3}  {e['person_id']:>6}  {e['name']:<24} "
              f"{'∨' * e['marks'] or '0':<8} {STATE_ZH.get(e['state'], '')} {state}")
    if sheet["notice"]:
        print(f"notice: {sheet['notice']}")


def show_receptions(args):
    rows = _ask("list_receptions", args)
    print(f"receptions — project {args.project_id}, {args.day or 'today'}")
    for r in rows:
        print(f"{r['id']:>5}  person {r['person_id']:>5}  {r['kind']:<9} {r['status']:<9} "
              f"{r['rule']}  {r['reason']}")


def show_calls(args):
    rows = _ask("list_calls", args)
    print(f"calls — project {args.project_id}, {args.day or 'today'}")
    for c in rows:
        print(f"{c['id']:>5}  answered by {c['answered_by']:>5}  {c['phone_masked'] or '-':<12} "
              f"missing {','.join(c['missing']) or '-'}  fine {c['fine']}  "
              f"sms {c['sms']['status']}")


def build():
    p, sub = cli.parser("reception", "Reception service admin: the rotation sheet, receptions "
                                     "and calls of a day (read-only, asked of the running "
                                     "service).")
    for name, func, text in (("sheet", show_sheet, "print a day's rotation sheet in order "
                              "(REC-01)"),
                             ("receptions", show_receptions, "list a day's receptions with "
                              "their rule and reason"),
                             ("calls", show_calls, "list a day's registered calls (REC-12)")):
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument("--project-id", type=int, required=True, help="project id")
        c.add_argument("--day", help="business day YYYY-MM-DD (default: the service's today, "
                                     "project-local)")
        c.set_defaults(func=func)
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
