"""Statistics out: the CSV/XLSX grid (formula cells neutralised), GeoJSON, SVG charts, the answer cache."""
from __future__ import annotations

import csv
import io
import threading
import time
from xml.etree import ElementTree

from openpyxl import load_workbook

from server.registry.tabular import write_grid
from server.stats import charts, export, tables
from server.stats.cache import SeqCache


def _report(label="历下区") -> dict:
    rows = [{"key": ["370100", "region", 2026, "370102", m, "approved"], "value": 2} for m in (1, 4)]
    cases = [{"key": ["370100", "region", 2026, "370102", 1, "general", "closed"], "value": 3},
             {"key": ["370100", "region", 2026, "370102", 4, "major", "ordered"], "value": 1}]
    built = tables.table("region", "quarter", ["370102"], {"370102": label},
                         {"inspections": tables.fold_inspections(rows, "quarter"),
                          "cases": tables.fold_cases(cases, "quarter"),
                          "overdue": tables.fold_last([]), "supervised": tables.fold_last([])})
    built["total"]["label"] = "合计"
    return {**built, "year": 2026, "period": "quarter"}


def test_grid_has_a_year_line_then_each_period_for_every_row_and_the_total():
    header, rows = export.grid(_report())
    assert header[:3] == ["代码", "名称", "期间"] and "闭环率（%）" in header
    assert len(rows) == 2 * (1 + 4)
    year = dict(zip(header, rows[0]))
    assert year["名称"] == "历下区" and year["期间"] == "2026年全年" and year["检查数"] == 4
    assert year["闭环率（%）"] == 75.0 and year["逾期未整改（今日）"] == 0
    q2 = dict(zip(header, rows[2]))
    assert q2["期间"] == "第2季度" and q2["重大隐患"] == 1 and q2["逾期未整改（今日）"] == ""
    assert rows[5][1] == "合计"


def test_csv_and_xlsx_neutralise_a_name_that_looks_like_a_formula_and_keep_numbers():
    header, rows = export.grid(_report(label='=HYPERLINK("http://evil","x")'))
    text = write_grid(header, rows, "csv", "统计").decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1][1].startswith("'=")
    assert parsed[1][3] == "4"
    sheet = load_workbook(io.BytesIO(write_grid(header, rows, "xlsx", "统计"))).active
    assert sheet.title == "统计"
    assert sheet.cell(row=2, column=2).value.startswith("'=") and sheet.cell(row=2, column=2).data_type == "s"
    assert sheet.cell(row=2, column=4).value == 4 and sheet.cell(row=2, column=4).data_type == "n"


def _site_row(enterprise, site, lat, lng, review, n, name="济南某化工有限公司", region="370112"):
    return {"key": ["370100", "site", 2026, enterprise, site, lat, lng, name, region, review], "value": n}


def test_geojson_one_point_per_enterprise_at_its_most_inspected_site():
    rows = {"sites": [_site_row("E1", "site:E1:01", 36.6, 117.1, "approved", 1),
                      _site_row("E1", "site:E1:02", 36.7, 117.2, "approved", 2),
                      _site_row("E1", "site:E1:02", 36.7, 117.2, "rejected", 5),
                      _site_row("E2", "site:E2:01", 36.5, 117.0, "rejected", 1)],
            "cases": [{"key": ["370100", "enterprise", 2026, "E1", "major", "ordered"], "value": 2},
                      {"key": ["370100", "enterprise", 2026, "E1", "general", "closed"], "value": 3}]}
    collection = export.geojson(rows, 2026, "370100", {"370112": "历城区"})
    assert collection["type"] == "FeatureCollection"
    assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert [f["id"] for f in collection["features"]] == ["E1"]     # E2 had only a rejected inspection
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [117.2, 36.7]}   # longitude first
    props = feature["properties"]
    assert props["site"] == "site:E1:02" and props["sites_inspected"] == 2 and props["inspections"] == 3
    assert (props["hazards_major"], props["hazards_general"], props["hazards_ordered"], props["hazards_closed"]) \
        == (2, 3, 2, 3)
    assert props["region_name"] == "历城区"


def test_bar_chart_escapes_names_and_scales_bars():
    rows = [("<script>alert(1)</script>", {"general": 3, "major": 1}), ("历下区", {"general": 1, "major": 0})]
    svg = str(charts.bars("隐患 & 检查", rows, [("general", "一般"), ("major", "重大")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    tree = ElementTree.fromstring(svg)
    svg_ns = "{http://www.w3.org/2000/svg}"
    rects = [r for r in tree.iter(svg_ns + "rect") if r.find(svg_ns + "title") is not None]
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] == 3 * widths[2] and widths[3] == 0
    assert tree.get("role") == "img" and "隐患 &amp; 检查" in svg


def test_column_chart_with_a_rate_line_skips_periods_without_cases():
    svg = str(charts.columns("按月", ["1月", "2月", "3月"], {"inspections": [2, 0, 4]},
                             [("inspections", "检查数")], rate=("闭环率", [0.5, None, 1.0])))
    tree = ElementTree.fromstring(svg)
    line = tree.find("{http://www.w3.org/2000/svg}polyline")
    assert len(line.get("points").split()) == 2
    assert len(list(tree.iter("{http://www.w3.org/2000/svg}circle"))) == 2


def test_empty_charts_still_draw():
    ElementTree.fromstring(str(charts.bars("空", [], [("inspections", "检查数")])))
    ElementTree.fromstring(str(charts.columns("空", [], {}, [("inspections", "检查数")], rate=("率", []))))


def test_cache_answers_until_the_sequence_moves():
    cache, calls = SeqCache(4), []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.get("q", "10", compute) == 1
    assert cache.get("q", "10", compute) == 1
    assert cache.get("q", "11", compute) == 2
    assert cache.get("other", "11", compute) == 3
    assert SeqCache(0).get("q", "10", compute) == 4      # 0 entries: always computed


def test_cache_is_bounded():
    cache = SeqCache(2)
    for key in "abc":
        cache.get(key, "1", lambda k=key: k)
    assert cache.get("a", "1", lambda: "again") == "again"


def test_concurrent_requests_for_one_query_compute_it_once():
    cache, calls = SeqCache(4), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "answer"
    threads = [threading.Thread(target=cache.get, args=("q", "7", slow)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
