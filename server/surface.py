"""The application's outer surface (issue 14): security headers with the full CSP and, over HTTPS, HSTS;
JSON bodies nested too deeply refused with 400 before anything parses them; same-site redirects only."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from i18n import t
from server.errors import error_response

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CSP))
# A string (with its escapes) is one token, so brackets inside strings are not counted.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
JSON_DEPTH_SKIP = ("/sync/",)   # the gateway streams phones' bodies to CouchDB and never parses them whole


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True as soon as the nesting of `body` goes past `limit` (no parsing, stops early)."""
    depth = 0
    for match in _TOKENS.finditer(body):
        char = match.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def https_request() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def same_site_target(target: str | None, fallback: str) -> str:
    """A path on this site taken from a Referer (or `next`), else `fallback`: never another site."""
    if not target or len(target) > 2000:
        return fallback
    parts = urlsplit(target)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return fallback
    if parts.netloc and parts.netloc != request.host:
        return fallback
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")


def init_app(app: Flask) -> None:
    @app.before_request
    def _json_depth():
        if not request.is_json or request.path.startswith(JSON_DEPTH_SKIP):
            return None
        limit = current_app.config.get("JSON_MAX_DEPTH", 64)
        if json_depth_exceeds(request.get_data(cache=True), limit):
            return error_response("bad_request", 400, t("security.json_too_deep", max=limit))
        return None

    @app.after_request
    def _headers(resp):
        # One pass over the response's headers, not one scan per setdefault (the sync gateway answers
        # hundreds of requests per replication).
        present = {name.lower() for name in resp.headers.keys()}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                resp.headers.add(name, value)
        hsts = current_app.config.get("HSTS_SECONDS", 0)
        if hsts and https_request() and "strict-transport-security" not in present:
            resp.headers.add("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        return resp
