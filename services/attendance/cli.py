"""Attendance admin CLI. Everything an admin does goes through the running service over the
broker (``services.common.cli.ask_as_admin``: a short-lived operator admin token), so its rules,
events and "why" records apply. The one exception: ``create-admin`` and ``seed-demo`` bootstrap
an empty directory before any service runs (``make run`` seeds first); they write through the
same use cases, on a unit of work of their own (docs/decisions/attendance.md)."""
import base64
import getpass
import pathlib
import sys

from services.common import cli
from services.common.errors import BadRequest
from services.common.identity import Caller
from services.common.timeutil import utcnow
from services.common.uow import UnitOfWork

from . import events, repo, rules, usecases
from .models import KIT

DEMO_PASSWORD = "anchang-demo"
DEMO_STAFF = [  # username, name, roles
    ("manager", "王经理 Wang (manager)", ["manager"]),
    ("supervisor", "赵主管 Zhao (supervisor)", ["supervisor"]),
    ("clerk", "钱内业 Qian (clerk)", ["clerk"]),
    ("reception", "孙秘书 Sun (receptionist)", ["receptionist"]),
    ("storekeeper", "周保管 Zhou (storekeeper)", ["storekeeper"]),
    ("agent", "吴渠道 Wu (channel agent)", ["channel_agent"]),
    ("li", "李娜 Li Na", ["consultant"]),
    ("zhang", "张伟 Zhang Wei", ["consultant"]),
    ("liu", "刘洋 Liu Yang", ["consultant"]),
    ("chen", "陈静 Chen Jing", ["consultant"]),
]


def _bootstrap():
    """A unit of work straight on attendance's database, as the operator at this shell (only
    for create-admin and seed-demo: no service runs yet)."""
    operator = Caller(person_id=None, project_id=None, roles=frozenset({"admin"}),
                      name=f"admin CLI ({getpass.getuser()})")
    return UnitOfWork(cli.session("attendance", KIT), utcnow(), operator,
                      policy_spec=rules.POLICY, catalogue=events.CATALOGUE,
                      zone_of=repo.zone_of)


def _staff(username, name, password, roles):
    return {"username": username, "name": name, "password": password, "roles": roles}


def create_admin(args):
    with _bootstrap() as uow:
        person = usecases.add_staff(uow, None, _staff(args.username, args.name, args.password,
                                                      ["admin"]))
    print(f"admin {person['username']} created (id {person['id']})")


def seed_demo(args):
    """Only when the directory is empty: an admin, a demo project and its staff."""
    with _bootstrap() as uow:
        if not repo.directory_empty(uow.session):
            print("demo seed skipped: the staff directory is not empty")
            return
        usecases.add_staff(uow, None, _staff("admin", "Administrator", DEMO_PASSWORD,
                                             ["admin"]))
        project = usecases.create_project(uow, {"code": "demo", "name": "示范案场 Demo Sales "
                                                "Office", "timezone": "Asia/Shanghai"})
        for username, name, roles in DEMO_STAFF:
            usecases.add_staff(uow, project["id"], _staff(username, name, DEMO_PASSWORD, roles))
            print(f"  seeded {username}", flush=True)
    print(f"demo project {project['code']} (id {project['id']}) seeded; every demo login's "
          f"password is {DEMO_PASSWORD!r}")


def _ask(method, *args):
    return cli.ask_as_admin("attendance", method, *args)


def create_project(args):
    project = _ask("create_project", {"code": args.code, "name": args.name,
                                      "timezone": args.timezone})
    print(f"project {project['code']} created (id {project['id']})")


def add_staff(args):
    person = _ask("add_staff", args.project_id, _staff(args.username, args.name, args.password,
                                                       args.roles.split(",")))
    print(f"{person['username']} added to project {args.project_id} (id {person['id']}) "
          f"with roles {', '.join(person['roles'])}")


def list_staff(args):
    projects = [args.project_id] if args.project_id else [
        p["id"] for p in _ask("list_projects")]
    for project_id in projects:
        for p in _ask("list_staff", project_id):
            print(f"{p['id']:>4}  {p['username']:<14} {','.join(p['roles']):<24} {p['name']}")


def roster(args):
    """ATT-01/02: roster one person's days (every day work except the rest days)."""
    if args.list:
        rows = _ask("list_roster", args.project_id, {
            "person_id": args.person_id, "start": args.start, "end": args.end})
    else:
        if not (args.person_id and args.start and args.end):
            raise BadRequest("--person-id, --start and --end are needed to roster days",
                             rule="ATT-01")
        rows = _ask("set_roster", args.project_id, {
            "person_id": args.person_id, "start": args.start, "end": args.end,
            "rest": [d for d in (args.rest or "").split(",") if d]})
    for r in rows:
        print(f"{r['day']}  person {r['person_id']:>5}  {r['kind']}")
    if not rows:
        print("no rostered days in that range")


def blackout(args):
    """ATT-02: declare a blackout day (everybody works), or list them."""
    if not args.list:
        if not (args.day and args.kind):
            raise BadRequest("--day and --kind are needed to declare a blackout day",
                             rule="ATT-02")
        d = _ask("declare_blackout", args.project_id, {"day": args.day, "kind": args.kind,
                                                       "reason": args.reason})
        print(f"{d['rule']} {d['reason']}")
        for key in ("rest_cancelled", "leave_conflicts"):
            if d["data"].get(key):
                print(f"  {key.replace('_', ' ')}: {', '.join(d['data'][key])}")
    for b in _ask("list_blackouts", args.project_id):
        print(f"{b['day']}  {b['kind']:<16} {b['reason']}")


def close_day(args):
    """ATT-09: close an ended business day now (absences and warning slips)."""
    out = _ask("close_day", args.project_id, {"day": args.day})
    print(f"{out['day']} closed: {out['present']} present, {out['absent']} absent, "
          f"{out['leave']} on leave, {out['rest']} resting (ATT-09)")


def monthly_report(args):
    """ATT-12: the month's report as a CSV or xlsx file."""
    year, _, month = args.month.partition("-")
    if not (year.isdigit() and month.isdigit()):
        raise BadRequest("--month must be YYYY-MM", rule="ATT-12", field="month")
    file = _ask("export_monthly_report", args.project_id,
                {"year": year, "month": month, "format": args.format,
                 "encoding": args.encoding})
    out = pathlib.Path(args.out or file["filename"])
    out.write_bytes(base64.b64decode(file["content_b64"]))
    print(f"wrote {out} ({out.stat().st_size} bytes)")


def build():
    p, sub = cli.parser("attendance", "Attendance admin: staff directory, projects, demo data, "
                        "rosters, blackout days, closing a day, the monthly report.")
    c = sub.add_parser("create-admin", help="create an admin login (no project)")
    c.add_argument("--username", required=True, help="login name")
    c.add_argument("--name", default="Administrator", help="display name")
    c.add_argument("--password", required=True, help="at least 8 characters")
    c.set_defaults(func=create_admin)
    c = sub.add_parser("create-project", help="create a project (one sales office), through "
                       "the running service")
    c.add_argument("--code", required=True, help="short code, e.g. sunrise")
    c.add_argument("--name", required=True, help="display name")
    c.add_argument("--timezone", default="Asia/Shanghai", help="project-local time zone (SYS-04)")
    c.set_defaults(func=create_project)
    c = sub.add_parser("add-staff", help="add a staff member to a project, through the "
                       "running service")
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--username", required=True, help="login name")
    c.add_argument("--name", required=True, help="display name")
    c.add_argument("--password", required=True, help="at least 8 characters")
    c.add_argument("--roles", required=True, help="comma-separated, e.g. consultant,supervisor")
    c.set_defaults(func=add_staff)
    c = sub.add_parser("list-staff", help="list staff (all projects, or one), asking the "
                       "running service")
    c.add_argument("--project-id", type=int, help="only this project")
    c.set_defaults(func=list_staff)
    c = sub.add_parser("seed-demo", help="seed a demo project when the directory is empty")
    c.set_defaults(func=seed_demo)
    _service_commands(sub)
    return p


def _service_commands(sub):
    note = (" Asks the running attendance service over the broker (AMQP_URI) as the operator "
            "(an admin token signed with JWT_SECRET).")
    c = sub.add_parser("roster", help="roster a person's work and rest days, or list a roster "
                       "(ATT-01/02)", description="Every day from --start to --end is a work "
                       "day except the --rest days (Mon-Fri, one a week, never a blackout "
                       "day)." + note)
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--person-id", type=int, help="the staff member")
    c.add_argument("--start", help="first day YYYY-MM-DD")
    c.add_argument("--end", help="last day YYYY-MM-DD (at most a few weeks after --start)")
    c.add_argument("--rest", help="rest days, comma-separated YYYY-MM-DD")
    c.add_argument("--list", action="store_true", help="only list the rostered days")
    c.set_defaults(func=roster)
    c = sub.add_parser("blackout", help="declare a blackout day, or list them (ATT-02)",
                       description="On a blackout day everybody works: no rest, no leave."
                       + note)
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--day", help="the day YYYY-MM-DD")
    c.add_argument("--kind", choices=("public_holiday", "launch_day", "advertising_day",
                                      "mortgage_day"), help="why everybody works")
    c.add_argument("--reason", default="", help="a note for the staff")
    c.add_argument("--list", action="store_true", help="only list the blackout days")
    c.set_defaults(func=blackout)
    c = sub.add_parser("close-day", help="close an ended business day now (ATT-09)",
                       description="Rostered people with no valid punch and no approved leave "
                       "get an absent day and a warning slip; the timer does this by itself "
                       "after midnight." + note)
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--day", required=True, help="the ended business day YYYY-MM-DD")
    c.set_defaults(func=close_day)
    c = sub.add_parser("monthly-report", help="write the monthly report file (ATT-12)",
                       description="Per person: work days, late, early leave, absences, "
                       "leave, fines and slips (and ATT-13 pay effects when enabled)." + note)
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--month", required=True, help="the month YYYY-MM")
    c.add_argument("--format", choices=("csv", "xlsx"), default="xlsx", help="file format")
    c.add_argument("--encoding", choices=("utf-8", "gbk"), default="utf-8",
                   help="CSV only: utf-8 (with BOM, Excel 2016+) or gbk (older Chinese Excel)")
    c.add_argument("--out", help="file to write (default: the report's own file name)")
    c.set_defaults(func=monthly_report)


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
