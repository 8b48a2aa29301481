"""CSV import for the admin CLIs: progress on stderr, one error line per bad row, nothing
half-written (each row is its own transaction; a bad row is reported and skipped)."""
import csv
import sys


def import_csv(path, handle_row, progress_every=500, out=sys.stderr):
    """``handle_row(row_dict)`` stores one row or raises; returns (ok, errors[(line, msg)])."""
    ok, errors = 0, []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for line, row in enumerate(reader, start=2):
            try:
                handle_row(row)
                ok += 1
            except Exception as exc:  # reported per row; the import goes on
                errors.append((line, str(exc)))
            done = ok + len(errors)
            if done % progress_every == 0:
                print(f"  … {done} rows ({ok} imported, {len(errors)} errors)", file=out,
                      flush=True)
    for line, message in errors:
        print(f"  line {line}: {message}", file=out)
    print(f"imported {ok} rows, {len(errors)} errors", file=out, flush=True)
    return ok, errors
