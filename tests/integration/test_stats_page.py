"""The console page /console/stats: who may see it, its tables, charts and downloads, hostile parameters."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from server.db import registry
from server.registry import store
from tests.integration.conftest import Session
from tests.integration.stats_fixtures import city, stats_app  # noqa: F401 (fixtures)


def test_the_city_supervisor_sees_tables_charts_definitions_and_downloads(city):
    res = city.get("/console/stats", headers={"Accept": "text/html"})
    assert res.status_code == 200
    html = res.data.decode()
    assert "<h1>统计分析</h1>" in html and 'href="/console/stats"' in html   # the nav link
    assert html.count("<svg") == 3 and "按地区：发现隐患（一般 / 重大）" in html
    assert 'class="grid stats-rows"' in html and "历下区" in html and "合计" in html
    assert "闭环率" in html and "本期发现的隐患中至今已销号的数量" in html
    links = re.findall(r'href="(/api/v1/stats/export\?[^"]+)"', html)
    assert sorted(parse_qs(urlsplit(link.replace("&amp;", "&")).query)["format"][0] for link in links) == \
        ["csv", "geojson", "xlsx"]
    for link in links:
        download = city.get(link.replace("&amp;", "&"))
        assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]


def test_counties_link_to_their_own_page_and_english_is_offered(city):
    html = city.get("/console/stats?group=region&period=quarter").data.decode()
    assert "region=370102" in html and "第4季度" in html
    city.client.set_cookie("lang", "en")
    try:
        english = city.get("/console/stats?group=sector").data.decode()
    finally:
        city.client.delete_cookie("lang")
    assert "<h1>Statistics</h1>" in english and "Hazards found by sector" in english and "Machinery" in english


def test_workload_page_names_people_and_escapes_them(stats_app, city):
    with stats_app.app_context():
        registry().put(store.inspector_doc({"kind": "inspector", "name": "<script>alert(1)</script>",
                                            "cert_no": "XSS-1", "unit": "测试单位", "region": "370102",
                                            "sectors": ["machinery"], "mobile": "", "active": True, "avoid": []}))
    html = city.get("/console/stats?group=inspector").data.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "合计（人次）" in html and html.count("<svg") == 2


def test_hostile_parameters_show_what_to_fix(city):
    res = city.get("/console/stats?year=99999&group=x&region=" + "9" * 10_000)
    html = res.data.decode()
    assert res.status_code == 422 and 'role="alert"' in html
    assert "年度" in html and "分组" in html and "2000" in html and "9" * 100 not in html
    assert "<svg" not in html


def test_a_region_outside_the_scope_is_not_found(stats_app):
    res = Session(stats_app, "lixia.sup").get("/console/stats?region=370100", headers={"Accept": "text/html"})
    assert res.status_code == 404


def test_anonymous_goes_to_sign_in_and_field_staff_are_refused(stats_app):
    res = stats_app.test_client().get("/console/stats")
    assert res.status_code == 302 and "/login?next=/console/stats" in res.headers["Location"]
    for who in ("insp", "expert"):
        assert Session(stats_app, who).get("/console/stats", headers={"Accept": "text/html"}).status_code == 403


def test_an_admin_chooses_any_region(stats_app):
    admin = Session(stats_app, "root")
    html = admin.get("/console/stats").data.decode()
    assert "全部地区" in html and "山东省" in html
    assert "济南市" in admin.get("/console/stats?region=370000").data.decode()
