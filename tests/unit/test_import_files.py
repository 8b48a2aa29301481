"""Issue 15: CSV imports take what Chinese Excel saves (UTF-8 with or without BOM, GBK/GB18030),
report each bad row by line and field without a traceback, go on with the rest and end with a
summary. The CLIs are run with the service faked (no broker)."""
import io

import pytest

from services.clients import cli as clients_cli
from services.common import importer
from services.common.errors import Unprocessable
from services.materials import cli as materials_cli

CUSTOMERS = ("phone,name,source,media_source\n"
             "13800138000,王先生,walk_in,billboard\n"
             "13900001111,李女士,carrier_pigeon,\n"
             "15000002222,赵女士,call,wechat\n")
CATALOGUE = ("code,name,specification,model,unit,unit_price,category,reorder_level\n"
             "FP-A,户型单张 A,A4,,张,0.50,floor_plan,20\n"
             "BRO,楼书,精装,2026,本,三十五,brochure,5\n"
             "BAG,手提袋,大号,,个,2,bag,10\n")


def write(tmp_path, text, encoding, name="f.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_each_encoding_chinese_excel_saves_reads_the_same(tmp_path, encoding):
    path = write(tmp_path, CUSTOMERS, encoding)
    used, rows = importer.csv_rows(path)
    assert used == ("gb18030" if encoding.startswith("gb") else "utf-8-sig")
    rows = list(rows)
    assert [(line, row["name"], problem) for line, row, problem in rows] == \
        [(2, "王先生", None), (3, "李女士", None), (4, "赵女士", None)]
    assert "phone" in rows[0][1]                                  # no BOM left in the header


def test_import_csv_gbk_file_reports_the_bad_row_and_imports_the_rest(tmp_path):
    path = write(tmp_path, CATALOGUE, "gbk")
    stored, out = [], io.StringIO()

    def handle(row):
        stored.append(materials_cli.catalogue_row(row)["name"])

    ok, errors = importer.import_csv(path, handle, out=out)
    assert (ok, stored) == (2, ["户型单张 A", "手提袋"])
    assert errors == [(3, "unit_price", "not a money amount: '三十五'")]
    text = out.getvalue()
    assert "line 3: unit_price: not a money amount" in text
    assert text.rstrip().endswith("imported 2 rows, 1 errors (read as gb18030)")
    assert "Traceback" not in text


def test_import_csv_utf8_file_with_one_bad_row_goes_on(tmp_path):
    text = CUSTOMERS + "13700003333,多一列,walk_in,,extra\n" + "13600004444,钱女士,,\n"
    path = write(tmp_path, text, "utf-8")
    seen, out = [], io.StringIO()

    def handle(row):
        if row["source"] == "carrier_pigeon":
            raise importer.RowError("source 'carrier_pigeon' is not a source", field="source")
        seen.append(row["phone"])

    ok, errors = importer.import_csv(path, handle, progress_every=2, out=out)
    assert ok == 3 and seen == ["13800138000", "15000002222", "13600004444"]
    assert errors == [(3, "source", "source 'carrier_pigeon' is not a source"),
                      (5, None, "1 value(s) beyond the header's 4 columns")]
    lines = out.getvalue().splitlines()
    assert "  … 2 rows (1 imported, 1 errors)" in lines
    assert "  line 3: source: source 'carrier_pigeon' is not a source" in lines
    assert lines[-1] == "imported 3 rows, 2 errors (read as utf-8-sig)"


def test_an_unreadable_file_is_one_clear_error(tmp_path):
    with pytest.raises(Unprocessable) as missing:
        importer.csv_rows(str(tmp_path / "nowhere.csv"))
    assert "cannot read" in missing.value.message and missing.value.field == "file"
    with pytest.raises(Unprocessable) as binary:
        importer.csv_rows(_binary(tmp_path))
    assert "neither UTF-8 nor GBK" in binary.value.message


def _binary(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(b"code\n\xff\xfe\xff\n")
    return str(path)


def test_clients_cli_imports_gbk_and_reports_refusals_by_line_and_field(tmp_path, monkeypatch,
                                                                         capsys):
    sent = []

    def fake(method, project_id, payload):   # the service's answer: CLI-01 refuses a source
        sent.extend(payload["rows"])
        return {"imported": 0, "errors": [
            {"line": r["line"], "field": "source", "message": "CLI-01 source 'carrier_pigeon'"}
            for r in payload["rows"] if r["source"] == "carrier_pigeon"]}

    monkeypatch.setattr(clients_cli, "_ask", fake)
    path = write(tmp_path, CUSTOMERS, "gbk")
    code = clients_cli.main(["import-customers", "--project-id", "1", "--file", path])
    err = capsys.readouterr().err
    assert code == 1 and [r["name"] for r in sent] == ["王先生", "李女士", "赵女士"]
    assert "line 3: source: CLI-01 source 'carrier_pigeon'" in err
    assert "imported 2 rows, 1 errors (read as gb18030)" in err and "Traceback" not in err


def test_materials_cli_imports_utf8_with_a_bad_row(tmp_path, monkeypatch, capsys):
    sent = []

    def fake(service, method, project_id, payloads):
        sent.extend(p["code"] for p in payloads)
        return [None] * len(payloads)

    monkeypatch.setattr(materials_cli.cli, "ask_as_admin", fake)
    path = write(tmp_path, CATALOGUE.replace("张", "sheet"), "utf-8")
    code = materials_cli.main(["import-catalogue", "--project-id", "1", "--file", path])
    err = capsys.readouterr().err
    assert code == 1 and sent == ["FP-A", "BAG"]
    assert "line 3: unit_price: not a money amount: '三十五'" in err
    assert "imported 2 rows, 1 errors (read as utf-8-sig)" in err


def test_an_unreadable_file_is_an_error_line_not_a_traceback(tmp_path, capsys):
    code = materials_cli.main(["import-catalogue", "--project-id", "1", "--file",
                               _binary(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
