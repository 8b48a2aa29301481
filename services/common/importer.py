"""CSV import for the admin CLIs: files as Chinese Excel saves them (UTF-8 with or without a
BOM, or GBK/GB18030), progress on stderr, one error line per bad row (line, field, message;
never a traceback), nothing half-written (each row is its own transaction; a bad row is
reported and skipped), and a summary at the end."""
import csv
import io
import sys

from .errors import Unprocessable

# tried in this order: UTF-8 (a BOM is dropped), then GB18030 (a superset of GBK and GB2312,
# what "CSV" in older Chinese Excel writes)
ENCODINGS = ("utf-8-sig", "gb18030")


class RowError(ValueError):
    """A bad row: its field (or None for the whole row) and what is wrong."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field
        self.message = message


def decode(data):
    """``(text, encoding)`` of a CSV file's bytes: UTF-8 (with or without BOM) or GB18030."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise Unprocessable("the file is neither UTF-8 nor GBK/GB18030 text: save it from Excel as "
                        "\"CSV UTF-8\" or \"CSV\"", field="file")


def read_text(path):
    """The file's text and the encoding it was read with; a missing or unreadable file is one
    clear error (422), not a traceback."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise Unprocessable(f"cannot read {path}: {exc.strerror or exc}", field="file")
    return decode(data)


def csv_rows(path):
    """``(encoding, rows)``: rows yields ``(line, row_dict, problem)`` per CSV record, ``line``
    being the file's line number (the header is line 1) and ``problem`` a ``RowError`` when the
    record itself is malformed (more fields than the header has), else None."""
    text, encoding = read_text(path)
    return encoding, _records(text)


def _records(text):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:   # e.g. a NUL byte: this record is bad, the rest is read on
            yield reader.line_num, None, RowError(f"unreadable CSV: {exc}")
            continue
        extra = [v for v in row.pop(None, None) or () if (v or "").strip()]
        if extra:
            yield reader.line_num, None, RowError(
                f"{len(extra)} value(s) beyond the header's {len(reader.fieldnames)} columns")
            continue
        yield reader.line_num, row, None


def describe(error):
    """A bad row's problem as ``(field, message)`` from whatever the row handler raised."""
    field = getattr(error, "field", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return field, message


def error_line(line, field, message):
    return f"  line {line}: {field + ': ' if field else ''}{message}"


def summary(ok, errors, encoding=None, out=sys.stderr):
    """One line per bad row (in line order), then the totals."""
    for line, field, message in sorted(errors, key=lambda e: e[0]):
        print(error_line(line, field, message), file=out)
    read = f" (read as {encoding})" if encoding else ""
    print(f"imported {ok} rows, {len(errors)} errors{read}", file=out, flush=True)


def import_csv(path, handle_row, progress_every=500, out=sys.stderr):
    """``handle_row(row_dict)`` stores one row or raises (a ``RowError`` names its field);
    returns ``(ok, errors[(line, field, message)])``."""
    ok, errors = 0, []
    encoding, rows = csv_rows(path)
    for line, row, problem in rows:
        if problem is None:
            try:
                handle_row(row)
                ok += 1
            except Exception as exc:  # reported per row; the import goes on
                problem = exc
        if problem is not None:
            errors.append((line, *describe(problem)))
        done = ok + len(errors)
        if done % progress_every == 0:
            print(f"  … {done} rows ({ok} imported, {len(errors)} errors)", file=out,
                  flush=True)
    summary(ok, errors, encoding, out)
    return ok, errors
