"""Report files (CSV and xlsx) returned over RPC as {filename, content_type, content_b64};
the gateway sends them as downloads (Route(download=True))."""
import base64
import csv
import io

from openpyxl import Workbook

from .errors import Unprocessable

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def table_file(rows, columns, fmt, basename):
    """rows: list of dicts; columns: list of (key, header)."""
    if fmt not in TYPES:
        raise Unprocessable(f"format must be one of {', '.join(TYPES)}", field="format")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([header for _, header in columns])
        for row in rows:
            writer.writerow([row.get(key, "") for key, _ in columns])
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese right
    else:
        book = Workbook()
        sheet = book.active
        sheet.append([header for _, header in columns])
        for row in rows:
            sheet.append([row.get(key) for key, _ in columns])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    return {"filename": f"{basename}.{fmt}", "content_type": TYPES[fmt],
            "content_b64": base64.b64encode(data).decode("ascii")}
