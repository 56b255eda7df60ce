"""The surface findings of issue 14: cookies and HSTS over HTTPS, the full CSP, a minimal public /healthz,
JSON nested 1,000 deep (was a 500), /lang/<code> redirecting wherever Referer said."""
from __future__ import annotations

import json

import pytest

from server.config import Config
from server.surface import json_depth_exceeds


def test_the_csp_names_frames_base_forms_and_objects(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'",
                      "default-src 'self'"):
        assert directive in csp


def test_https_gets_hsts_and_production_gets_secure_cookies(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers       # plain http: never
    production = Config({"PUBLIC_BASE_URL": "https://zhifa.example.gov.cn"})
    assert production.SESSION_COOKIE_SECURE is True and production.HSTS_SECONDS == 31536000
    laptop = Config({})
    assert laptop.SESSION_COOKIE_SECURE is False and laptop.HSTS_SECONDS == 0
    app.config["HSTS_SECONDS"] = 31536000
    res = client.get("/login", base_url="https://localhost")
    assert res.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" in client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers


def test_a_secure_cookie_is_marked_secure(app, login):
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = login("supervisor").client.get_cookie("session")
    assert cookie.secure is True and cookie.http_only is True


def test_public_healthz_says_only_the_status(client, login):
    public = client.get("/healthz").get_json()
    assert public == {"status": "ok"}
    assert login("supervisor").get("/healthz").get_json() == {"status": "ok"}
    detailed = login("admin").get("/healthz").get_json()
    assert {"couchdb", "worker", "calendar"} <= set(detailed)


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_too_deep_is_a_400_not_a_500(app, login, depth):
    sup = login("supervisor")
    body = "[" * depth + "]" * depth
    res = sup.post("/api/v1/plans", data=body, content_type="application/json")
    assert res.status_code == 400 and res.get_json()["code"] == "bad_request" and "64" in res.get_json()["message"]
    res = sup.post("/api/v1/enterprises", data=json.dumps({"name": "{" * 500}), content_type="application/json")
    assert res.status_code == 422   # brackets inside a string are text, not nesting


def test_the_depth_scan_counts_only_structure():
    assert not json_depth_exceeds(b'{"a": [[["\\"[[[[[[["]]]}', 4)
    assert json_depth_exceeds(b'{"a": [[[1]]]}', 3)
    assert not json_depth_exceeds(b'"' + b"[" * 10_000 + b'"', 3)


@pytest.mark.parametrize("referer,expected", [
    ("https://evil.example/phish", "/"), ("//evil.example/x", "/"), ("javascript:alert(1)", "/"),
    ("http://localhost/console/plans?page=2", "/console/plans?page=2"), ("/console/stats", "/console/stats"),
    ("http://localhost\\@evil.example/", "/"), (None, "/"),
])
def test_the_language_switch_redirects_only_to_this_site(client, referer, expected):
    headers = {"Referer": referer} if referer else {}
    res = client.get("/lang/en", headers=headers)
    assert res.status_code == 302
    location = res.headers["Location"]
    assert location in (expected, f"http://localhost{expected}"), location
