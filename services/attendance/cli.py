"""Attendance admin CLI: first admin, projects, staff, demo data."""
import sys

from sqlalchemy import func, select

from services.common import cli
from services.common.timeutil import utcnow

from . import directory
from .models import KIT, Person

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


def build():
    p, sub = cli.parser("attendance", "Attendance admin: staff directory, projects, demo data.")
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
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
