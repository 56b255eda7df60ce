"""The statistics page in Chromium: nav, filters, server-drawn charts, tables, and the three downloads."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.e2e.helpers import SUPERVISOR, seed_records, sign_in


@pytest.fixture(scope="module")
def year(live_server):
    return seed_records(live_server.app)


def test_supervisor_opens_statistics_filters_and_sees_charts(live_server, year, page, dialogs):
    sign_in(page, live_server.url, SUPERVISOR)
    with page.expect_navigation():
        page.click("header nav a:text-is('统计分析')")
    assert page.locator("h1").inner_text() == "统计分析"
    page.select_option("select[name=period]", "quarter")
    page.fill("input[name=year]", str(year))
    with page.expect_navigation():
        page.click("form.stats-filters button[type=submit]")
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box["width"] > 500 and box["height"] > 60
    assert page.locator("svg.chart.hazards rect").count() > 10       # bars drawn, not an empty frame
    assert page.locator("svg.chart.periods polyline").count() == 1   # the closure-rate line
    rows = page.locator("table.stats-rows tbody tr")
    assert rows.count() >= 13 and "历下区" in rows.first.inner_text()
    assert "合计" in rows.last.inner_text() and int(rows.last.locator("td").nth(1).inner_text()) > 50
    assert page.locator("table.stats-periods tbody tr").count() == 4

    with page.expect_navigation():
        page.click("table.stats-rows a:text-is('历下区')")
    assert page.locator("table.stats-rows tbody tr").count() == 2   # the county and the total
    page.select_option("select[name=group]", "sector")
    with page.expect_navigation():
        page.click("form.stats-filters button[type=submit]")
    assert "机械" in page.locator("table.stats-rows").inner_text()
    assert dialogs == []


def _download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.click(f"p.downloads a:text-is('{name}')")
    return open(info.value.path(), "rb").read()


def test_the_three_downloads_work(live_server, year, page):
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(f"{live_server.url}/console/stats?year={year}")
    total = int(page.locator("table.stats-rows tbody tr").last.locator("td").nth(1).inner_text())
    rows = list(csv.reader(io.StringIO(_download(page, "CSV").decode("utf-8-sig"))))
    assert rows[0][3] == "检查数" and int(next(r for r in rows if r[1] == "合计")[3]) == total
    sheet = load_workbook(io.BytesIO(_download(page, "Excel（XLSX）"))).active
    assert next(r for r in sheet.iter_rows(values_only=True) if r[1] == "合计")[3] == total
    collection = json.loads(_download(page, "地图（GeoJSON）"))
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert sum(f["properties"]["inspections"] for f in collection["features"]) == total


def test_english_statistics(live_server, year, page):
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(f"{live_server.url}/console/stats?year={year}&group=inspector")
    with page.expect_navigation():
        page.click("header a:text-is('English')")
    assert page.locator("h1").inner_text() == "Statistics"
    assert "Total (person-visits)" in page.locator("table.stats-rows").inner_text()
    assert page.locator("svg.chart").count() == 2
