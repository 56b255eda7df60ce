"""统一社会信用代码 (GB 32100-2015) check and generator, and the coordinate check."""
import math
import random
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n import Problem
from schemas.identifiers import ALPHABET, AUTHORITY_KINDS, check_coordinates, check_uscc, make_uscc

# Published codes: the first four are well-known companies (华为技术, 深圳市腾讯计算机系统, 阿里巴巴(中国),
# 北京小米科技); the rest are from python-stdnum's test list and cover letters in the organisation code,
# a public institution (12…) and an individual business (92…). All pass both checks recomputed below.
REAL = ["914403001922038216", "91440300708461136T", "91330100716105852F", "91110108551385082Q",
        "91310115MA1K3BTP2B", "91620105L015101280", "121200004013590816", "92340603MA2PBMYMX1",
        "9144030071526726XG", "91340600MA2PBM9HXD"]


def reference_checks(code):
    """The standard's two checks written out independently of the module under test."""
    org = sum(int(c, 36) * w for c, w in zip(code[8:16], [3, 7, 9, 10, 5, 8, 4, 2]))
    org_char = {10: "X", 11: "0"}.get(11 - org % 11, str(11 - org % 11))
    total = sum(ALPHABET.index(c) * (3 ** i % 31) for i, c in enumerate(code[:17]))
    return org_char, ALPHABET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code):
    assert reference_checks(code) == (code[16], code[17])
    assert check_uscc(code) == code


def problem(code):
    with pytest.raises(Problem) as err:
        check_uscc(code)
    return err.value


@pytest.mark.parametrize("raw", [" 9144 0300 7084 6113 6t ", "91440300708461136t", "\t91440300708461136T\n",
                                 "９１４４０３００７０８４６１１３６Ｔ", "9144\u30000300708461136T"])
def test_normalises_spaces_case_and_full_width(raw):
    assert check_uscc(raw) == "91440300708461136T"


@pytest.mark.parametrize("raw,code", [(None, "uscc.empty"), ("", "uscc.empty"), ("   ", "uscc.empty"),
                                      (914403001922038216, "uscc.not_text"), (b"914403001922038216", "uscc.not_text"),
                                      (["9"], "uscc.not_text"), (9.14403e17, "uscc.not_text")])
def test_non_text_and_empty(raw, code):
    assert problem(raw).code == code


@pytest.mark.parametrize("raw,length", [("91440300708461136", 17), ("91440300708461136TT", 19), ("9", 1)])
def test_length(raw, length):
    err = problem(raw)
    assert err.code == "uscc.length" and err.params == {"length": length}


def test_one_megabyte_is_refused_fast_without_echoing_it():
    for raw in ("9" * (1 << 20), " " * (1 << 20), "91440300708461136T" + "\u200b" * (1 << 20)):
        started = time.perf_counter()
        err = problem(raw)
        assert time.perf_counter() - started < 0.05
        assert err.code == "uscc.length" and len(err.message()) < 200


@pytest.mark.parametrize("position", [1, 5, 9, 17, 18])
@pytest.mark.parametrize("bad", list("IOSVZ") + ["-", "中", "\u200b", "\x00"])
def test_charset_names_the_position(position, bad):
    code = "91440300708461136T"
    err = problem(code[:position - 1] + bad + code[position:])
    assert err.code == "uscc.charset" and err.params["position"] == position
    assert err.params["char"] == (bad if bad.isprintable() else f"U+{ord(bad):04X}")


@pytest.mark.parametrize("first", ["B", "0", "X", "M"])
def test_unknown_authority(first):
    err = problem(first + "1440300708461136T")
    assert err.code == "uscc.authority" and err.params["char"] == first
    assert "9" in err.message("zh_CN")


@pytest.mark.parametrize("pair", ["94", "99", "Y2", "22", "A2", "10", "N4", "3A"])
def test_kind_not_issued_by_that_authority(pair):
    err = problem(pair + "440300708461136T")
    assert err.code == "uscc.kind" and err.params["authority"] == pair[0] and err.params["char"] == pair[1]


def test_every_pair_of_the_standard_table_is_accepted():
    rng = random.Random(7)
    for authority, kinds in AUTHORITY_KINDS.items():
        for kind in kinds:
            code = make_uscc("370102", rng, authority, kind)
            assert check_uscc(code)[:2] == authority + kind


def test_region_part_must_be_digits_but_need_not_be_a_current_region():
    assert check_uscc(make_uscc("370181", random.Random(1)))  # 章丘市, retired in 2016: still valid
    err = problem("91A40300708461136T")
    assert err.code == "uscc.region" and err.params["region"] == "A40300"


def test_org_check_reports_the_expected_character():
    err = problem("91440300708461137T")
    assert err.code == "uscc.org_check" and err.params == {"expected": "6", "found": "7"}
    assert "“6”" in err.message("zh_CN") and '"6"' in err.message("en")


def test_check_char_reports_the_expected_character():
    err = problem("91440300708461136X")
    assert err.code == "uscc.check_char" and err.params == {"expected": "T", "found": "X"}
    assert "T" in err.message("zh_CN") and "T" in err.message("en")


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10 ** 9), position=st.integers(0, 17), replacement=st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(seed, position, replacement):
    code = make_uscc("370102", random.Random(seed))
    changed = code[:position] + replacement + code[position + 1:]
    if changed != code:
        with pytest.raises(Problem):
            check_uscc(changed)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10 ** 9), position=st.integers(0, 15))
def test_adjacent_transpositions_in_the_first_17_are_caught(seed, position):
    code = make_uscc("370102", random.Random(seed))
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    if swapped != code:
        with pytest.raises(Problem):
            check_uscc(swapped)


def test_make_uscc_is_valid_deterministic_and_embeds_the_region():
    made = [make_uscc("370112", random.Random(3)) for _ in range(2)]
    assert made[0] == made[1] and made[0][2:8] == "370112" and made[0][:2] == "91"
    rng = random.Random(5)
    codes = {make_uscc("370102", rng) for _ in range(2000)}
    assert len(codes) == 2000 and all(check_uscc(c) == c for c in codes)
    assert any(c[8:10] == "MA" for c in codes) and any(c[8:16].isdigit() for c in codes)


@pytest.mark.parametrize("args,code", [(("37010",), "uscc.region"), (("３７０１０２",), "uscc.region"),
                                       ((None,), "uscc.region"), (("370102", "B"), "uscc.authority"),
                                       (("370102", "9", "4"), "uscc.kind"), (("370102", "9", ""), "uscc.kind"),
                                       (("370102", "9", "12"), "uscc.kind")])
def test_make_uscc_refuses_bad_parts(args, code):
    region, *rest = args
    with pytest.raises(Problem) as err:
        make_uscc(region, random.Random(1), *rest)
    assert err.value.code == code


@pytest.mark.parametrize("lng,lat", [(117.0, 36.65), (117, 36), (Decimal("116.98"), Decimal("36.67")),
                                     (73.0, 54.0), (135.9, 3.1)])
def test_coordinates_in_china(lng, lat):
    assert check_coordinates(lng, lat) == (float(lng), float(lat))


@pytest.mark.parametrize("lng,lat,code", [
    ("117.0", 36.6, "coords.lng_not_number"), (117.0, None, "coords.lat_not_number"),
    (True, 36.6, "coords.lng_not_number"), ([117], 36.6, "coords.lng_not_number"),
    (math.nan, 36.6, "coords.lng_not_finite"), (117.0, math.inf, "coords.lat_not_finite"),
    (10 ** 400, 36.6, "coords.lng_not_finite"), (-math.inf, 36.6, "coords.lng_not_finite"),
    (36.65, 117.0, "coords.swapped"), (40.0, 116.4, "coords.swapped"),
    (181.0, 36.0, "coords.lng_range"), (117.0, -91.0, "coords.lat_range"),
    (0.0, 0.0, "coords.outside_china"), (-117.0, 36.6, "coords.outside_china"), (2.35, 48.85, "coords.outside_china"),
])
def test_bad_coordinates(lng, lat, code):
    with pytest.raises(Problem) as err:
        check_coordinates(lng, lat)
    assert err.value.code == code
    assert err.value.message("zh_CN") != code and err.value.message("en") != code
