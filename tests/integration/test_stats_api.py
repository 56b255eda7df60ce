"""Statistics API against the real embedded CouchDB: every figure checked against a direct count of the documents."""
from __future__ import annotations

import pytest

from server.stats.report import today
from tests.integration.conftest import Session
from tests.integration.stats_fixtures import city, expected, stats_app  # noqa: F401 (fixtures)

YEAR = today().year
FIGURES = ("inspections", "general", "major", "closed", "overdue", "supervised")


def _check_rows(body: dict, want: dict, kind: str, with_hazards: bool = True) -> None:
    rows = {r["key"]: r for r in body["rows"]}
    assert set(want) <= set(rows), set(want) - set(rows)
    for key, row in rows.items():
        direct = want.get(key, expected([], "", 0, "region", kind).get(key) or
                       {name: 0 for name in FIGURES} | {"periods": {}, "hazard_periods": {}})
        assert row["inspections"] == direct["inspections"], key
        assert [p["inspections"] for p in row["by_period"]] == [direct["periods"].get(p, 0) for p in body["periods"]]
        if with_hazards:
            assert (row["general"], row["major"], row["closed"]) == (direct["general"], direct["major"],
                                                                     direct["closed"]), key
            assert (row["overdue"], row["supervised"]) == (direct["overdue"], direct["supervised"]), key
            found = direct["general"] + direct["major"]
            assert row["closure_rate"] == (round(direct["closed"] / found, 4) if found else None)
            assert [p["hazards"] for p in row["by_period"]] == [direct["hazard_periods"].get(p, 0)
                                                                for p in body["periods"]]


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_city_by_county_matches_direct_counts(stats_app, city, year, kind):
    res = city.get(f"/api/v1/stats?group=region&period={kind}&year={year}")
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["region"] == "370100" and body["level"] == "county" and body["region_name"] == "济南市"
    assert body["periods"] == (list(range(1, 13)) if kind == "month" else [1, 2, 3, 4])
    want = expected(stats_app.generated["docs"], "370100", year, "region", kind)
    assert sum(w["inspections"] for w in want.values()) > 10
    _check_rows(body, want, kind)
    assert "370102" in {r["key"] for r in body["rows"]} and "370126" in {r["key"] for r in body["rows"]}
    assert body["total"]["inspections"] == sum(w["inspections"] for w in want.values())
    assert body["total"]["overdue"] == sum(w["overdue"] for w in want.values())


def test_by_sector_matches_direct_counts(stats_app, city):
    body = city.get("/api/v1/stats?group=sector&period=quarter").get_json()
    want = expected(stats_app.generated["docs"], "370100", YEAR, "sector", "quarter")
    _check_rows(body, want, "quarter")
    labels = {r["key"]: r["label"] for r in body["rows"]}
    assert labels["machinery"] == "机械" and labels["hazardous_chemicals"] == "危险化学品"
    english = city.get("/api/v1/stats?group=sector&period=quarter&lang=en").get_json()
    assert {r["key"]: r["label"] for r in english["rows"]}["machinery"] == "Machinery"
    assert english["total"]["label"] == "Total"


def test_workload_per_team_member_with_names_from_the_registry(stats_app, city):
    body = city.get(f"/api/v1/stats?group=inspector&year={YEAR}").get_json()
    want = expected(stats_app.generated["docs"], "370100", YEAR, "inspector", "month")
    _check_rows(body, want, "month", with_hazards=False)
    names = {p["_id"]: p["name"] for p in stats_app.generated["inspectors"]}
    for row in body["rows"]:
        assert row["label"] == names[row["key"]] and row["hazards"] is None
    counts = [r["inspections"] for r in body["rows"]]
    assert counts == sorted(counts, reverse=True)
    assert body["total"]["inspections"] == sum(w["inspections"] for w in want.values())  # person-visits
    assert body["total"]["label"] == "合计（人次）"


def test_a_chosen_county_and_a_county_supervisor(stats_app, city):
    want = expected(stats_app.generated["docs"], "370102", YEAR, "region", "month")
    for session, query in ((city, "region=370102"), (Session(stats_app, "lixia.sup"), "")):
        body = session.get(f"/api/v1/stats?{query}").get_json()
        assert [r["key"] for r in body["rows"]] == ["370102"] and body["region"] == "370102"
        _check_rows(body, want, "month")


def test_admin_sees_the_country_by_province_and_any_region(stats_app):
    admin = Session(stats_app, "root")
    body = admin.get("/api/v1/stats").get_json()
    assert body["region"] is None and body["level"] == "province" and body["region_name"] == "全部地区"
    rows = {r["key"]: r for r in body["rows"]}
    assert "110000" in rows and rows["110000"]["inspections"] == 0
    want = expected(stats_app.generated["docs"], "", YEAR, "region", "month")
    _check_rows(body, want, "month")
    shandong = admin.get("/api/v1/stats?region=370000").get_json()
    assert "370100" in {r["key"] for r in shandong["rows"]} and shandong["level"] == "prefecture"
    _check_rows(shandong, expected(stats_app.generated["docs"], "370000", YEAR, "region", "month"), "month")


@pytest.mark.parametrize("who,region", [("city.sup", "370000"), ("city.sup", "370200"), ("city.sup", "110101"),
                                        ("lixia.sup", "370100"), ("lixia.sup", "370112"), ("qd.sup", "370100")])
def test_a_region_outside_the_scope_is_not_found(stats_app, who, region):
    session = Session(stats_app, who)
    for path in (f"/api/v1/stats?region={region}", f"/api/v1/stats/export?format=csv&region={region}",
                 f"/api/v1/stats/export?format=geojson&region={region}"):
        res = session.get(path)
        assert res.status_code == 404 and res.get_json()["code"] == "not_found", path


def test_a_supervisor_elsewhere_sees_nothing_of_jinan(stats_app):
    body = Session(stats_app, "qd.sup").get("/api/v1/stats").get_json()
    assert body["total"]["inspections"] == 0 and body["total"]["hazards"] == 0


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/export?format=xlsx",
                                  "/api/v1/stats/export?format=geojson"])
def test_inspectors_experts_and_anonymous_are_refused(stats_app, path):
    assert stats_app.test_client().get(path).status_code == 401
    for who in ("insp", "expert"):
        res = Session(stats_app, who).get(path)
        assert res.status_code == 403 and res.get_json()["code"] == "forbidden"


@pytest.mark.parametrize("query,field", [
    ("year=99999", "year"), ("year=1999", "year"), ("year=abc", "year"), ("year=" + "9" * 10_000, "year"),
    ("region=abc", "region"), ("region=999999", "region"), ("region=" + "3" * 10_000, "region"),
    ("region=37010", "region"), ("group=x", "group"), ("group=" + "x" * 10_000, "group"),
    ("period=week", "period"), ("format=pdf", "format"), ("colour=red", "colour"), ("lang=fr", "lang"),
])
def test_hostile_parameters_get_clear_errors(city, query, field):
    for path in ("/api/v1/stats/export?format=csv&" if field != "format" else "/api/v1/stats/export?",
                 "/api/v1/stats?"):
        if field == "format" and path == "/api/v1/stats?":
            continue
        res = city.get(path + query)
        body = res.get_json()
        assert res.status_code == 422 and body["code"] == "validation", (path, query)
        assert field in body["errors"] and body["message"]
        assert len(res.data) < 2000, "the error must not echo a huge value back"


def test_the_openapi_document_describes_both_endpoints(stats_app):
    spec = stats_app.test_client().get("/api/v1/openapi.json").get_json()
    stats = spec["paths"]["/api/v1/stats"]["get"]
    assert {p["name"] for p in stats["parameters"]} == {"group", "period", "year", "region", "lang"}
    assert "Stats" in spec["components"]["schemas"] and stats["summary"]
    export = spec["paths"]["/api/v1/stats/export"]["get"]
    assert {p["name"] for p in export["parameters"]} == {"group", "period", "year", "region", "lang", "format"}


def test_view_queries_wait_as_long_as_stats_query_timeout_s_allows(stats_app, city, monkeypatch):
    """pouchdb-server reduces on every query, so a first answer at scale can outlast the general CouchDB
    timeout; statistics queries have their own. Shown both ways: a tiny limit fails clearly (503, nothing
    cached), the default answers. The tiny limit is a microsecond: Apache CouchDB, which keeps reductions in
    its index, answered within half a millisecond at times; no server answers an HTTP query in 1 µs."""
    from server.stats.cache import SeqCache
    # An empty cache: an answer an earlier test left for this query would be served without asking CouchDB.
    monkeypatch.setitem(stats_app.extensions, "stats_cache", SeqCache(256))
    monkeypatch.setitem(stats_app.config, "STATS_QUERY_TIMEOUT_S", 0.000001)
    slow = city.get(f"/api/v1/stats?group=sector&period=quarter&year={YEAR - 1}")
    assert slow.status_code == 503 and slow.get_json()["code"] == "couch_unavailable", slow.get_json()
    monkeypatch.setitem(stats_app.config, "STATS_QUERY_TIMEOUT_S", 300)
    assert city.get(f"/api/v1/stats?group=sector&period=quarter&year={YEAR - 1}").status_code == 200
