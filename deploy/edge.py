"""The edge: `make run`'s one public listener (gunicorn, gevent worker), in front of the thread pool.

Live sync must not consume the request pool (issue 17): a phone's `_changes` long poll waits up to
SYNC_LONGPOLL_S, and in gunicorn's thread pool each one held a thread, so ~32 open field kits took the
server. Here every connection is a greenlet (a few KB), so the edge:
- serves the sync gateway (`/sync/...`) itself, with the same Flask app and the same rules (auth, own
  database only, allowed requests): long polls wait on CouchDB without holding anyone's thread;
- buffers every other request whole (headers and body, bounded in size and time) before passing it to
  the thread pool (`web`, a gthread gunicorn on a Unix socket only the edge reaches). A client sending a
  login body one byte every 2 s holds a greenlet of the edge, never a thread of the pool.
docs/decisions/0015-edge-and-live-sync.md says why.
"""
from __future__ import annotations

import http.client
import json
import os
import socket

import i18n

SYNC_PREFIX = "/sync/"
# Headers that describe one hop, not the message: never passed on (RFC 9110 §7.6.1).
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
       "transfer-encoding", "upgrade", "proxy-connection"}
CHUNK = 64 * 1024
MB = 1024 * 1024


class UnixConnection(http.client.HTTPConnection):
    """HTTP over the web pool's Unix socket (only processes of this installation can open it)."""

    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class BodyRefused(Exception):
    """The request body was too large or too slow; `key` names the message, `status` the answer."""

    def __init__(self, status: int, code: str, key: str):
        super().__init__(key)
        self.status, self.code, self.key = status, code, key


def read_body(stream, length: int | None, limit: int, deadline_s: float) -> bytes:
    """The whole body, before any thread of the pool sees the request: at most `limit` bytes, within
    `deadline_s` seconds in all (gevent.Timeout: the greenlet waits, nothing else does)."""
    import gevent
    if length is not None and length > limit:
        raise BodyRefused(413, "too_large", "edge.body_too_large")
    parts, size = [], 0
    try:
        with gevent.Timeout(deadline_s):
            while True:
                want = CHUNK if length is None else min(CHUNK, length - size)
                if want <= 0:
                    break
                chunk = stream.read(want)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise BodyRefused(413, "too_large", "edge.body_too_large")
                parts.append(chunk)
    except gevent.Timeout:
        raise BodyRefused(408, "request_timeout", "edge.body_too_slow") from None
    if length is not None and size < length:
        raise BodyRefused(400, "bad_request", "edge.body_incomplete")
    return b"".join(parts)


def upstream_headers(environ: dict, body_length: int) -> dict:
    """The caller's headers for the pool, with the edge's own word on who called and how."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in HOP and name.lower() not in ("x-edge-client", "x-edge-scheme"):
                headers[name] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    headers["Content-Length"] = str(body_length)
    # Overwritten, never appended: the pool believes these only because they come from its own socket.
    headers["X-Edge-Client"] = environ.get("REMOTE_ADDR") or "unknown"
    headers["X-Edge-Scheme"] = environ.get("wsgi.url_scheme", "http")
    return headers


def problem(start_response, status: int, code: str, key: str, environ: dict):
    """The project's one error shape ({code, status, message}), in the caller's language."""
    locale = i18n.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE"), None)
    body = json.dumps({"code": code, "status": status, "message": i18n.t(key, locale)},
                      ensure_ascii=False).encode()
    reason = http.client.responses.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]


class Edge:
    """WSGI: /sync/ to the gateway app in this process, everything else buffered to the thread pool."""

    def __init__(self, sync_app, web_socket: str, body_limit: int, body_deadline_s: float, timeout_s: float):
        self.sync_app, self.web_socket = sync_app, web_socket
        self.body_limit, self.body_deadline_s, self.timeout_s = body_limit, body_deadline_s, timeout_s

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SYNC_PREFIX):
            return self.sync_app(environ, start_response)
        try:
            length = int(environ["CONTENT_LENGTH"]) if environ.get("CONTENT_LENGTH") else None
            body = read_body(environ["wsgi.input"], length, self.body_limit, self.body_deadline_s)
        except ValueError:
            return problem(start_response, 400, "bad_request", "edge.body_incomplete", environ)
        except BodyRefused as refused:
            return problem(start_response, refused.status, refused.code, refused.key, environ)
        return self.forward(environ, start_response, body)

    def forward(self, environ, start_response, body: bytes):
        target = environ.get("RAW_URI") or (environ.get("PATH_INFO", "/") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
        conn = UnixConnection(self.web_socket, self.timeout_s)
        try:
            conn.request(environ["REQUEST_METHOD"], target, body=body,
                         headers=upstream_headers(environ, len(body)))
            resp = conn.getresponse()
        except OSError:
            conn.close()
            return problem(start_response, 503, "couch_unavailable", "edge.web_unavailable", environ)
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
        start_response(f"{resp.status} {resp.reason}", headers)
        return _relay(resp, conn)


def _relay(resp, conn):
    """The pool's answer, passed on as it comes (exports and PDFs are not held whole in the edge)."""
    try:
        while chunk := resp.read(CHUNK):
            yield chunk
    except OSError:
        pass  # the pool's process ended mid-answer: the caller sees a cut answer and retries
    finally:
        conn.close()


def edge():
    """gunicorn entry point of the edge (deploy/edge_conf.py)."""
    from server import create_app
    app = create_app()
    limit = (int(app.config.get("IMPORT_MAX_MB", 20)) + 1) * MB
    return Edge(app, os.environ.get("WEB_SOCKET", "var/web.sock"), limit,
                float(os.environ.get("EDGE_BODY_TIMEOUT_S", "60")), float(os.environ.get("GUNICORN_TIMEOUT", "120")))


def web():
    """gunicorn entry point of the thread pool behind the edge: the caller's address and scheme as the
    edge saw them (any such header from elsewhere cannot reach this socket)."""
    from server import create_app
    from server.documents import pdf_guard
    app = create_app()
    pdf_guard.warm(app)  # the PDF renderer's process, started before the first supervisor asks

    def trusted(environ, start_response):
        client = environ.pop("HTTP_X_EDGE_CLIENT", None)
        scheme = environ.pop("HTTP_X_EDGE_SCHEME", None)
        if client:
            environ["REMOTE_ADDR"] = client
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
        return app(environ, start_response)
    return trusted


def commands(python: str, root, web_socket: str) -> tuple[list[str], list[str]]:
    """(thread pool, edge) gunicorn command lines for `make run`; both run in `root` and, as every other
    setting, read WEB_SOCKET (= `web_socket`) from the environment."""
    pool = [python, "-m", "gunicorn", "-c", str(root / "deploy" / "gunicorn.conf.py"),
            "-b", "unix:" + web_socket, "--no-control-socket", "deploy.edge:web()"]
    front = [python, "-m", "gunicorn", "-c", str(root / "deploy" / "edge_conf.py"), "--no-control-socket",
             "deploy.edge:edge()"]
    return pool, front
