"""Reading register spreadsheets as CSV: encodings, headers, line numbers, structural problems, hostile input."""
import random
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import i18n
from i18n import Problem
from server.registry.tabular import FIELDS, read_table, write_table
from server.registry.tabular.cells import clean

HEAD = "企业名称,统一社会信用代码,行政区划代码,行业,地址"
ROW = "济南泉城机械有限公司,91370102MA3C5EXJ4X,370102,机械,济南市历下区泉城路1号"
EXPECTED = {"name": "济南泉城机械有限公司", "uscc": "91370102MA3C5EXJ4X", "region": "370102",
            "industry": "机械", "address": "济南市历下区泉城路1号"}
SOURCE = Path(__file__).resolve().parents[2] / "server" / "registry" / "tabular"


def read(text: str | bytes, filename: str = "register.csv", kind: str = "enterprises", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_table(data, filename, kind, **kwargs)


def refused(text: str | bytes, filename: str = "register.csv", kind: str = "enterprises", **kwargs) -> Problem:
    """The Problem a file is refused with; its message must exist in both languages."""
    with pytest.raises(Problem) as caught:
        read(text, filename, kind, **kwargs)
    problem = caught.value
    for locale in i18n.LOCALES:
        assert problem.code in i18n.catalogue(locale), problem.code
    return problem


def codes(parsed) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.field, p.code) for p in parsed.problems]


def test_fields_name_each_column_once_with_the_required_ones():
    assert set(FIELDS) == {"enterprises", "inspectors"}
    required = {kind: {f for f, _, _, req in cols if req} for kind, cols in FIELDS.items()}
    assert required == {"enterprises": {"name", "uscc", "region", "industry", "address"},
                        "inspectors": {"name", "cert_no", "unit", "region", "sectors"}}
    for cols in FIELDS.values():
        assert all(len(entry) == 4 for entry in cols)
        assert len({f for f, *_ in cols}) == len(cols)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_chinese_csv_in_the_encodings_excel_writes(encoding):
    parsed = read(f"{HEAD}\r\n{ROW}\r\n".encode(encoding))
    assert parsed.rows == [(2, EXPECTED)]
    assert parsed.problems == []
    assert parsed.headers["uscc"] == "统一社会信用代码"


def test_english_headers_in_any_case_and_spacing_with_notes_and_full_width_parentheses():
    head = " enterprise NAME ,Credit  Code,region code,INDUSTRY,Address（必填）,*Phone,经度（WGS-84）,lat"
    parsed = read(f"{head}\n甲公司,91370102MA3C5EXJ4X,370102,机械,济南,0531-1234567,117.02,36.65\n")
    assert parsed.rows[0][1] == {**EXPECTED, "name": "甲公司", "address": "济南", "phone": "0531-1234567",
                                 "lng": "117.02", "lat": "36.65"}
    assert parsed.headers["address"] == "Address（必填）"


def test_canonical_field_names_are_accepted_as_headers():
    parsed = read("name,cert_no,unit,region,sectors,mobile,avoid,kind\n张三,鲁0001,历下区应急局,370102,机械,,,专家\n",
                  kind="inspectors")
    assert parsed.rows[0][1]["kind"] == "专家" and parsed.rows[0][1]["cert_no"] == "鲁0001"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_separated_files(delimiter):
    text = f"{HEAD}\n{ROW}\n".replace(",", delimiter).replace("济南市历下区泉城路1号", '"济南市历下区泉城路1号, 2号"')
    parsed = read(text)
    assert parsed.rows[0][1]["address"] == "济南市历下区泉城路1号, 2号"


def test_missing_required_headers_are_listed_in_the_users_language():
    problem = refused("企业名称,行业,地址\n甲公司,机械,济南\n", locale="zh_CN")
    assert problem.code == "tabular.missing_headers"
    assert problem.params["missing"] == "统一社会信用代码、行政区划代码"
    assert "统一社会信用代码" in problem.message("zh_CN")
    english = refused("企业名称,行业,地址\n甲公司,机械,济南\n", locale="en")
    assert english.params["missing"] == "USCC, Region code"


def test_a_misspelt_required_header_is_named_both_as_missing_and_as_unknown():
    problem = refused("企业明称,统一社会信用代码,行政区划代码,行业,地址\n甲,1,2,3,4\n", locale="zh_CN")
    assert problem.code == "tabular.missing_headers_typo"
    assert problem.params["missing"] == "企业名称" and problem.params["unknown"] == "企业明称"


@pytest.mark.parametrize("head", [HEAD + ",地址", HEAD + ",Address", HEAD + ",Credit code"])
def test_duplicate_headers_are_refused(head):
    problem = refused(f"{head}\n{ROW},x\n")
    assert problem.code == "tabular.duplicate_header"


def test_an_unknown_extra_header_is_refused_rather_than_its_column_dropped():
    problem = refused(f"{HEAD},备注\n{ROW},重点企业\n")
    assert (problem.code, problem.params["headers"], problem.params["line"]) == ("tabular.unknown_header", "备注", 1)


def test_a_title_line_above_the_headers_is_not_taken_for_headers():
    problem = refused(f"历下区企业名录\n{HEAD}\n{ROW}\n")
    assert (problem.code, problem.params["line"]) == ("tabular.no_header", 1)


def test_blank_lines_before_the_header_keep_their_numbers():
    assert read(f"\n\n{HEAD}\n{ROW}\n").rows[0][0] == 4


@pytest.mark.parametrize("data,code", [
    (b"", "tabular.empty"), (b"\xef\xbb\xbf", "tabular.empty"), (b" \r\n,,,\r\n\r\n", "tabular.empty"),
    ((HEAD + "\n").encode(), "tabular.no_rows"), ((HEAD + "\n\n,,,,\n").encode(), "tabular.no_rows"),
])
def test_empty_files_and_header_only_files(data, code):
    assert refused(data).code == code


def test_binary_garbage_is_an_encoding_problem():
    garbage = random.Random(7).randbytes(4096)
    assert refused(garbage).code == "tabular.encoding"
    assert refused(b"\x01\x02\x03 not text " * 10).code == "tabular.encoding"
    assert refused(HEAD.encode("utf-16-le")).code == "tabular.encoding"  # no BOM: byte order unknown


@pytest.mark.parametrize("data,filename,code", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "register.xls", "tabular.legacy_xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "register.csv", "tabular.legacy_xls"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "register.pdf", "tabular.not_a_table"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "register.csv", "tabular.not_a_table"),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", "scan.jpg", "tabular.not_a_table"),
    ("<html><table><tr><td>企业名称</td></tr></table></html>".encode("gbk"), "export.xls", "tabular.markup"),
    ((HEAD + "\n" + ROW).encode(), "register.xlsx", "tabular.xlsx_unreadable"),
])
def test_formats_that_are_not_tables_are_refused_by_content(data, filename, code):
    problem = refused(data, filename)
    assert problem.code == code
    if code == "tabular.not_a_table":
        assert problem.params["format"] in problem.message("en")


def test_a_50_mb_file_is_refused_before_any_parsing():
    data = (HEAD + "\n" + ROW + "\n").encode() * (50 * 1024 * 1024 // 120)
    assert len(data) > 20 * 1024 * 1024
    start = time.process_time()
    problem = refused(data)
    assert time.process_time() - start < 0.2
    assert problem.code == "tabular.too_big" and problem.params["max_mb"] == "20.0"


def test_more_rows_than_allowed_are_refused():
    data = (HEAD + "\n" + "甲,1,2,3,4\n" * 200_001).encode()
    problem = refused(data)
    assert (problem.code, problem.params["max"]) == ("tabular.too_many_rows", 200_000)
    assert len(read(f"{HEAD}\n" + f"{ROW}\n" * 3, max_rows=3).rows) == 3
    assert refused(f"{HEAD}\n" + f"{ROW}\n" * 4, max_rows=3).code == "tabular.too_many_rows"


def test_a_million_blank_lines_end_as_too_many_rows():
    assert refused(f"{HEAD}\n{ROW}\n" + "\n" * 1_048_576).code == "tabular.too_many_rows"


def test_line_numbers_count_blank_lines_and_a_multiline_cell_as_one_row_as_excel_does():
    text = f'{HEAD}\n{ROW}\n\n,,,,\n甲公司,91370102MA3C5EXJ4X,370102,机械,"济南市\n历下区 ""泉城路"""\n{ROW}\n'
    parsed = read(text)
    assert [line for line, _ in parsed.rows] == [2, 5, 6]
    assert parsed.rows[1][1]["address"] == '济南市\n历下区 "泉城路"'


def test_cells_beyond_the_headers_are_reported_not_dropped():
    parsed = read(f"{HEAD},\n{ROW},,\n{ROW},,多余\n{ROW},x\n")
    assert len(parsed.rows) == 3
    assert codes(parsed) == [(3, None, "tabular.extra_cells"), (4, None, "tabular.extra_cells")]
    assert parsed.problems[0].params["columns"] == "G" and parsed.problems[1].params["columns"] == "F"


def test_an_empty_required_cell_is_reported_with_the_header_as_written_and_the_row_kept():
    parsed = read(" Name ,USCC,Region code,Industry,Address\n甲公司,\u3000 ,370102,,济南\n")
    assert parsed.rows[0] == (2, {"name": "甲公司", "uscc": "", "region": "370102", "industry": "", "address": "济南"})
    assert codes(parsed) == [(2, "uscc", "tabular.required_empty"), (2, "industry", "tabular.required_empty")]
    assert parsed.problems[0].params == {"header": "USCC"}
    assert "USCC" in parsed.problems[0].message("en")


def test_an_unclosed_quote_names_its_line():
    problem = refused(f'{HEAD}\n{ROW}\n甲,"91370102MA3C5EXJ4X,370102,机械,济南\n')
    assert (problem.code, problem.params["line"]) == ("tabular.csv_malformed", 3)


def test_numbers_excel_rewrote_in_scientific_notation_are_flagged():
    parsed = read(f"{HEAD}\n甲公司,9.11101E+17,370102,机械,济南\n")
    assert codes(parsed) == [(2, "uscc", "tabular.scientific_notation")]
    cert = read("姓名,执法证号,单位,行政区划代码,执法领域\n张三,37E0012345,历下区应急局,370102,机械\n", kind="inspectors")
    assert cert.problems == []


def test_cells_lose_invisible_padding_and_export_escapes():
    parsed = read(f"{HEAD},联系电话\n\u200b甲公司\u00a0,91370102MA3C5EXJ4X,370102,机械,济南,'+8613800000000\n")
    assert parsed.rows[0][1]["name"] == "甲公司" and parsed.rows[0][1]["phone"] == "+8613800000000"


def test_an_unknown_register_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        read(f"{HEAD}\n{ROW}\n", kind="hazards")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n'=+-@ ,;\""), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_TEXT)
def test_any_clean_value_survives_a_csv_export_and_import(value):
    assume(clean(value) == value)
    parsed = read(write_table([{**EXPECTED, "legal_rep": value}], "enterprises", "csv"))
    assert parsed.rows[0][1]["legal_rep"] == value


def test_every_message_key_used_exists_in_both_languages():
    used = set()
    for path in SOURCE.glob("*.py"):
        used |= set(re.findall(r'"(tabular\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    used |= {f"tabular.note.{kind}.{f}" for kind, cols in FIELDS.items() for f, *_ in cols}
    used |= {f"tabular.sheet.{kind}" for kind in FIELDS}
    assert len(used) > 30
    for locale in i18n.LOCALES:
        assert used <= set(i18n.catalogue(locale)), used - set(i18n.catalogue(locale))
