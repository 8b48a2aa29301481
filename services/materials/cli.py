"""Materials admin CLI: catalogue import from CSV (MAT-01), stock report (MAT-01, MAT-08).

    python -m services.materials.cli import-catalogue --project-id 1 --file catalogue.csv
    python -m services.materials.cli stock-report --project-id 1 [--low-only]

The CSV's header row names the columns: code, name, specification, model (may be empty), unit,
unit_price (yuan, e.g. 0.50) or unit_price_cents, category, reorder_level.
"""
import sys

from sqlalchemy import select

from services.common import cli
from services.common.errors import AnchangError
from services.common.importer import import_csv
from services.common.timeutil import utcnow

from . import rules
from .models import KIT, Item
from .service import create_item, item_view

SYSTEM = {"person_id": None, "name": "materials admin CLI", "roles": ["admin"]}
REQUIRED = ("code", "name", "specification", "unit", "category", "reorder_level")


def _whole(row, column):
    value = (row.get(column) or "").strip()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{column} must be a whole number, got {value!r}") from None


def catalogue_row(row):
    """One CSV row as the service's catalogue payload; a clear message for a bad row."""
    missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if (row.get("unit_price_cents") or "").strip():
        price = _whole(row, "unit_price_cents")
    elif (row.get("unit_price") or "").strip():
        price = rules.yuan_to_cents(row["unit_price"].strip())
    else:
        raise ValueError("missing unit_price (yuan) or unit_price_cents")
    return {"code": row["code"].strip(), "name": row["name"].strip(),
            "specification": row["specification"].strip(),
            "model": (row.get("model") or "").strip(), "unit": row["unit"].strip(),
            "unit_price_cents": price, "category": row["category"].strip(),
            "reorder_level": _whole(row, "reorder_level")}


def import_catalogue(args):
    with cli.session("materials", KIT) as s:
        def handle(row):
            try:
                create_item(s, args.project_id, catalogue_row(row), SYSTEM, utcnow())
                s.commit()
            except AnchangError as exc:
                s.rollback()
                raise ValueError(f"{exc.field or 'row'}: {exc.message} [{exc.rule}]") from None
            except Exception:
                s.rollback()
                raise
        ok, errors = import_csv(args.file, handle, progress_every=args.progress_every)
    if errors:
        raise SystemExit(1)


def stock_report(args):
    with cli.session("materials", KIT) as s:
        items = [item_view(i) for i in s.scalars(
            select(Item).where(Item.project_id == args.project_id).order_by(Item.code))]
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
                       "Each row is stored on its own; bad rows are reported by line and "
                       "skipped. Exit status 1 when any row failed.")
    c.add_argument("--project-id", type=int, required=True, help="the project (sales office)")
    c.add_argument("--file", required=True, help="path of the CSV file (UTF-8, header row)")
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
