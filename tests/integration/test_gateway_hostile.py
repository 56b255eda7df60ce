"""Hostile and oversized requests at the sync gateway: each refused in the project's error shape, CouchDB unharmed."""
import gzip
from urllib.parse import urlsplit

import httpx
import pytest

from server.gateway import proxy
from server.gateway.rules import Route
from sync.bootstrap import SECURITY
from sync.couch import Couch
from tests.integration.gateway_fixtures import field_user, live_server, server_db  # noqa: F401  (fixtures)

MB = 1024 * 1024
JSON = "application/json"
HOSTILE = [
    ("GET", "/_changes?filter=_selector", None, JSON, 403, "gateway.filter"),
    ("POST", "/_changes?filter=_selector", b'{"selector": {"type": "task"}}', JSON, 403, "gateway.filter"),
    ("POST", "/_changes", b'{"selector": {"type": "task"}}', JSON, 403, "gateway.filter"),
    ("GET", "/_changes?filter=ddoc/missing", None, JSON, 403, "gateway.filter"),
    ("GET", "/_changes?filter=_view&view=a/b", None, JSON, 403, "gateway.filter"),
    ("GET", "/_changes?filter=_doc_ids", None, JSON, 400, "gateway.doc_ids"),
    ("GET", "/_changes?feed=continuous", None, JSON, 403, "gateway.feed"),
    ("GET", "/_changes?feed=eventsource", None, JSON, 403, "gateway.feed"),
    ("GET", "/_changes?since=%7B%22a%22%3A1%7D", None, JSON, 400, "gateway.param_value"),
    ("GET", "/_changes?limit=-1", None, JSON, 400, "gateway.param_value"),
    ("POST", "/_changes", b'{"doc_ids": "x"}', JSON, 400, "gateway.changes_body"),
    ("POST", "/_changes", b'{"doc_ids": [', JSON, 400, "gateway.json"),
    ("PUT", "/_design/x", b'{"validate_doc_update": "function () { throw 1; }"}', JSON, 403, "gateway.design"),
    ("PUT", "/_design%2Fx", b'{"views": {}}', JSON, 403, "gateway.design"),
    ("GET", "/_design/x/_view/y", None, JSON, 403, "gateway.design"),
    ("PUT", "/_security", b'{"members": {"names": ["alice"]}}', JSON, 403, "gateway.endpoint"),
    ("GET", "/_security", None, JSON, 403, "gateway.endpoint"),
    ("POST", "/_bulk_docs", b'{"docs": [{"_id": "_design/x", "views": {"v": {"map": "function(d){}"}}}]}', JSON,
     403, "gateway.design_in_body"),
    ("POST", "/_bulk_docs", b'{"new_edits": false, "docs": [{"_id": "_design/x", "_rev": "1-a"}]}', JSON,
     403, "gateway.design_in_body"),
    ("POST", "/_bulk_docs", b'{"docs": [{"_id": "\\u005fdesign/x"}]}', JSON, 400, "gateway.escaped_ascii"),
    ("PUT", "/innocent", b'{"_id": "_design/x", "validate_doc_update": "function () {}"}', JSON, 403,
     "gateway.design_in_body"),
    ("POST", "/_bulk_docs", b'{"docs": [', JSON, 400, "gateway.upstream_refused"),
    ("PUT", "/doc1", b"not json", JSON, 400, "gateway.upstream_refused"),
    ("POST", "/_bulk_docs", b'{"docs": []}', "text/plain", 415, "gateway.content_type"),
    ("PUT", "/doc1", b"--b\r\n\r\n{}\r\n--b--", "multipart/related; boundary=b", 415, "gateway.content_type"),
    ("PUT", "/doc1/a.jpg", b"x", "multipart/form-data; boundary=b", 415, "gateway.attachment_type"),
    ("POST", "/_bulk_docs", gzip.compress(b'{"docs": []}'), JSON, 415, "gateway.content_encoding"),
    ("POST", "/_compact", b"", JSON, 403, "gateway.endpoint"),
    ("POST", "/_purge", b"{}", JSON, 403, "gateway.endpoint"),
    ("PUT", "/_revs_limit", b"1", JSON, 403, "gateway.endpoint"),
    ("POST", "/_index", b'{"index": {"fields": ["a"]}}', JSON, 403, "gateway.endpoint"),
    ("POST", "/_find", b'{"selector": {}}', JSON, 403, "gateway.endpoint"),
    ("POST", "/_explain", b'{"selector": {}}', JSON, 403, "gateway.endpoint"),
    ("POST", "/_view_cleanup", b"", JSON, 403, "gateway.endpoint"),
    ("POST", "/", b'{"_id": "x"}', JSON, 405, "gateway.method"),
    ("DELETE", "/", None, JSON, 405, "gateway.method"),
    ("PUT", "/", None, JSON, 405, "gateway.method"),
    ("DELETE", "/doc1", None, JSON, 405, "gateway.method"),
    ("COPY", "/doc1", None, JSON, 405, "gateway.method"),
    ("GET", "/_changes?since=0&since=1", None, JSON, 400, "gateway.param_repeated"),
    ("GET", "/doc1?rev=abc", None, JSON, 400, "gateway.param_value"),
    ("GET", "/../registry", None, JSON, 403, "gateway.path"),
    ("GET", "/a%2F..%2F..%2Fregistry", None, JSON, 403, "gateway.doc_id"),
    ("GET", "/%2e%2e/registry/_all_docs", None, JSON, 403, "gateway.path"),
]


@pytest.fixture
def alice(app, client, field_user):
    a = field_user("alice")
    assert client.get(f"/sync/{a.db}/", headers=a.auth).status_code == 200
    return a


def assert_error_shape(res, status: int, code: str, secrets=()):
    body = res.get_json()
    assert res.status_code == status, (res.status_code, body)
    assert body["status"] == status and body["message"] and body["errors"]["code"] == code, body
    assert not any(s in res.get_data(as_text=True) for s in secrets)


def couch_secrets(couch_url: str) -> tuple:
    parts = urlsplit(couch_url)
    return (f"{parts.hostname}:{parts.port}", parts.password, "Basic ", "_admin")


def unharmed(app, client, a, start_time: str) -> None:
    """pouchdb-server still serves, was not restarted, holds no design document and kept its security."""
    info = client.get(f"/sync/{a.db}/", headers=a.auth)
    assert info.status_code == 200 and info.get_json()["instance_start_time"] == start_time
    with app.app_context():
        db = server_db(app, a)
        assert db.all_docs(startkey='"_design/"', endkey='"_design/\ufff0"') == []
        assert db.get_security() == SECURITY


def test_hostile_requests_are_refused(app, client, alice, couch_url):
    """One database for all cases (a fresh app per case would cost a second each); every case is reported."""
    start_time = client.get(f"/sync/{alice.db}/", headers=alice.auth).get_json()["instance_start_time"]
    failures = []
    for method, sub, body, ctype, status, code in HOSTILE:
        headers = {**alice.auth, "Content-Type": ctype}
        if code == "gateway.content_encoding":
            headers["Content-Encoding"] = "gzip"
        res = client.open(f"/sync/{alice.db}{sub}", method=method, headers=headers, data=body)
        try:
            assert_error_shape(res, status, code, couch_secrets(couch_url))
            unharmed(app, client, alice, start_time)
        except AssertionError as exc:
            failures.append(f"{method} {sub}: {exc}")
    assert not failures, "\n".join(failures)


def test_oversized_bodies_are_refused_by_their_length(app, client, alice, couch_url):
    start_time = client.get(f"/sync/{alice.db}/", headers=alice.auth).get_json()["instance_start_time"]
    cases = [("POST", "/_bulk_docs", 25 * MB, "application/json", "gateway.body_too_large"),
             ("PUT", "/big-doc", 10 * MB, "application/json", "gateway.doc_too_large"),
             ("PUT", "/_local/big", 10 * MB, "application/json", "gateway.doc_too_large"),
             ("PUT", "/photo:1/photo.jpg", 13 * MB, "image/jpeg", "gateway.attachment_too_large")]
    for method, sub, size, ctype, code in cases:
        body = b'{"docs": [{"_id": "a", "pad": "' + b"x" * (size - 40) + b'"}]}'
        res = client.open(f"/sync/{alice.db}{sub}", method=method, data=body,
                          headers={**alice.auth, "Content-Type": ctype})
        assert_error_shape(res, 413, code, couch_secrets(couch_url))
    unharmed(app, client, alice, start_time)


def test_oversized_chunked_body_is_stopped_by_counting(app, live_server, client, alice):
    app.config["SYNC_MAX_BODY_MB"] = 2
    start_time = client.get(f"/sync/{alice.db}/", headers=alice.auth).get_json()["instance_start_time"]

    def chunks():  # no Content-Length: only the gateway's own count can stop it
        yield b'{"docs": [{"_id": "a", "pad": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}]}'
    with httpx.Client(timeout=30) as http:
        res = http.post(f"{live_server}/sync/{alice.db}/_bulk_docs", content=chunks(),
                        headers={**alice.auth, "Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["errors"]["code"] == "gateway.body_too_large"
    unharmed(app, client, alice, start_time)
    with app.app_context():
        assert server_db(app, alice).get_or_none("a") is None


def test_couch_refusing_the_servers_credentials_is_not_passed_on(app, client, alice, couch_url, monkeypatch):
    parts = urlsplit(couch_url)
    wrong = Couch(f"http://{parts.username}:wrong-password@{parts.hostname}:{parts.port}")
    monkeypatch.setattr(proxy, "couch", lambda: wrong)
    res = client.get(f"/sync/{alice.db}/_all_docs", headers=alice.auth)
    assert_error_shape(res, 500, "gateway.upstream_auth", couch_secrets(couch_url) + ("wrong-password",))
    wrong.close()


def test_only_safe_headers_reach_couch(app):
    route = Route(kind="bulk_docs", method="POST", path="/_bulk_docs", body="json_write", cap="body")
    incoming = {"Authorization": "Bearer fk_x", "Cookie": "session=abc", "X-Forwarded-For": "1.2.3.4",
                "If-Match": '"1-a"', "Content-Type": "application/json; charset=utf-16", "Destination": "registry"}
    with app.test_request_context("/sync/x/_bulk_docs", method="POST", headers=incoming):
        sent = proxy.outgoing_headers(route)
    assert sent == {"Accept": "application/json", "Accept-Encoding": "identity", "If-Match": '"1-a"',
                    "Content-Type": "application/json"}
