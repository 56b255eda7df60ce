"""The GB/T 2260 region table and its lookups: names, levels, parents, scope prefixes, operator files."""
import pytest

from i18n import Problem
from schemas import regions


@pytest.mark.parametrize("code,name,level", [
    ("370102", "历下区", "county"), ("370112", "历城区", "county"), ("370114", "章丘区", "county"),
    ("370116", "莱芜区", "county"), ("110101", "东城区", "county"), ("370100", "济南市", "prefecture"),
    ("370000", "山东省", "province"), ("429004", "仙桃市", "county"), ("441900", "东莞市", "prefecture"),
])
def test_known_codes(code, name, level):
    assert regions.is_known(code)
    assert regions.name(code) == name and regions.level(code) == level


def test_shipped_table_is_national_and_small():
    rows = regions.table()
    levels = [lvl for _, lvl in rows.values()]
    assert 3100 < len(rows) < 3400
    assert levels.count("province") == 34 and levels.count("prefecture") > 330
    assert regions.DEFAULT_PATH.stat().st_size < 300_000
    assert "370181" not in rows  # 章丘市 became 章丘区 (370114) in 2016: retired codes are gone


@pytest.mark.parametrize("code,prefix", [("370000", "37"), ("370100", "3701"), ("370102", "370102"),
                                         ("110000", "11"), ("429004", "429004")])
def test_scope_prefix(code, prefix):
    assert regions.scope_prefix(code) == prefix


@pytest.mark.parametrize("bad", ["000000", "37010", "3701020", "37010a", "３７０１０２", " 370102", None, 370102, ""])
def test_scope_prefix_refuses_malformed_codes(bad):
    # "000000" would otherwise give the prefix "" and a scope over the whole country
    with pytest.raises(Problem) as err:
        regions.scope_prefix(bad)
    assert err.value.code == "region.format"


@pytest.mark.parametrize("code,scope,expected", [
    ("370102", "370100", True), ("370100", "370100", True), ("370102", "370000", True),
    ("370202", "370100", False), ("370103", "370102", False), ("110101", "370000", False),
    ("370102", "000000", False), ("370102", None, False), (None, "370100", False), ("3701", "370100", False),
    ("370102x", "370100", False),
])
def test_within(code, scope, expected):
    assert regions.within(code, scope) is expected


@pytest.mark.parametrize("code,parent", [("370102", "370100"), ("370100", "370000"), ("370000", None),
                                         ("110101", "110000"), ("429004", "420000"), ("999999", None),
                                         ("bad", None)])
def test_parent(code, parent):
    assert regions.parent(code) == parent


def test_unknown_and_malformed_lookups_give_none():
    assert regions.name("370199") is None and regions.level("370199") is None
    assert regions.name(None) is None and not regions.is_known(370102)


def test_validate_region():
    assert regions.validate_region("370102") == "370102"
    with pytest.raises(Problem) as err:
        regions.validate_region("370181")
    assert err.value.code == "region.unknown" and err.value.params == {"code": "370181"}
    with pytest.raises(Problem) as err:
        regions.validate_region("x" * 1_000_000)
    assert err.value.code == "region.format" and len(err.value.params["code"]) == 20
    assert "6" in err.value.message("zh_CN") and "6 digits" in err.value.message("en")


def test_under_lists_jinan_counties():
    counties = regions.under("370100", "county")
    assert {"370102", "370112", "370114", "370116", "370117", "370124", "370126"} <= set(counties)
    assert all(code.startswith("3701") for code in counties) and "370100" not in counties
    assert "370100" in regions.under("370000", "prefecture")


def _write(tmp_path, text, name="regions.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_operator_table_from_env_without_level_column(tmp_path, monkeypatch):
    path = _write(tmp_path, "\ufeffcode,name\n370000,山东省\n370100,济南市\n370102,历下区\n659012,白杨市\n\n")
    monkeypatch.setenv("REGIONS_FILE", str(path))
    assert regions.level("370100") == "prefecture" and regions.level("659012") == "county"
    assert regions.is_known("659012") and not regions.is_known("110101")
    monkeypatch.delenv("REGIONS_FILE")
    assert regions.is_known("110101")


@pytest.mark.parametrize("text,code", [
    ("id,title\n370102,历下区\n", "region.file_header"),
    ("code,name,level\n", "region.file_header"),
    ("", "region.file_header"),
    ("code,name,level\n370102,历下区,county\n370102,历下区,county\n", "region.file_row"),
    ("code,name,level\n37010,历下区,county\n", "region.file_row"),
    ("code,name,level\n370102,,county\n", "region.file_row"),
    ("code,name,level\n370102,历下区,district\n", "region.file_row"),
    ("code,name\n" + "3" * 200_000 + ",x\n", "region.file_unreadable"),
])
def test_bad_operator_tables_are_refused_with_the_line(tmp_path, monkeypatch, text, code):
    monkeypatch.setenv("REGIONS_FILE", str(_write(tmp_path, text)))
    with pytest.raises(Problem) as err:
        regions.table()
    assert err.value.code == code
    if code == "region.file_row":
        assert err.value.params["line"] >= 2


def test_missing_and_non_utf8_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIONS_FILE", str(tmp_path / "nope.csv"))
    with pytest.raises(Problem) as err:
        regions.is_known("370102")
    assert err.value.code == "region.file_missing" and "nope.csv" in err.value.message()
    monkeypatch.setenv("REGIONS_FILE", str(_write(tmp_path, "code,name\n370102,历下区\n", encoding="gbk")))
    with pytest.raises(Problem) as err:
        regions.table()
    assert err.value.code == "region.file_unreadable"
