"""Issue 15: export files an office opens as they are in Chinese Excel (xlsx: bold frozen
header, fitted widths, local date-times, yuan; CSV: UTF-8 with BOM or GBK), and each export's
Chinese/English headers with names beside ids."""
import base64
import csv
import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from services.attendance import rules as att_rules
from services.attendance.usecases import report as att_report
from services.common.errors import Unprocessable
from services.common.export import MONEY_FORMAT, display_width, table_file
from tests.unit.test_clients_usecases import (  # noqa: F401 (office: a fixture)
    CA,
    MANAGER,
    confirmed_unit,
    customer_with_owner,
    office,
)
from tests.unit.test_clients_usecases import PID as CPID
from tests.unit.test_clients_usecases import act as clients_act
from tests.unit.test_clients_usecases import usecases as clients
from tests.unit.test_materials_usecases import MANAGER as MAT_MANAGER
from tests.unit.test_materials_usecases import STOREKEEPER, act, item, session  # noqa: F401
from tests.unit.test_materials_usecases import usecases as materials

COLUMNS = [("person_id", "人员编号 Person ID", "int"), ("name", "姓名 Name"),
           ("at", "时间 At", "datetime"), ("day", "日期 Day", "date"),
           ("fines", "罚款 Fines", "money"), ("price", "单价 Unit price", "cents"),
           ("rate", "到访率 Rate", "percent"), ("low", "低库存 Low", "bool"),
           ("note", "备注 Note")]
ROWS = [{"person_id": 7, "name": "欧阳娜娜", "at": "2026-03-02T00:30:00+00:00",
         "day": "2026-03-02", "fines": 250, "price": 50, "rate": 0.5, "low": True,
         "note": "x" * 100},
        {"person_id": 8, "name": "Li", "at": datetime(2026, 3, 2, 23, 0, tzinfo=timezone.utc),
         "day": date(2026, 3, 3), "fines": 12.5, "price": None, "rate": None, "low": False,
         "note": ""}]


def sheet_of(f):
    return load_workbook(io.BytesIO(base64.b64decode(f["content_b64"]))).active


def text_of(f, encoding="utf-8-sig"):
    return base64.b64decode(f["content_b64"]).decode(encoding)


def test_xlsx_header_is_bold_and_frozen_and_widths_fit_the_content():
    sheet = sheet_of(table_file(ROWS, COLUMNS, "xlsx", "r", title="考勤 2026-03"))
    assert [c.value for c in sheet[1]] == [h for _, h, *_ in COLUMNS]
    assert all(c.font.b for c in sheet[1]) and not sheet["B2"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I3"
    assert sheet.title == "考勤 2026-03"
    width = {c: sheet.column_dimensions[c].width for c in "ABCDI"}
    # 姓名 Name = 9 columns wide, 欧阳娜娜 = 8: the header wins; CJK counts two
    assert width["B"] == display_width("姓名 Name") + 2 == 11
    assert width["C"] == 19 + 2                                  # yyyy-mm-dd hh:mm:ss
    assert width["D"] == 10 + 2                                  # yyyy-mm-dd
    assert width["I"] == 60                                      # capped


def test_xlsx_instants_are_local_datetimes_and_dates_are_dates():
    sheet = sheet_of(table_file(ROWS, COLUMNS, "xlsx", "r"))
    at = sheet["C2"]
    assert at.value == datetime(2026, 3, 2, 8, 30) and at.is_date     # Asia/Shanghai
    assert at.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["C3"].value == datetime(2026, 3, 3, 7, 0)             # the next local day
    assert sheet["D2"].value == datetime(2026, 3, 2) and sheet["D2"].number_format == \
        "yyyy-mm-dd"
    tokyo = sheet_of(table_file(ROWS, COLUMNS, "xlsx", "r", tz="Asia/Tokyo"))
    assert tokyo["C2"].value == datetime(2026, 3, 2, 9, 30)


def test_xlsx_money_is_yuan_and_numbers_are_numbers():
    sheet = sheet_of(table_file(ROWS, COLUMNS, "xlsx", "r"))
    assert sheet["E2"].value == 250 and sheet["E2"].number_format == MONEY_FORMAT == \
        '"¥"#,##0.00'
    assert sheet["E3"].value == 12.5
    assert sheet["F2"].value == 0.5 and sheet["F2"].number_format == MONEY_FORMAT   # 50 fen
    assert sheet["F3"].value is None
    assert sheet["A2"].value == 7 and isinstance(sheet["A2"].value, int)
    assert sheet["G2"].value == 0.5 and sheet["G2"].number_format == "0.0%"
    assert (sheet["H2"].value, sheet["H3"].value) == ("是", "否")


def test_csv_is_utf8_with_bom_by_default_and_local_times_and_yuan():
    f = table_file(ROWS, COLUMNS, "csv", "report-2026-03")
    raw = base64.b64decode(f["content_b64"])
    assert raw.startswith(b"\xef\xbb\xbf") and f["content_type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(text_of(f))))
    assert rows[0][:2] == ["人员编号 Person ID", "姓名 Name"]
    assert rows[1][:8] == ["7", "欧阳娜娜", "2026-03-02 08:30:00", "2026-03-02", "250.00",
                           "0.50", "0.5", "是"]
    assert rows[2][2:6] == ["2026-03-03 07:00:00", "2026-03-03", "12.50", ""]


def test_csv_gbk_for_older_excel_round_trips():
    f = table_file(ROWS, COLUMNS, "csv", "r", encoding="gbk")
    raw = base64.b64decode(f["content_b64"])
    assert not raw.startswith(b"\xef\xbb\xbf") and "gb18030" in f["content_type"]
    assert "欧阳娜娜".encode("gbk") in raw
    rows = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert rows[0][1] == "姓名 Name" and rows[1][1] == "欧阳娜娜"
    with pytest.raises(Unprocessable) as bad:
        table_file(ROWS, COLUMNS, "csv", "r", encoding="latin-1")
    assert bad.value.field == "encoding"


def test_two_part_columns_still_work():
    f = table_file([{"name": "李娜", "late": 2}], [("name", "姓名 Name"), ("late", "Late")],
                   "csv", "r")
    assert text_of(f).splitlines() == ["姓名 Name,Late", "李娜,2"]


def test_attendance_report_columns_are_chinese_and_english_with_yuan():
    columns = [att_report._column(c) for c in
               list(att_rules.REPORT_COLUMNS) + list(att_rules.PAY_COLUMNS)]
    assert all(header != key and any("\u4e00" <= ch <= "\u9fff" for ch in header)
               for key, header, _ in columns)
    kinds = {key: kind for key, _, kind in columns}
    assert {k for k, v in kinds.items() if v == "money"} == {
        "fines", "monthly_salary", "absence_deduction", "full_attendance_bonus"}
    assert [h for _, h, _ in att_report.REPORT_COLUMNS[2:4]] == ["人员编号 Person ID",
                                                                 "姓名 Name"]


def test_materials_exports_carry_names_yuan_and_local_times(session):  # noqa: F811
    made = item(session, stock=5)
    act(session, STOREKEEPER, materials.create_ledger_entry, {
        "item_id": made["id"], "quantity": 1, "location": "沙盘区", "responsible_id": 11,
        "state": "in_use", "note": ""})
    stock = sheet_of(act(session, MAT_MANAGER, materials.export_stock, {"format": "xlsx"}))
    header = [c.value for c in stock[1]]
    assert header[:2] == ["编码 Code", "名称 Name"] and header[6] == "单价 Unit price"
    assert stock.cell(2, 7).value == 0.5 and stock.cell(2, 7).number_format == MONEY_FORMAT
    assert stock.cell(2, 9).value == 5                        # available, where it was
    moves = sheet_of(act(session, MAT_MANAGER, materials.export_movements, {"format": "xlsx"}))
    row = dict(zip([c.value for c in moves[1]], [c.value for c in moves[2]]))
    assert row["时间 At"] == datetime(2026, 3, 2, 10, 0)     # MONDAY 10:00 local
    assert row["名称 Item"] == "户型单张 FP-A" and row["经办人 Actor"] == "#5"
    ledger = act(session, MAT_MANAGER, materials.export_ledger, {"encoding": "gbk"})
    rows = list(csv.DictReader(io.StringIO(text_of(ledger, "gb18030"))))
    assert (rows[0]["责任人编号 Responsible ID"], rows[0]["责任人 Responsible"]) == ("11", "#11")
    assert rows[0]["已报废 Reported for disposal"] == "否"
    with pytest.raises(Unprocessable):
        act(session, MAT_MANAGER, materials.export_stock, {"encoding": "big5"})


def test_conversion_export_names_the_consultant(office):  # noqa: F811
    c = customer_with_owner(office)
    clients.subscribe(clients_act(office, CA), CPID, {"unit_id": confirmed_unit(office)["id"],
                                                      "customer_id": c, "closer_id": None})
    q = {"by": "consultant", "period": "month", "format": "xlsx"}
    sheet = sheet_of(clients.conversion(clients_act(office, MANAGER), CPID, q))
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["顾问编号 Consultant ID", "顾问 Consultant", "来电 Calls"]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert row["顾问编号 Consultant ID"] == CA.person_id and row["顾问 Consultant"]
    assert row["到访成交率 Visit to deal"] == 1.0 and sheet.cell(2, 7).number_format == "0.0%"
    f = clients.conversion(clients_act(office, MANAGER), CPID, dict(q, by="media_source",
                                                                   format="csv"))
    assert text_of(f).splitlines()[0].startswith("媒体来源 Media source,来电 Calls")
