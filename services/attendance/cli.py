"""Attendance admin CLI: first admin, projects, staff, demo data (straight on the directory),
and rosters, blackout days, closing a day and the monthly report file (asked of the running
service over the broker, acting as the first admin login, so rules, events and "why" apply)."""
import base64
import pathlib
import sys

from sqlalchemy import func, select

from services.common import cli
from services.common.config import jwt_secret
from services.common.errors import BadRequest
from services.common.identity import issue_token
from services.common.timeutil import utcnow

from . import directory
from .models import KIT, Person, PersonRole

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
SYSTEM = {"person_id": None, "name": "admin CLI", "roles": ["admin"]}


def create_admin(args):
    with cli.session("attendance", KIT) as s:
        person = directory.add_person(s, None, {"username": args.username, "name": args.name,
                                                "password": args.password, "roles": ["admin"]},
                                      SYSTEM, utcnow())
        s.commit()
        print(f"admin {person.username} created (id {person.id})")


def create_project(args):
    with cli.session("attendance", KIT) as s:
        project = directory.create_project(s, {"code": args.code, "name": args.name,
                                               "timezone": args.timezone}, SYSTEM, utcnow())
        s.commit()
        print(f"project {project.code} created (id {project.id})")


def add_staff(args):
    with cli.session("attendance", KIT) as s:
        directory.get_project(s, args.project_id)
        person = directory.add_person(s, args.project_id, {
            "username": args.username, "name": args.name, "password": args.password,
            "roles": args.roles.split(",")}, SYSTEM, utcnow())
        s.commit()
        print(f"{person.username} added to project {args.project_id} (id {person.id}) "
              f"with roles {', '.join(person.role_names)}")


def list_staff(args):
    with cli.session("attendance", KIT) as s:
        query = select(Person).order_by(Person.id)
        if args.project_id:
            query = query.where(Person.project_id == args.project_id)
        for p in s.scalars(query):
            print(f"{p.id:>4}  {p.username:<14} {','.join(p.role_names):<24} {p.name}")


def seed_demo(args):
    """Only when the directory is empty: an admin, a demo project and its staff."""
    with cli.session("attendance", KIT) as s:
        if s.scalar(select(func.count()).select_from(Person)):
            print("demo seed skipped: the staff directory is not empty")
            return
        now = utcnow()
        directory.add_person(s, None, {"username": "admin", "name": "Administrator",
                                       "password": DEMO_PASSWORD, "roles": ["admin"]}, SYSTEM, now)
        project = directory.create_project(s, {"code": "demo", "name": "示范案场 Demo Sales Office",
                                               "timezone": "Asia/Shanghai"}, SYSTEM, now)
        for username, name, roles in DEMO_STAFF:
            directory.add_person(s, project.id, {"username": username, "name": name,
                                                 "password": DEMO_PASSWORD, "roles": roles},
                                 SYSTEM, now)
            print(f"  seeded {username}", flush=True)
        s.commit()
        print(f"demo project {project.code} (id {project.id}) seeded; every demo login's "
              f"password is {DEMO_PASSWORD!r}")


def _as_admin():
    """A short-lived token of the first active admin login: the CLI acts as that admin."""
    with cli.session("attendance", KIT) as s:
        admin = s.scalar(select(Person).join(PersonRole).where(
            PersonRole.role == "admin", Person.active.is_(True)).order_by(Person.id).limit(1))
        if admin is None:
            raise BadRequest("no admin login yet: run `create-admin` first")
        return issue_token({"id": admin.id, "project_id": None, "roles": ["admin"],
                            "name": f"{admin.name} (admin CLI)"}, jwt_secret(), 300)


def _ask(method, *args):
    return cli.ask("attendance", method, _as_admin(), *args)


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
                {"year": year, "month": month, "format": args.format})
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
    c = sub.add_parser("create-project", help="create a project (one sales office)")
    c.add_argument("--code", required=True, help="short code, e.g. sunrise")
    c.add_argument("--name", required=True, help="display name")
    c.add_argument("--timezone", default="Asia/Shanghai", help="project-local time zone (SYS-04)")
    c.set_defaults(func=create_project)
    c = sub.add_parser("add-staff", help="add a staff member to a project")
    c.add_argument("--project-id", type=int, required=True, help="project id")
    c.add_argument("--username", required=True, help="login name")
    c.add_argument("--name", required=True, help="display name")
    c.add_argument("--password", required=True, help="at least 8 characters")
    c.add_argument("--roles", required=True, help="comma-separated, e.g. consultant,supervisor")
    c.set_defaults(func=add_staff)
    c = sub.add_parser("list-staff", help="list staff (all projects, or one)")
    c.add_argument("--project-id", type=int, help="only this project")
    c.set_defaults(func=list_staff)
    c = sub.add_parser("seed-demo", help="seed a demo project when the directory is empty")
    c.set_defaults(func=seed_demo)
    _service_commands(sub)
    return p


def _service_commands(sub):
    note = (" Asks the running attendance service over the broker (AMQP_URI), acting as the "
            "first admin login.")
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
    c.add_argument("--out", help="file to write (default: the report's own file name)")
    c.set_defaults(func=monthly_report)


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
