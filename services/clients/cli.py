"""Clients admin CLI: import customers from CSV, expire channel reports, a customer's history.

Every command asks the running clients service (``services.common.cli.ask_as_admin``), so its
rules, clock and "why" records apply to what an admin does from the shell; only ``migrate``
touches the database directly.
"""
import sys

from services.common import cli, importer

from . import rules

FIELDS = ("phone", "name", "source", "media_source")


def _ask(method, *args):
    return cli.ask_as_admin("clients", method, *args)


def _batches(rows, size, errors):
    """The CSV's rows as the import RPC takes them, ``size`` at a time, each with its line; a
    malformed record goes to ``errors`` instead."""
    batch = []
    for line, row, problem in rows:
        if problem is not None:
            errors.append((line, *importer.describe(problem)))
            continue
        batch.append({"line": line, **{k: row.get(k) for k in FIELDS}})
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_customers(args):
    """CLI-01: one customer per row (phone,name,source,media_source); bad rows are reported
    by line and field and skipped, good rows are kept. UTF-8 (with or without BOM) or GBK."""
    out = sys.stderr
    print(f"importing customers into project {args.project_id} from {args.file}", file=out)
    encoding, rows = importer.csv_rows(args.file)
    ok, errors = 0, []
    for batch in _batches(rows, min(args.progress_every, 500), errors):
        answer = _ask("import_customers", args.project_id, {"rows": batch})
        refused = {e["line"]: (e.get("field"), e["message"]) for e in answer["errors"]}
        for row in batch:   # progress as the rows were taken, whatever the batch size
            if row["line"] in refused:
                errors.append((row["line"], *refused[row["line"]]))
            else:
                ok += 1
            if (ok + len(errors)) % args.progress_every == 0:
                print(f"  … {ok + len(errors)} rows ({ok} imported, {len(errors)} errors)",
                      file=out, flush=True)
    importer.summary(ok, errors, encoding, out)
    return 1 if errors else 0   # like every import: 1 when any row was refused


def expire_reports(args):
    """CLI-06: reports older than the policy's days become expired."""
    answer = _ask("expire_reports", args.project_id)
    print(f"{answer['expired']} channel report(s) expired (CLI-06, after "
          f"{answer['report_expiry_days']} days)")


def history(args):
    """CLI-11: every ownership decision about a customer, oldest first (phone masked)."""
    answer = _ask("customer_history", args.project_id, args.customer_id)
    c = answer["customer"]
    print(f"customer {c['id']} {rules.mask_phone(c['phone'])} {c['name'] or ''} — owner "
          f"{c['owner_id']}")
    for d in answer["decisions"]:
        print(f"  {d['at']}  {d['rule']}  {d['outcome']}: {d['reason']}")


def build():
    p, sub = cli.parser("clients", "Clients admin: import customers, expire channel reports, "
                        "show a customer's ownership history (through the running service).")
    c = sub.add_parser("import-customers", help="import customers from a CSV file (CLI-01)",
                       description="CSV header: phone,name,source,media_source. Progress and "
                       "one error line per bad row go to stderr; good rows are kept. Exit "
                       "code 1 when any row was refused.")
    c.add_argument("--project-id", type=int, required=True, help="the project (sales office)")
    c.add_argument("--file", required=True, help="the CSV file with a header row (UTF-8 "
                   "with or without BOM, or GBK as older Chinese Excel saves it)")
    c.add_argument("--progress-every", type=int, default=500, help="progress line every N rows")
    c.set_defaults(func=import_customers)
    e = sub.add_parser("expire-reports", help="mark channel reports past the policy's days "
                       "expired (CLI-06)", description="Run daily, e.g. from cron.")
    e.add_argument("--project-id", type=int, required=True, help="the project")
    e.set_defaults(func=expire_reports)
    h = sub.add_parser("history", help="a customer's ownership history (CLI-11)",
                       description="Every ownership decision with its rule, oldest first.")
    h.add_argument("--customer-id", type=int, required=True, help="the customer's id")
    h.add_argument("--project-id", type=int, default=None,
                   help="the customer's project (optional: an admin reads any project)")
    h.set_defaults(func=history)
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
