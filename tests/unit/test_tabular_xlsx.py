"""XLSX registers (round trip, numbers as codes, hostile archives) and exports with formula injection escaped."""
import io
import re
import time
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import i18n
from i18n import Problem
from server.registry.tabular import neutralise, read_table, template, write_table
from server.registry.tabular.cells import clean

HEAD = ["企业名称", "统一社会信用代码", "行政区划代码", "行业", "地址"]
ENTERPRISE = {"name": "济南泉城机械有限公司", "uscc": "91370102MA3C5EXJ4X", "region": "370102",
              "industry": "机械", "address": "济南市历下区泉城路1号", "legal_rep": "王五",
              "phone": "+86 531 1234567", "lng": 117.0189, "lat": 36.6512, "risk": "红", "std_level": "一级",
              "credit": "A"}
INSPECTOR = {"name": "张三", "cert_no": "37010200001", "unit": "历下区应急管理局", "region": "370102",
             "sectors": ["危险化学品", "机械"], "mobile": "13800000000", "avoid": "91370102MA3C5EXJ4X",
             "kind": "专家"}
HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", " =1+1", "'=1+1"]


def workbook_bytes(*sheets: tuple[str, list[list]], hidden: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title == hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (replace or {}).get(item.filename, src.read(item.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def refused(data: bytes, kind: str = "enterprises", **kwargs) -> Problem:
    with pytest.raises(Problem) as caught:
        read_table(data, "register.xlsx", kind, **kwargs)
    for locale in i18n.LOCALES:
        assert caught.value.code in i18n.catalogue(locale)
    return caught.value


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("kind,record", [("enterprises", ENTERPRISE), ("inspectors", INSPECTOR)])
def test_export_then_import_gives_the_same_values(fmt, locale, kind, record):
    other = {**record, "name": "李四", "legal_rep": HOSTILE[0], "mobile": "", "cert_no": "37010200002"}
    parsed = read_table(write_table([record, other, {**record, "extra": "ignored"}], kind, fmt, locale),
                        f"export.{fmt}", kind)
    assert [line for line, _ in parsed.rows] == [2, 3, 4]
    first = parsed.rows[0][1]
    assert first["region"] == "370102" and first["name"] == record["name"]
    if kind == "enterprises":
        assert (first["lng"], first["lat"], first["phone"]) == ("117.0189", "36.6512", "+86 531 1234567")
        assert parsed.rows[1][1]["legal_rep"] == HOSTILE[0]
    else:
        assert first["sectors"] == "危险化学品、机械" and first["kind"] == "专家"
    assert "extra" not in parsed.rows[2][1] and parsed.problems == []


def test_numbers_stored_as_numbers_come_back_as_the_digits_typed():
    data = workbook_bytes(("Sheet1", [
        HEAD + ["联系电话", "经度", "纬度"],
        ["甲公司", "91370102MA3C5EXJ4X", 370102, "机械", "济南", 13800000000.0, 117.0189, 36.6512],
        ["乙公司", "91370102MA3C5EXJ4X", 3.70102e5, "机械", datetime(2024, 5, 1), 5.31e-05, 117, -0.0],
        ["丙公司", 9.11101085906012e17, 370102, True, date(2024, 5, 1), 1, datetime(2024, 5, 1, 8, 30), 0.1],
    ]))
    parsed = read_table(data, "numbers.xlsx", "enterprises")
    first, second, third = (row for _, row in parsed.rows)
    assert (first["region"], first["phone"], first["lng"]) == ("370102", "13800000000", "117.0189")
    assert (second["region"], second["address"], second["phone"], second["lat"]) == ("370102", "2024-05-01",
                                                                                       "0.0000531", "0")
    assert (third["uscc"], third["industry"], third["lng"]) == ("911101085906012000", "TRUE", "2024-05-01T08:30:00")
    assert [(p.line, p.field, p.code) for p in parsed.problems] == [(4, "uscc", "tabular.number_precision")]
    assert parsed.problems[0].params["header"] == "统一社会信用代码"


def test_the_sheet_named_for_the_register_wins_and_hidden_sheets_are_skipped():
    rows = [HEAD, ["甲公司", "91370102MA3C5EXJ4X", "370102", "机械", "济南"]]
    named = workbook_bytes(("说明", [["请在“企业”表中填写"]]), ("企业", rows))
    assert read_table(named, "a.xlsx", "enterprises").rows[0][1]["name"] == "甲公司"
    hidden = workbook_bytes(("lookup", [["x"]]), ("Sheet2", rows), hidden="lookup")
    assert read_table(hidden, "a.xlsx", "enterprises").rows[0][1]["name"] == "甲公司"


def test_blank_rows_keep_excel_row_numbers():
    rows = [[], HEAD, ["甲公司", "91370102MA3C5EXJ4X", "370102", "机械", "济南"], [], [None, " ", None],
            ["乙公司", "91370102MA3C5EXJ4X", "370102", "机械", "济南"]]
    parsed = read_table(workbook_bytes(("Sheet1", rows)), "a.xlsx", "enterprises")
    assert [line for line, _ in parsed.rows] == [3, 6]


def test_a_declared_dimension_of_the_whole_grid_costs_nothing():
    data = workbook_bytes(("Sheet1", [HEAD] + [["甲公司", "91370102MA3C5EXJ4X", "370102", "机械", "济南"]] * 1000))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    assert "XFD1048576" in sheet
    start = time.process_time()
    parsed = read_table(rezip(data, {"xl/worksheets/sheet1.xml": sheet.encode()}), "a.xlsx", "enterprises")
    assert time.process_time() - start < 1 and len(parsed.rows) == 1000 and parsed.problems == []


def test_a_stray_cell_far_right_is_reported_and_many_make_the_sheet_too_wide():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for line in range(2, 80):
        sheet.append(["甲公司", "91370102MA3C5EXJ4X", "370102", "机械", "济南"])
        sheet.cell(row=line, column=16384, value="x")
    out = io.BytesIO()
    book.save(out)
    parsed = read_table(out.getvalue(), "a.xlsx", "enterprises")
    assert parsed.problems[0].code == "tabular.extra_cells" and parsed.problems[0].params["columns"] == "XFD"
    assert refused(out.getvalue(), max_rows=100).code == "tabular.too_wide"  # 1M cells: row 62


def _bomb(total_mb: int, members: int = 1) -> bytes:
    out = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(members):
            with archive.open(f"xl/worksheets/sheet{index}.xml", "w") as part:
                for _ in range(total_mb // members):
                    part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking():
    data = _bomb(101)
    assert len(data) < 1024 * 1024
    start = time.process_time()
    problem = refused(data)
    assert time.process_time() - start < 0.2
    assert problem.code == "tabular.xlsx_too_large"


def test_an_archive_of_too_many_parts_is_refused():
    assert refused(_bomb(0, members=1001)).code == "tabular.xlsx_too_large"


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><sst>&lol2;</sst>')


@pytest.mark.parametrize("name,body", [
    ("xl/sharedStrings.xml", BILLION_LAUGHS),
    ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
    ("docProps/custom.bin", BILLION_LAUGHS.decode().encode("utf-16")),
    ("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><!-- ' + b"x" * 2_000_000
     + b' --><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><worksheet/>'),
])
def test_xml_with_a_doctype_is_refused(name, body):
    data = write_table([ENTERPRISE], "enterprises", "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        present = name in archive.namelist()
    patched = rezip(data, replace={name: body}) if present else rezip(data, add={name: body})
    assert refused(patched).code == "tabular.xlsx_unsafe"


def test_broken_and_foreign_archives():
    data = write_table([ENTERPRISE], "enterprises", "xlsx")
    assert refused(data[: len(data) // 2]).code == "tabular.xlsx_unreadable"
    assert refused(b"PK\x05\x06" + b"\0" * 18).code == "tabular.not_xlsx"
    docx_like = io.BytesIO()
    with zipfile.ZipFile(docx_like, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert refused(docx_like.getvalue()).code == "tabular.not_xlsx"
    no_sheets = rezip(data, replace={"xl/workbook.xml": b"<workbook/>"})
    assert refused(no_sheets).code == "tabular.empty"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    broken_midway = rezip(data, replace={"xl/worksheets/sheet1.xml": sheet[: len(sheet) * 2 // 3]})
    assert refused(broken_midway).code == "tabular.xlsx_unreadable"


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_escapes_every_formula_trigger(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["济南", "", "a=b", "91370102MA3C5EXJ4X", "'abc", "'", "3-2"])
def test_neutralise_leaves_harmless_values_alone(value):
    assert neutralise(value) == value


def test_csv_export_escapes_formulas_and_opens_in_excel():
    rows = [{**ENTERPRISE, "name": value, "phone": None} for value in HOSTILE]
    body = write_table(rows, "enterprises", "csv")
    assert body.startswith(b"\xef\xbb\xbf\xe4\xbc\x81\xe4\xb8\x9a") and b"\r\n" in body  # BOM, then 企业
    text = body.decode("utf-8-sig")
    assert "\r\n'=cmd|' /C calc'!A0," in text
    first_cells = [line.split(",")[0] for line in text.split("\r\n")[1:] if line]
    assert not any(cell.lstrip('"').lstrip()[:1] in "=+-@\t\r" for cell in first_cells if cell)
    assert write_table(rows, "enterprises", "csv", "en").decode("utf-8-sig").startswith("Name,USCC,Region code")


def test_xlsx_export_holds_only_strings_and_no_formula():
    rows = [{**ENTERPRISE, "name": value, "legal_rep": "bell\x07\x00"} for value in HOSTILE]
    data = write_table(rows, "enterprises", "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert set(re.findall(r'<c [^>]*t="(\w+)"', sheet)) <= {"inlineStr", "s"}
    cells = openpyxl.load_workbook(io.BytesIO(data)).active
    names = [cells.cell(row=r, column=1).value for r in range(2, len(HOSTILE) + 2)]
    assert names == ["'" + value.replace("\r", "\n") for value in HOSTILE]  # XML reads CR as LF
    assert cells.cell(row=2, column=6).value == "bell"


def test_templates_hold_headers_only_and_explain_each_column():
    assert template("enterprises", "csv").decode("utf-8-sig") == ",".join(
        ["企业名称", "统一社会信用代码", "行政区划代码", "行业", "地址", "法定代表人", "联系电话", "经度", "纬度",
         "风险等级", "标准化等级", "信用等级"]) + "\r\n"
    book = openpyxl.load_workbook(io.BytesIO(template("inspectors", "xlsx", "en")))
    assert book.sheetnames == ["Inspectors", "Notes"]
    sheet = book["Inspectors"]
    assert [c.value for c in sheet[1]] == ["Name", "Certificate number", "Unit", "Region code", "Sectors",
                                           "Mobile", "Avoid", "Kind"]
    assert sheet.max_row == 1 and sheet.column_dimensions["B"].number_format == "@"
    notes = [row for row in book["Notes"].iter_rows(min_row=4, values_only=True)]
    assert len(notes) == 8 and all(note[2] and not note[2].startswith("tabular.") for note in notes)
    for kind in ("enterprises", "inspectors"):
        for fmt in ("csv", "xlsx"):
            with pytest.raises(Problem) as caught:
                read_table(template(kind, fmt), f"t.{fmt}", kind)
            assert caught.value.code == "tabular.no_rows"
    with pytest.raises(ValueError):
        template("enterprises", "ods")


@settings(max_examples=25, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n'=+-@ "),
                     max_size=30))
def test_any_clean_value_survives_an_xlsx_export_and_import(value):
    assume(clean(value) == value)
    parsed = read_table(write_table([{**ENTERPRISE, "legal_rep": value}], "enterprises", "xlsx"), "a.xlsx",
                        "enterprises")
    assert parsed.rows[0][1]["legal_rep"] == value
