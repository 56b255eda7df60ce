"""Statistics downloads: CSV and XLSX with the API's figures, GeoJSON of the inspected enterprises, checked directly."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

from openpyxl import load_workbook

from server.stats.report import today
from tests.integration.conftest import Session
from tests.integration.stats_fixtures import DONE, city, in_scope, local, stats_app  # noqa: F401 (fixtures)

YEAR = today().year


def _year_lines(rows: list[list]) -> dict:
    return {row[0]: row for row in rows[1:] if row[2] == f"{YEAR}年全年" and row[0]}


def test_csv_has_the_api_figures_for_every_county_and_period(city):
    api = city.get(f"/api/v1/stats?year={YEAR}&period=quarter").get_json()
    res = city.get(f"/api/v1/stats/export?format=csv&year={YEAR}&period=quarter")
    assert res.status_code == 200 and res.headers["Content-Type"].startswith("text/csv")
    assert f'filename="stats-{YEAR}-370100-region-quarter.csv"' in res.headers["Content-Disposition"]
    assert res.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["代码", "名称", "期间", "检查数"]
    lines = _year_lines(rows)
    for row in api["rows"]:
        line = lines[row["key"]]
        assert [int(line[3]), int(line[7]), int(line[8]), int(line[13])] == \
            [row["inspections"], row["general"], row["major"], row["supervised"]]
    assert len(rows) == 1 + (len(api["rows"]) + 1) * 5


def test_xlsx_keeps_numbers_as_numbers_and_speaks_english_when_asked(city):
    res = city.get("/api/v1/stats/export?format=xlsx&group=sector", headers={"Accept-Language": "en"})
    assert res.status_code == 200
    assert res.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(res.data)).active
    assert sheet.title == "Statistics"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Code", "Name", "Period", "Inspections"]
    machinery = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "machinery")
    api = city.get("/api/v1/stats?group=sector").get_json()
    assert machinery[3] == next(r["inspections"] for r in api["rows"] if r["key"] == "machinery")
    assert isinstance(machinery[3], int) and machinery[1] == "Machinery"


def _direct_enterprises(docs: list[dict], scope: str) -> dict:
    inspected, cases = Counter(), {}
    for doc in docs:
        if not in_scope(scope, doc.get("region") or "x"):
            continue
        if doc["type"] == "inspection" and doc["status"] == "finished" and doc["review_status"] in DONE \
                and local(doc["finished_at"]).year == YEAR:
            inspected[doc["enterprise"]] += 1
        if doc["type"] == "hazard_case" and doc["state"] != "void" and local(doc["found_at"]).year == YEAR:
            counts = cases.setdefault(doc["enterprise"], Counter())
            counts[doc["grade"]] += 1
            counts[doc["state"]] += 1
    return {e: (n, cases.get(e, Counter())) for e, n in inspected.items()}


def test_geojson_has_one_point_per_inspected_enterprise_with_its_counts(stats_app, city):
    res = city.get(f"/api/v1/stats/export?format=geojson&year={YEAR}")
    assert res.status_code == 200 and res.headers["Content-Type"] == "application/geo+json"
    assert f'filename="stats-{YEAR}-370100.geojson"' in res.headers["Content-Disposition"]
    collection = json.loads(res.data)
    assert collection["type"] == "FeatureCollection" and collection["region"] == "370100"
    want = _direct_enterprises(stats_app.generated["docs"], "370100")
    assert {f["id"] for f in collection["features"]} == set(want)
    for feature in collection["features"]:
        lng, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and 116.2 <= lng <= 118.0 and 35.9 <= lat <= 37.6
        props, (visits, cases) = feature["properties"], want[feature["id"]]
        assert props["inspections"] == visits and props["region"].startswith("3701") and props["name"]
        assert (props["hazards_general"], props["hazards_major"], props["hazards_closed"]) == \
            (cases["general"], cases["major"], cases["closed"])


def test_geojson_of_a_county_and_of_another_city(stats_app):
    lixia = json.loads(Session(stats_app, "lixia.sup").get("/api/v1/stats/export?format=geojson").data)
    assert {f["id"] for f in lixia["features"]} == set(_direct_enterprises(stats_app.generated["docs"], "370102"))
    assert all(f["properties"]["region"] == "370102" for f in lixia["features"])
    qingdao = json.loads(Session(stats_app, "qd.sup").get("/api/v1/stats/export?format=geojson").data)
    assert qingdao["features"] == []
