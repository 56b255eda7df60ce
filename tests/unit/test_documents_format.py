"""Dates, times, numbers and text as the enforcement documents print them; DOC_AUTHORITIES."""
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, strategies as st

from server.config import ConfigError
from server.documents import authorities
from server.documents.formatting import clean, coordinates_cn, date_cn, datetime_cn, display_number, period_cn
from server.numbering import format_number
from server.documents.render import content_disposition, keep_together


@pytest.mark.parametrize("value,expected", [
    ("2026-12-01", "2026年12月1日"), (date(2026, 1, 9), "2026年1月9日"),
    ("2026-05-06T01:05:00Z", "2026年5月6日"),
    ("2026-05-06T17:30:00Z", "2026年5月7日"),          # after 16:00 UTC it is the next day in Shanghai
    ("2026-05-06T23:30:00+08:00", "2026年5月6日"),
    ("2026-02-30", ""), ("2026-05-06T01:05:00", ""),    # no such day; a time without its offset is not guessed
    (None, ""), ("", ""), (12, ""), ("x" * 500, ""),
])
def test_dates_without_leading_zeros(value, expected):
    assert date_cn(value) == expected


def test_times_to_the_minute_in_shanghai():
    assert datetime_cn("2026-05-06T01:05:59Z") == "2026年5月6日9时05分"
    assert datetime_cn(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)) == "2027年1月1日0时00分"
    assert datetime_cn("2026-05-06T09:05:00+08:00") == "2026年5月6日9时05分"


def test_period_repeats_the_date_only_across_midnight():
    assert period_cn("2026-05-06T01:05:00Z", "2026-05-06T03:20:00Z") == "2026年5月6日9时05分至11时20分"
    assert period_cn("2026-05-06T15:30:00Z", "2026-05-06T16:10:00Z") == "2026年5月6日23时30分至2026年5月7日0时10分"
    assert period_cn("2026-05-06T01:05:00Z", None) == "2026年5月6日9时05分至"
    assert period_cn(None, "2026-05-06T03:20:00Z") == ""


def test_numbers_taken_by_numbering_print_in_the_domain_style():
    """server.numbering writes the number once; the documents only typeset what is stored."""
    assert display_number(format_number("record", "历下", 2026, 12)) == "（历下）应急检记〔2026〕12号"
    assert display_number(format_number("order", "济", 2026, 3)) == "（济）应急责改〔2026〕3号"
    assert display_number(format_number("reinspection", "历下", 2027, 1)) == "（历下）应急复查〔2027〕1号"
    assert display_number(format_number("decision", "历下", 2026, 7)) == "（历下）应急现决〔2026〕7号"


def test_a_stored_number_is_shown_with_full_width_brackets_and_never_invented():
    assert display_number("(历下)应急检记[2026]12号") == "（历下）应急检记〔2026〕12号"
    assert display_number("（历下）应急检记〔2026〕12号") == "（历下）应急检记〔2026〕12号"
    for absent in (None, "", "   ", 12, {"seq": 12}, "x" * 61, "一\n二"):
        assert display_number(absent) is None


def test_clean_removes_controls_and_bidi_overrides_but_keeps_markup_as_text():
    assert clean("a\x00b\x07c\x1b[31m\u202etxt.exe\u202c") == "abc[31mtxt.exe"
    assert clean("<script>alert(1)</script>") == "<script>alert(1)</script>"
    assert clean("line1\r\nline2\rline3\tend") == "line1\nline2\nline3 end"
    assert clean("e\u0301") == "é"                                    # NFC
    assert clean("张" * 60, 50) == "张" * 49 + "…"
    assert clean(None) == "" and clean(12.5) == "12.5"


@given(st.text(max_size=300))
def test_clean_never_leaves_a_control_character(text):
    assert not any(ord(c) < 32 and c != "\n" for c in clean(text))


def test_coordinates_in_words():
    assert coordinates_cn({"lat": 36.66012, "lng": 117.05019, "accuracy_m": 12.4}) == \
        "北纬36.66012°，东经117.05019°（精度约12米，WGS-84）"
    assert coordinates_cn({"lat": -1, "lng": -2}) == "南纬1.00000°，西经2.00000°"
    assert coordinates_cn(None) == "" and coordinates_cn({"lat": "x"}) == ""


def test_content_disposition_names_the_file_in_utf8():
    header = content_disposition("责令限期整改指令书（历下）应急责改〔2026〕3号.pdf", "order-x.pdf")
    assert header.startswith('inline; filename="order-x.pdf"; filename*=UTF-8\'\'')
    assert "%E8%B4%A3%E4%BB%A4" in header and "〔" not in header and " " not in header.split("filename*=")[1]


def test_numbers_and_dates_are_kept_on_one_line_and_the_rest_escaped():
    out = keep_together("<b>于2026年5月8日作出了（历下）应急责改〔2026〕3号")
    assert out.startswith("&lt;b&gt;于")
    assert '<span class="nowrap">2026年5月8日</span>' in out
    assert '<span class="nowrap">（历下）应急责改〔2026〕3号</span>' in out


def test_authorities_defaults_from_the_region_table():
    assert authorities.authority("370102", {}) == {
        "name": "济南市历下区应急管理局", "reconsideration": "济南市历下区人民政府", "court": "济南市历下区人民法院"}
    assert authorities.authority("370100", {})["name"] == "济南市应急管理局"
    assert authorities.authority("999999", {}) == {"name": "应急管理部门", "reconsideration": "", "court": ""}


def test_authorities_settings_court_applies_below_name_does_not():
    table = authorities.parse('{"370100": {"name": "济南市应急管理局", "court": "济南铁路运输法院"}}')
    got = authorities.authority("370102", table)
    assert got["court"] == "济南铁路运输法院"                      # 集中管辖: the city's cases go to one court
    assert got["name"] == "济南市历下区应急管理局"                 # a county's bureau is not its city's


@pytest.mark.parametrize("raw,fragment", [
    ("{", "JSON"), ("[]", "object"), ('{"999999": {}}', "999999"), ('{"370102": {"seal": "x"}}', "only"),
    ('{"370102": {"name": ""}}', "60"), ('{"370102": {"name": "' + "局" * 61 + '"}}', "60"),
    ('{"370102": "济南"}', "only"),
])
def test_authorities_settings_refused_with_what_to_fix(raw, fragment):
    with pytest.raises(ConfigError, match=fragment):
        authorities.parse(raw)


def test_loading_the_pdf_renderer_leaves_pillow_strict_for_the_photo_pipeline():
    from PIL import ImageFile

    from server.documents import render
    render.weasyprint()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
