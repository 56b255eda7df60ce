"""检查事项数 in the statistics (issue 13): items answered 不适用 — numbers included — or left unanswered are
not counted as checked, in the API, the console page and the CSV, as in the published result."""
from __future__ import annotations

import uuid

import pytest

from server.db import registry
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in

ANSWERS = [("it-3-1", "yes"), ("it-7-1", "no"), ("it-12-2-n", "na"), ("it-11-3", "na"), ("law-30", "张三"),
           ("it-12-2", None), ("law-81", "yes")]                            # 4 checked of 7


@pytest.fixture(scope="module")
def env(couch_url):
    with module_app(couch_url) as app:
        world = rf.register_world(app, industry="机械")
        for n in range(2):
            task = {**world.task, "_id": f"task:{uuid.uuid4().hex[:16]}:00001",
                    "checklist": "checklist:industry_trade_major:v1"}
            with app.app_context():
                registry().put(task)
            phone = rf.phone_inspection(world, task=task, finished_at=f"2026-05-0{6 + n}T03:20:00Z",
                                        answers=[{"item": k, "value": v, "note": "", "photos": []} for k, v in ANSWERS])
            rf.file_inspection(app, world, phone, task=task)
        yield app, signed_in(app, "supervisor", "370100")


def test_api_counts_items_checked_without_not_applicable(env):
    _app, client = env
    body = client.get("/api/v1/stats?group=region&period=month&year=2026&region=370100").get_json()
    county = next(r for r in body["rows"] if r["key"] == "370102")
    assert county["inspections"] == 2 and county["items_checked"] == 8 and body["total"]["items_checked"] == 8
    sectors = client.get("/api/v1/stats?group=sector&period=month&year=2026&region=370100").get_json()
    assert next(r for r in sectors["rows"] if r["key"] == "machinery")["items_checked"] == 8
    workload = client.get("/api/v1/stats?group=inspector&year=2026&region=370100").get_json()
    assert workload["total"]["items_checked"] is None                      # person-visits have no item figure


def test_page_and_csv_show_the_figure_and_no_sector_codes(env):
    _app, client = env
    page = client.get("/console/stats?group=sector&year=2026&region=370100").get_data(as_text=True)
    assert "检查事项数" in page and "选“不适用”的和未作答的检查项不计入" in page
    assert ">machinery<" not in page and ">building_materials<" not in page
    csv = client.get("/api/v1/stats/export?group=region&period=month&year=2026&region=370100&format=csv")
    assert csv.status_code == 200
    header, *rows = [line.split(",") for line in csv.get_data(as_text=True).lstrip("\ufeff").splitlines()]
    assert header[-1] == "检查事项数"
    assert any(row[0] == "370102" and row[-1] == "8" for row in rows)
