"""Statistics' pure core: scopes and key ranges, view rows folded into rows, periods, totals and closure rates."""
from __future__ import annotations

from datetime import date

import pytest

from server.stats import scope as sc
from server.stats import tables


def test_resolve_scope_own_region_named_region_and_out_of_scope():
    sup = {"role": "supervisor", "region": "370100"}
    assert sc.resolve(sup, None) == "370100"
    assert sc.resolve(sup, "370102") == "370102"
    assert sc.resolve(sup, "370100") == "370100"
    assert sc.resolve(sup, "370000") is None           # the level above: outside
    assert sc.resolve(sup, "370200") is None           # a neighbour
    admin = {"role": "admin", "region": "370000"}
    assert sc.resolve(admin, None) == sc.EVERYWHERE
    assert sc.resolve(admin, "110101") == "110101"


@pytest.mark.parametrize("scope,level", [("", "province"), ("370000", "prefecture"), ("370100", "county"),
                                         ("370102", "county")])
def test_rows_are_the_level_below_the_scope(scope, level):
    assert sc.row_level(scope) == level


def test_child_code_matches_the_views():
    assert sc.child_code("", "370102") == "370000"
    assert sc.child_code("370000", "370102") == "370100"
    assert sc.child_code("370100", "370102") == "370102"
    assert sc.child_code("370102", "370102") == "370102"
    assert sc.child_code("370000", "370000") == "370000"   # a record of the province itself


def test_children_of_jinan_are_its_counties_and_a_county_is_its_own_row():
    counties = sc.children("370100")
    assert "370102" in counties and "370112" in counties and "370100" not in counties
    assert all(c.startswith("3701") for c in counties)
    assert sc.children("370102") == ["370102"]
    assert "370100" in sc.children("370000") and "370102" not in sc.children("370000")
    assert "370000" in sc.children("") and "110000" in sc.children("")


def test_periods_and_quarters():
    assert sc.periods("month") == list(range(1, 13))
    assert sc.periods("quarter") == [1, 2, 3, 4]
    assert [sc.period_of(m, "quarter") for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_key_ranges():
    assert sc.year_range("370100", "region", 2026) == {"startkey": ["370100", "region", 2026],
                                                       "endkey": ["370100", "region", 2026, {}]}
    overdue = sc.overdue_range("370100", "sector", date(2026, 12, 1))
    assert overdue["endkey"] == ["370100", "sector", "overdue", "2026-12-01"] and overdue["inclusive_end"] is False


def _rows(*keys_and_counts):
    return [{"key": list(k), "value": n} for k, n in keys_and_counts]


INSPECTIONS = _rows((("370100", "region", 2026, "370102", 1, "approved"), 3),
                    (("370100", "region", 2026, "370102", 2, "pending"), 2),
                    (("370100", "region", 2026, "370102", 4, "rejected"), 5),
                    (("370100", "region", 2026, "370112", 12, "returned"), 1))
CASES = _rows((("370100", "region", 2026, "370102", 1, "general", "closed"), 4),
              (("370100", "region", 2026, "370102", 1, "major", "ordered"), 1),
              (("370100", "region", 2026, "370102", 5, "general", "found"), 3),
              (("370100", "region", 2026, "370112", 11, "major", "closed"), 2))


def test_fold_and_table_by_month():
    figures = {"inspections": tables.fold_inspections(INSPECTIONS, "month"),
               "cases": tables.fold_cases(CASES, "month"),
               "overdue": tables.fold_last(_rows((("370100", "region", "overdue", "2026-01-20", "370102"), 1))),
               "supervised": tables.fold_last(_rows((("370100", "region", "supervised", "370112"), 2)))}
    out = tables.table("region", "month", ["370102", "370103", "370112"], {"370102": "历下区"}, figures)
    lixia, shizhong, licheng = out["rows"]
    assert lixia["label"] == "历下区" and shizhong["label"] == "370103"   # unknown label: the key
    assert (lixia["inspections"], lixia["approved"], lixia["pending"], lixia["returned"]) == (5, 3, 2, 0)
    assert (lixia["general"], lixia["major"], lixia["hazards"], lixia["closed"]) == (7, 1, 8, 4)
    assert lixia["closure_rate"] == 0.5 and lixia["overdue"] == 1 and lixia["supervised"] == 0
    assert lixia["by_period"][0] == {"period": 1, "inspections": 3, "general": 4, "major": 1, "hazards": 5,
                                     "closed": 4, "closure_rate": 0.8}
    assert lixia["by_period"][3]["inspections"] == 0          # the rejected ones do not count
    assert shizhong["inspections"] == 0 and shizhong["closure_rate"] is None
    assert licheng["supervised"] == 2 and licheng["closure_rate"] == 1.0
    total = out["total"]
    assert (total["inspections"], total["hazards"], total["closed"], total["overdue"]) == (6, 10, 6, 1)
    assert total["closure_rate"] == 0.6
    assert [c["inspections"] for c in total["by_period"]] == [3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_quarters_sum_their_months():
    figures = {"inspections": tables.fold_inspections(INSPECTIONS, "quarter"),
               "cases": tables.fold_cases(CASES, "quarter"), "overdue": tables.fold_last([]),
               "supervised": tables.fold_last([])}
    row = tables.table("region", "quarter", ["370102"], {}, figures)["rows"][0]
    assert [c["inspections"] for c in row["by_period"]] == [5, 0, 0, 0]
    assert [c["hazards"] for c in row["by_period"]] == [5, 3, 0, 0]
    assert row["by_period"][1]["closure_rate"] == 0.0


def test_values_outside_the_base_rows_are_kept_after_them():
    figures = {"inspections": tables.fold_inspections(INSPECTIONS, "month"), "cases": {},
               "overdue": tables.fold_last([]), "supervised": tables.fold_last([])}
    keys = [r["key"] for r in tables.table("region", "month", ["370103"], {}, figures)["rows"]]
    assert keys == ["370103", "370102", "370112"]


def test_workload_rows_have_no_hazard_figures_and_are_ordered_by_size():
    rows = _rows((("370100", "inspector", 2026, "inspector:a", 3, "approved"), 1),
                 (("370100", "inspector", 2026, "inspector:b", 3, "approved"), 4),
                 (("370100", "inspector", 2026, "inspector:b", 5, "rejected"), 9))
    out = tables.table("inspector", "month", ["inspector:c"], {"inspector:b": "李四"},
                       {"inspections": tables.fold_inspections(rows, "month")})
    assert [r["key"] for r in out["rows"]] == ["inspector:b", "inspector:a", "inspector:c"]
    assert out["rows"][0]["label"] == "李四" and out["rows"][0]["inspections"] == 4
    assert out["rows"][0]["hazards"] is None and out["rows"][0]["overdue"] is None
    assert out["total"]["inspections"] == 5 and out["total"]["closure_rate"] is None


def test_rate_rounds_and_has_no_value_without_cases():
    assert tables.rate(1, 3) == 0.3333
    assert tables.rate(0, 0) is None
