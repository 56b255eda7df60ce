"""The demo city (济南市): counts, uniqueness, valid codes, places inside Jinan, realistic mix, determinism."""
import csv
import io
import re
from collections import Counter

import pytest

from schemas import regions, sectors
from schemas.identifiers import check_coordinates, check_uscc
from server.demo import generate
from server.demo.generate import (CITY_BOX, COUNTIES, ENTERPRISE_HEADERS, INSPECTOR_HEADERS, enterprise_rows,
                                  inspector_rows, write_csv)


@pytest.fixture(scope="module")
def enterprises():
    return enterprise_rows()


@pytest.fixture(scope="module")
def inspectors(enterprises):
    return inspector_rows(enterprises)


def test_enterprise_rows_have_the_import_headers_and_unique_keys(enterprises):
    assert len(enterprises) == 2400
    assert all(tuple(row) == ENTERPRISE_HEADERS for row in enterprises)
    for header in ("统一社会信用代码", "企业名称", "联系电话"):
        assert len({row[header] for row in enterprises}) == 2400, header


def test_every_code_is_valid_and_matches_a_real_jinan_county(enterprises):
    for row in enterprises:
        region = row["行政区划代码"]
        assert regions.is_known(region) and regions.level(region) == "county"
        assert regions.within(region, "370100") and region in COUNTIES
        assert check_uscc(row["统一社会信用代码"]) == row["统一社会信用代码"]
        assert row["统一社会信用代码"][2:8] == region
        assert row["地址"].startswith("济南市" + regions.name(region))
    assert set(COUNTIES) == set(regions.under("370100", "county"))


def test_coordinates_inside_their_county_box_and_jinan(enterprises):
    lng0, lng1, lat0, lat1 = CITY_BOX
    for row in enterprises:
        lng, lat = check_coordinates(float(row["经度"]), float(row["纬度"]))
        box = COUNTIES[row["行政区划代码"]][0]
        assert box[0] <= lng <= box[1] and box[2] <= lat <= box[3]
        assert lng0 <= lng <= lng1 and lat0 <= lat <= lat1
    for box, _, _ in COUNTIES.values():  # every county box lies inside the city's box
        assert lng0 <= box[0] < box[1] <= lng1 and lat0 <= box[2] < box[3] <= lat1


def test_realistic_mix(enterprises):
    by_sector = Counter(sectors.to_code(row["行业"]) for row in enterprises)
    assert set(by_sector) == set(sectors.codes())
    share = {code: count / len(enterprises) for code, count in by_sector.items()}
    industry_trade = {s["code"] for s in sectors.all_sectors() if s["group"] == "industry_trade"}
    assert sum(share[c] for c in industry_trade) > 0.7
    assert 0.08 <= share["hazardous_chemicals"] <= 0.10
    assert 0 < share["coal_mine"] + share["non_coal_mine"] < 0.04
    assert 0 < share["fireworks"] < 0.02 and 0 < share["construction"] < 0.05
    risk = Counter(row["风险等级"] for row in enterprises)
    assert set(risk) == set("红橙黄蓝") and risk["红"] < 0.05 * 2400 and risk["黄"] + risk["蓝"] > 0.75 * 2400
    assert {row["标准化等级"] for row in enterprises} == {"一级", "二级", "三级", "未定级"}
    assert {row["信用等级"] for row in enterprises} == set("ABCD")
    mines = [row["行政区划代码"] for row in enterprises if row["行业"] in ("煤矿", "金属非金属矿山")]
    assert not {"370102", "370103", "370104", "370105"} & set(mines)  # no mines in the city centre


def test_names_phones_and_people_look_real(enterprises):
    for row in enterprises:
        assert re.fullmatch(r"(济南|山东|章丘|莱芜|钢城|长清|济阳|平阴|商河)\w{4,14}(有限公司|有限责任公司)", row["企业名称"])
        assert re.fullmatch(r"1[3-9]\d{9}|0531-\d{8}", row["联系电话"])
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", row["法定代表人"])


def test_inspectors(enterprises, inspectors):
    assert len(inspectors) == 60 and all(tuple(row) == INSPECTOR_HEADERS for row in inspectors)
    kinds = Counter(row["人员类别"] for row in inspectors)
    assert kinds == {"执法人员": 48, "专家": 12}
    assert len({row["执法证号"] for row in inspectors}) == 60
    assert len({row["手机号"] for row in inspectors}) == 60
    usccs = {row["统一社会信用代码"]: row["行政区划代码"] for row in enterprises}
    for row in inspectors:
        assert regions.within(row["行政区划代码"], "370100")
        assert re.fullmatch(r"1[3-9]\d{9}", row["手机号"])
        names = row["执法领域"].split("、")
        assert names and all(sectors.to_code(name) for name in names)
        avoided = [c for c in row["回避企业"].split(";") if c]
        assert len(avoided) <= 2 and all(regions.within(usccs[c], row["行政区划代码"]) for c in avoided)
        if row["人员类别"] == "执法人员":
            assert re.fullmatch(r"\d{14}", row["执法证号"]) and row["单位"].endswith("应急管理局")
    assert any(row["回避企业"] for row in inspectors)
    assert {row["单位"] for row in inspectors} >= {"济南市应急管理局", "历下区应急管理局", "章丘区应急管理局"}


def test_every_sector_has_at_least_three_certified_inspectors(inspectors):
    officers = [row for row in inspectors if row["人员类别"] == "执法人员"]
    qualified = Counter(name for row in officers for name in row["执法领域"].split("、"))
    assert all(qualified[sectors.label(code)] >= 3 for code in sectors.codes())


def test_deterministic_for_a_seed_and_different_for_another():
    assert enterprise_rows(50, seed=9) == enterprise_rows(50, seed=9)
    assert enterprise_rows(50, seed=9) != enterprise_rows(50, seed=10)
    rows = enterprise_rows(50, seed=9)
    assert inspector_rows(rows, 20, 4, seed=2) == inspector_rows(rows, 20, 4, seed=2)


def test_small_and_odd_sizes():
    assert enterprise_rows(0) == []
    people = inspector_rows([], n=3, experts=3)
    assert [row["人员类别"] for row in people] == ["专家"] * 3 and all(row["回避企业"] == "" for row in people)
    with pytest.raises(ValueError):
        inspector_rows([], n=2, experts=3)


def test_write_csv_has_bom_and_reads_back(tmp_path):
    rows = enterprise_rows(5)
    write_csv(rows, tmp_path / "e.csv")
    data = (tmp_path / "e.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))) == rows
    buffer = io.BytesIO()
    write_csv(rows, buffer)
    assert buffer.getvalue() == data
    write_csv([], tmp_path / "empty.csv", INSPECTOR_HEADERS)
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8-sig").strip() == ",".join(INSPECTOR_HEADERS)
    with pytest.raises(ValueError):
        write_csv([], tmp_path / "none.csv")


def test_cli_writes_both_files(tmp_path):
    generate.main(["--out", str(tmp_path / "out"), "--enterprises", "30", "--inspectors", "10", "--experts", "2"])
    enterprises = list(csv.DictReader(io.StringIO((tmp_path / "out" / "enterprises.csv").read_text("utf-8-sig"))))
    inspectors = list(csv.DictReader(io.StringIO((tmp_path / "out" / "inspectors.csv").read_text("utf-8-sig"))))
    assert len(enterprises) == 30 and len(inspectors) == 10
    assert enterprises == enterprise_rows(30)
