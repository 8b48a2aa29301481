"""Report files (CSV and xlsx) returned over RPC as {filename, content_type, content_b64};
the gateway sends them as downloads (Route(download=True)).

Files an office opens as they are in Chinese Excel:

* xlsx: a bold, frozen header row with a filter, column widths fitted to the content (a CJK
  character counts two), instants as Excel date-times in the project's local time, dates as
  dates, money in yuan with ``"¥"#,##0.00``, numbers as numbers;
* CSV: UTF-8 with a BOM (Excel 2016 and later), or ``encoding="gbk"`` (written as GB18030, a
  superset of GBK) for older Chinese Excel; instants as local ``YYYY-MM-DD HH:MM:SS``, money
  with two decimals.

A column is ``(key, header)`` or ``(key, header, kind)``; kind is one of ``KINDS`` ("auto"
when not given: a value is written as what it is, datetimes and dates included)."""
import base64
import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .errors import Unprocessable
from .timeutil import zone

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# the ``encoding`` choice of a CSV export -> (Python codec, BOM, content type)
ENCODINGS = {"utf-8": ("utf-8", "\ufeff", "text/csv; charset=utf-8"),
             "gbk": ("gb18030", "", "text/csv; charset=gb18030")}
KINDS = ("auto", "text", "int", "number", "money", "cents", "percent", "date", "datetime",
         "bool")
MONEY_FORMAT = '"¥"#,##0.00'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
FORMATS = {"money": MONEY_FORMAT, "cents": MONEY_FORMAT, "datetime": DATETIME_FORMAT,
           "date": DATE_FORMAT, "percent": PERCENT_FORMAT, "int": "0"}
YES_NO = ("是", "否")
MAX_WIDTH = 60


def column_spec(column):
    """``(key, header)`` or ``(key, header, kind)`` -> ``(key, header, kind)``."""
    key, header, *rest = column
    kind = rest[0] if rest else "auto"
    if kind not in KINDS:
        raise ValueError(f"column {key!r}: kind must be one of {', '.join(KINDS)}")
    return key, header, kind


def table_file(rows, columns, fmt, basename, *, tz=None, encoding=None, title=None):
    """rows: list of dicts; columns: list of (key, header) or (key, header, kind); ``fmt``
    csv or xlsx; ``tz``: the project's zone for instants (Asia/Shanghai when None);
    ``encoding``: utf-8 (default, with BOM) or gbk, for CSV."""
    if fmt not in TYPES:
        raise Unprocessable(f"format must be one of {', '.join(TYPES)}", field="format")
    encoding = encoding or "utf-8"
    if encoding not in ENCODINGS:
        raise Unprocessable(f"encoding must be one of {', '.join(ENCODINGS)}", field="encoding")
    specs = [column_spec(c) for c in columns]
    if fmt == "csv":
        data, content_type = _csv(rows, specs, tz, encoding)
    else:
        data, content_type = _xlsx(rows, specs, tz, title or basename), TYPES["xlsx"]
    return {"filename": f"{basename}.{fmt}", "content_type": content_type,
            "content_b64": base64.b64encode(data).decode("ascii")}


# ---------------------------------------------------------------- values

def cell_value(value, kind, tz=None):
    """The value as the cell holds it: numbers as numbers, instants as naive local datetimes,
    dates as dates, money as Decimal yuan; what does not fit its kind stays as it is."""
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "bool":
        return YES_NO[0] if value else YES_NO[1]
    if kind == "datetime" or (kind == "auto" and isinstance(value, datetime)):
        return _instant(value, tz)
    if kind == "date" or (kind == "auto" and isinstance(value, date)):
        return _day(value, tz)
    if kind in ("int", "number", "money", "cents", "percent"):
        number = _number(value)
        if number is None:
            return value
        if kind == "cents":
            return Decimal(number) / 100
        if kind == "int" and number == int(number):
            return int(number)
        return number
    return value


def _instant(value, tz):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is not None:   # Excel has no zones: the project's wall clock
        value = value.astimezone(zone(tz)).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _day(value, tz):
    if isinstance(value, datetime):
        return value.astimezone(zone(tz)).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return value


def _number(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    try:
        text = str(value).strip().replace(",", "")
        return int(text) if text.lstrip("-").isdigit() else Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def text_value(value, kind):
    """A cell value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if kind in ("money", "cents") and isinstance(value, (int, float, Decimal)):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def display_width(text):
    """Columns the text takes in Excel: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# ---------------------------------------------------------------- files

def _csv(rows, specs, tz, encoding):
    codec, bom, content_type = ENCODINGS[encoding]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([header for _, header, _ in specs])
    for row in rows:
        writer.writerow([text_value(cell_value(row.get(key), kind, tz), kind)
                         for key, _, kind in specs])
    return (bom + buf.getvalue()).encode(codec), content_type


def _xlsx(rows, specs, tz, title):
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet.append([header for _, header, _ in specs])
    widths = [display_width(header) for _, header, _ in specs]
    for row in rows:
        values = [cell_value(row.get(key), kind, tz) for key, _, kind in specs]
        sheet.append(values)
        for i, ((_, _, kind), value) in enumerate(zip(specs, values)):
            widths[i] = max(widths[i], _width(value, kind))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for i, (_, _, kind) in enumerate(specs, start=1):
        number_format = FORMATS.get(kind)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
            fmt = number_format if kind != "auto" else _auto_format(cell.value)
            if fmt and not isinstance(cell.value, str) and cell.value is not None:
                cell.number_format = fmt
        sheet.column_dimensions[get_column_letter(i)].width = min(widths[i - 1] + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if specs:
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _auto_format(value):
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def _width(value, kind):
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if kind in ("money", "cents") and isinstance(value, (int, float, Decimal)):
        return len(f"¥{value:,.2f}")
    if kind == "percent" and isinstance(value, (int, float, Decimal)):
        return len(f"{value:.1%}")
    return display_width(value)
