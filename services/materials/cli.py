"""Materials admin CLI: catalogue import from CSV (MAT-01), stock report (MAT-01, MAT-08).

    python -m services.materials.cli import-catalogue --project-id 1 --file catalogue.csv
    python -m services.materials.cli stock-report --project-id 1 [--low-only]

The CSV's header row names the columns: code, name, specification, model (may be empty), unit,
unit_price (yuan, e.g. 0.50) or unit_price_cents, category, reorder_level.
"""
import sys

from services.common import cli, importer

from . import rules

BATCH = 200   # rows per RPC: each row is still its own transaction in the service
REQUIRED = ("code", "name", "specification", "unit", "category", "reorder_level")


def _whole(row, column):
    value = (row.get(column) or "").strip()
    try:
        return int(value)
    except ValueError:
        raise importer.RowError(f"{column} must be a whole number, got {value!r}",
                                field=column) from None


def catalogue_row(row):
    """One CSV row as the service's catalogue payload; a clear message for a bad row."""
    missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        raise importer.RowError(f"missing {', '.join(missing)}", field=missing[0])
    if (row.get("unit_price_cents") or "").strip():
        price = _whole(row, "unit_price_cents")
    elif (row.get("unit_price") or "").strip():
        try:
            price = rules.yuan_to_cents(row["unit_price"].strip())
        except ValueError as exc:
            raise importer.RowError(str(exc), field="unit_price") from None
    else:
        raise importer.RowError("missing unit_price (yuan) or unit_price_cents",
                                field="unit_price")
    return {"code": row["code"].strip(), "name": row["name"].strip(),
            "specification": row["specification"].strip(),
            "model": (row.get("model") or "").strip(), "unit": row["unit"].strip(),
            "unit_price_cents": price, "category": row["category"].strip(),
            "reorder_level": _whole(row, "reorder_level")}


def _refusal(error):
    return error.get("field"), f"{error['message']} [{error['rule']}]"


def _read(rows):
    """(line, payload or None, local (field, message) or None) for each CSV row."""
    for line, row, problem in rows:
        if problem is None:
            try:
                yield line, catalogue_row(row), None
                continue
            except ValueError as exc:
                problem = exc
        yield line, None, importer.describe(problem)


def import_catalogue(args):
    """MAT-01 through the running service (its rules, "why" records and clock apply): rows go
    in batches; the service stores each on its own and answers each row's refusal."""
    ok, errors, pending = 0, [], []

    def send():
        nonlocal ok
        answers = cli.ask_as_admin("materials", "import_items", args.project_id,
                                   [payload for _, payload in pending]) if pending else []
        for (line, _), error in zip(pending, answers):
            if error:
                errors.append((line, *_refusal(error)))
            else:
                ok += 1
        pending.clear()

    encoding, records = importer.csv_rows(args.file)
    for rows, (line, payload, problem) in enumerate(_read(records), start=1):
        if problem:
            errors.append((line, *problem))
        else:
            pending.append((line, payload))
        if len(pending) >= BATCH or rows % args.progress_every == 0:
            send()
        if rows % args.progress_every == 0:
            print(f"  … {rows} rows ({ok} imported, {len(errors)} errors)", file=sys.stderr,
                  flush=True)
    send()
    importer.summary(ok, errors, encoding, sys.stderr)
    return 1 if errors else 0


def stock_report(args):
    """MAT-01/MAT-08 as the API answers it (the service's data and clock)."""
    items = cli.ask_as_admin("materials", "stock_levels", args.project_id)
    if args.low_only:
        items = [i for i in items if i["low"]]
    print(f"{'code':<12} {'available':>9} {'held':>6} {'reorder':>7}  name (spec)")
    for i in items:
        flag = "  LOW (MAT-08)" if i["low"] else ""
        print(f"{i['code']:<12} {i['on_hand']:>9} {i['held']:>6} {i['reorder_level']:>7}  "
              f"{i['name']} ({i['specification']}){flag}")
    print(f"{len(items)} item(s), {sum(i['low'] for i in items)} at or below the reorder level")


def build():
    p, sub = cli.parser("materials", "Materials admin: catalogue import and stock report.")
    c = sub.add_parser("import-catalogue", help="import catalogue items from a CSV file (MAT-01)",
                       description="Import catalogue items from CSV. Columns: code, name, "
                       "specification, model, unit, unit_price (yuan) or unit_price_cents, "
                       "category (" + ", ".join(rules.CATEGORIES) + "), reorder_level. "
                       "Sent to the running service in batches; each row is stored on its "
                       "own, bad rows are reported by line and skipped. Exit status 1 when any "
                       "row failed.")
    c.add_argument("--project-id", type=int, required=True, help="the project (sales office)")
    c.add_argument("--file", required=True, help="path of the CSV file with a header row "
                   "(UTF-8 with or without BOM, or GBK as older Chinese Excel saves it)")
    c.add_argument("--progress-every", type=int, default=500,
                   help="print progress every N rows (default 500)")
    c.set_defaults(func=import_catalogue)
    c = sub.add_parser("stock-report", help="print stock levels of a project (MAT-01, MAT-08)",
                       description="Available stock, temporary storage (暂存) and reorder level "
                       "per item; items at or below their reorder level are flagged LOW.")
    c.add_argument("--project-id", type=int, required=True, help="the project (sales office)")
    c.add_argument("--low-only", action="store_true",
                   help="only items at or below their reorder level")
    c.set_defaults(func=stock_report)
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
