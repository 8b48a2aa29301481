"""Clients admin CLI: import customers from CSV, expire channel reports, a customer's history."""
import sys

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common import cli, policy, why
from services.common.importer import import_csv
from services.common.timeutil import utcnow

from . import rules
from .models import KIT, ChannelReport, Customer


def import_customers(args):
    """CLI-01: one customer per row (phone,name,source,media_source); bad rows are reported
    by line and skipped, every good row is committed on its own."""
    with cli.session("clients", KIT) as s:
        def handle(row):
            phone = rules.normalise_phone(row.get("phone"))
            source = (row.get("source") or "walk_in").strip()
            if not rules.check_source(source).allowed:
                raise ValueError(f"CLI-01 source {source!r} is not one of "
                                 f"{', '.join(rules.SOURCES)}")
            s.add(Customer(project_id=args.project_id, phone=phone,
                           name=(row.get("name") or "").strip() or None, source=source,
                           media_source=(row.get("media_source") or "").strip() or None,
                           created_at=utcnow()))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                raise ValueError(f"CLI-01 {rules.mask_phone(phone)} is already a customer")
        print(f"importing customers into project {args.project_id} from {args.file}",
              file=sys.stderr)
        ok, errors = import_csv(args.file, handle, progress_every=args.progress_every)
    return 1 if errors else 0   # like every import: 1 when any row was refused


def expire_reports(args):
    """CLI-06: reports older than the policy's days become expired."""
    with cli.session("clients", KIT) as s:
        values = rules.policy_with_defaults(policy.read(s, args.project_id,
                                                        rules.POLICY_DEFAULTS))
        now, count = utcnow(), 0
        for r in s.scalars(select(ChannelReport).where(
                ChannelReport.project_id == args.project_id,
                ChannelReport.status == "reported")):
            d = rules.report_expired(rules.ChannelReport(r.id, r.agent_id, None, r.name, r.phone,
                                                         r.reported_at), now, values)
            if d.data["expired"]:
                r.status, r.rule, r.reason = "expired", d.rule, d.reason
                count += 1
        s.commit()
        print(f"{count} channel report(s) expired (CLI-06, after "
              f"{values['report_expiry_days']} days)")


def history(args):
    """CLI-11: every ownership decision about a customer, oldest first (phone masked)."""
    with cli.session("clients", KIT) as s:
        c = s.get(Customer, args.customer_id)
        if c is None:
            print(f"error: no customer {args.customer_id}", file=sys.stderr)
            return 2
        print(f"customer {c.id} {rules.mask_phone(c.phone)} {c.name or ''} — owner "
              f"{c.owner_id}")
        for d in why.chain(s, "customer", c.id):
            print(f"  {d['at']}  {d['rule']}  {d['outcome']}: {d['reason']}")


def build():
    p, sub = cli.parser("clients", "Clients admin: import customers, expire channel reports, "
                        "show a customer's ownership history.")
    c = sub.add_parser("import-customers", help="import customers from a CSV file (CLI-01)",
                       description="CSV header: phone,name,source,media_source. Progress and "
                       "one error line per bad row go to stderr; good rows are kept. Exit "
                       "code 1 when any row was refused.")
    c.add_argument("--project-id", type=int, required=True, help="the project (sales office)")
    c.add_argument("--file", required=True, help="the CSV file (UTF-8, with a header row)")
    c.add_argument("--progress-every", type=int, default=500, help="progress line every N rows")
    c.set_defaults(func=import_customers)
    e = sub.add_parser("expire-reports", help="mark channel reports past the policy's days "
                       "expired (CLI-06)", description="Run daily, e.g. from cron.")
    e.add_argument("--project-id", type=int, required=True, help="the project")
    e.set_defaults(func=expire_reports)
    h = sub.add_parser("history", help="a customer's ownership history (CLI-11)",
                       description="Every ownership decision with its rule, oldest first.")
    h.add_argument("--customer-id", type=int, required=True, help="the customer's id")
    h.set_defaults(func=history)
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
