"""Who may pass the sync gateway: an inspector reaches only their own phone database, by every route and method."""
import re

import pytest

from server.db import couch
from tests.integration.gateway_fixtures import field_user  # noqa: F401  (fixture)

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "COPY", "PATCH")
SUBPATHS = ("", "/", "/_changes", "/_changes?feed=longpoll", "/_bulk_docs", "/_all_docs", "/_revs_diff",
            "/_bulk_get", "/_local/x", "/doc1", "/doc1/a.jpg", "/_design/x", "/_security", "/_find")
OTHER_DBS = ("registry", "records", "audit", "public", "_users", "_replicator", "_all_dbs", "_session",
             "_config", "_replicate", "_utils", "_node", "_up", "_uuids", "inspector_x", "..", "%2e%2e",
             "inspector_000000000000%2F..%2Fregistry")
BODY = b'{"docs": [{"_id": "planted", "type": "x"}]}'


def assert_refused(res, statuses=(401, 403, 404, 405)):
    assert res.status_code in statuses, (res.request.method, res.request.path, res.status_code, res.data[:200])
    if res.request.method != "HEAD":
        body = res.get_json()
        assert set(body) >= {"code", "status", "message"} and body["status"] == res.status_code, body
        assert body["code"] in ("unauthenticated", "forbidden", "not_found", "method_not_allowed", "csrf")


def everything_under(client, base: str, headers: dict, subpaths=SUBPATHS):
    for sub in subpaths:
        for method in METHODS:
            yield client.open(base + sub, method=method, headers={**headers, "Content-Type": "application/json"},
                              data=BODY if method in ("POST", "PUT", "PATCH") else None)


@pytest.fixture
def pair(app, field_user):
    a, b = field_user("alice"), field_user("bob")
    with app.app_context():
        couch().create_db(b.full_db)
    return a, b


OTHER_RUN = re.compile(r"^[a-z]{1,2}[0-9a-f]{8,10}_")   # tests' and benchmarks' database prefixes


def dbs_and_docs(app, b):
    """The server's databases but other test runs' (`<prefix>_…`, made on a shared server meanwhile), and
    the other inspector's document count."""
    prefix = app.config["DB_PREFIX"]
    with app.app_context():
        names = [d for d in couch().all_dbs() if d.startswith(prefix) or not OTHER_RUN.match(d)]
        return sorted(names), couch().db(b.full_db).info()["doc_count"]


def test_another_inspectors_database_is_closed_by_every_route_and_method(app, client, pair):
    a, b = pair
    before = dbs_and_docs(app, b)
    for base in (f"/sync/{b.db}", f"/sync/{b.full_db}", f"/sync/{b.db.upper()}"):
        for res in everything_under(client, base, a.auth):
            assert_refused(res)
    assert dbs_and_docs(app, b) == before


def test_every_other_database_and_server_endpoint_is_closed(app, client, pair):
    a, b = pair
    before = dbs_and_docs(app, b)
    prefix = app.config["DB_PREFIX"]
    for name in OTHER_DBS + tuple(prefix + n for n in ("registry", "audit", "_users")):
        for res in everything_under(client, f"/sync/{name}", a.auth, ("/", "/_changes", "/_bulk_docs", "/doc1")):
            assert_refused(res)
    for path in (f"/sync/{a.db}/../{b.db}/", f"/sync/{a.db}/..%2F{b.db}", f"/sync/{a.db}/%2e%2e/{b.db}/_all_docs"):
        for method in METHODS:
            assert_refused(client.open(path, method=method, headers=a.auth))
    assert dbs_and_docs(app, b) == before


def test_unauthenticated_gets_401_for_every_route_and_method(app, client, pair):
    a, _ = pair
    for res in everything_under(client, f"/sync/{a.db}", {}):
        assert_refused(res, (401,))
        if res.request.method != "HEAD":
            assert res.get_json()["code"] == "unauthenticated"
    for bad in ("Bearer fk_not-a-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "fk_raw"):
        assert_refused(client.get(f"/sync/{a.db}/", headers={"Authorization": bad}), (401,))
        assert_refused(client.post(f"/sync/{a.db}/_bulk_docs", headers={"Authorization": bad}, data=BODY), (401,))
    assert client.get("/sync/", headers={}).status_code == 401


def test_staff_accounts_and_unlinked_inspectors_get_403(app, login, make_user, pair):
    a, _ = pair
    for role in ("supervisor", "admin"):
        staff = login(role, "370000")
        for res in (staff.get(f"/sync/{a.db}/"), staff.post(f"/sync/{a.db}/_bulk_docs", data=BODY,
                                                               content_type="application/json")):
            assert_refused(res, (403,))
            assert res.get_json()["errors"]["code"] == "gateway.role"
    loose = login("inspector", "370102", "noid")
    res = loose.get(f"/sync/{a.db}/")
    assert res.status_code == 403 and res.get_json()["errors"]["code"] == "gateway.unlinked"


def test_bearer_token_and_expert_accounts_reach_their_own_database(client, field_user):
    expert = field_user("ed", role="expert")
    res = client.get(f"/sync/{expert.db}/", headers=expert.auth)
    assert res.status_code == 200 and res.get_json()["db_name"] == expert.db
    assert client.get("/sync/", headers=expert.auth).get_json()["couchdb"] == "Welcome"
    res = client.post(f"/sync/{expert.db}/_bulk_docs", headers=expert.auth, json={"docs": [{"_id": "hazard:1"}]})
    assert res.status_code == 201 and res.get_json()[0]["ok"]


def test_revoked_token_is_refused(app, client, field_user):
    from server.accounts import store
    from server.db import registry
    a = field_user("rita")
    assert client.get(f"/sync/{a.db}/", headers=a.auth).status_code == 200
    with app.app_context():
        store.revoke_token(registry(), a.token)   # as another server process would
    app.extensions["auth_cache"].clear()          # … which this one notices within AUTH_CACHE_S
    assert_refused(client.get(f"/sync/{a.db}/", headers=a.auth), (401,))


def test_cookie_session_needs_csrf_on_writes(app, login, make_user):
    make_user("cookie-insp", "inspector", "370102", inspector_id="inspector:0123456789ab")
    phone = login("inspector", "370102", "cookie-insp")
    assert phone.client.get("/sync/inspector_0123456789ab/").status_code == 200
    bare = phone.client.post("/sync/inspector_0123456789ab/_bulk_docs", json={"docs": [{"_id": "a"}]})
    assert bare.status_code == 403 and bare.get_json()["code"] == "csrf"
    with_token = phone.post("/sync/inspector_0123456789ab/_bulk_docs", json={"docs": [{"_id": "a"}]})
    assert with_token.status_code == 201
    other = phone.post("/sync/inspector_ba9876543210/_bulk_docs", json={"docs": [{"_id": "a"}]})
    assert other.status_code == 403 and other.get_json()["errors"]["code"] == "gateway.not_yours"
