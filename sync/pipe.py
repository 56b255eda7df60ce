"""The sync gateway's pipe to CouchDB: keep-alive stdlib http.client connections that stream both ways.

httpx costs about 0.6 ms of CPU per request (URL objects, h11 state machine, cookie jar) where http.client
costs about 0.15 ms; a phone's replication makes hundreds of requests, so the gateway's pipe uses this and
everything else in `sync/couch.py` keeps httpx (docs/decisions/0009-sync-gateway-pipe.md). Reached only
through `Couch.stream`. The server's own credentials are added here and nowhere else: a CouchDB session
cookie (sync/pipe_session.py), or the password where a refusal would not be a plain 401.
"""
from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlencode, urlsplit

from sync.pipe_answer import CouchAnswer, PipeError, PipeResponse, failure
from sync.pipe_session import RENEW_S, CouchSession

# Node's http server (pouchdb-server) drops an idle keep-alive connection after 5 s; reuse stays below.
IDLE_S = 4.0
MAX_IDLE = 32


def _as_is(exc: PipeError) -> Exception:
    return exc


def _readable(sock: socket.socket | None) -> bool:
    """An idle keep-alive socket that is readable was closed (or spoke out of turn): not reusable."""
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class Pipe:
    """A small pool of keep-alive connections to one CouchDB server, shared by a process's threads."""

    def __init__(self, base_url: str, auth: tuple[str, str] | None, timeout: float = 30.0,
                 connect_timeout: float = 5.0, fail: Callable[[PipeError], Exception] = _as_is,
                 session_renew_s: float = RENEW_S):
        """`fail` turns a connection failure into the owner's own exception (Couch: Unavailable, TimedOut).
        With `auth`, requests carry a CouchDB session cookie renewed every `session_renew_s` (0: Basic on
        every request; sync/pipe_session.py)."""
        parts = urlsplit(base_url)
        self.host, self.https = parts.hostname or "127.0.0.1", parts.scheme == "https"
        self.port = parts.port or (443 if self.https else 80)
        self.base_path = parts.path.rstrip("/")
        self.timeout, self.connect_timeout, self.fail = timeout, connect_timeout, fail
        self.session = CouchSession(auth, self._log_in, session_renew_s) if auth else None
        self._ssl = ssl.create_default_context() if self.https else None
        self._idle: list[tuple[http.client.HTTPConnection, float]] = []
        self._lock = threading.Lock()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            while self._idle:
                conn, since = self._idle.pop()
                if time.monotonic() - since < IDLE_S and not _readable(conn.sock):
                    return conn, True
                conn.close()
        return self._new_connection(), False

    def _new_connection(self) -> http.client.HTTPConnection:
        if self.https:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.connect_timeout,
                                               context=self._ssl)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        conn.response_class = CouchAnswer
        return conn

    def release(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append((conn, time.monotonic()))
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()

    def open(self, method: str, path: str, params: dict | None = None, headers: dict | None = None,
             content: bytes | Iterable[bytes] | None = None, timeout: float | None = None,
             session: bool = True) -> PipeResponse:
        """Send one request (`path` already percent-encoded) and return as soon as the answer's headers arrive.

        A streamed body's own exceptions (a cap, a refused document, the phone hanging up) pass through
        untouched; only the connection's failures go through `fail`. A request whose body can be sent again
        is retried once on a fresh connection if a reused one turns out to be closed, and once with a new
        session if CouchDB no longer knows the session cookie (401). `session=False` sends the password
        instead: for a request whose refusal would not be a plain 401 (pouchdb-server answers `_bulk_docs`
        from a stranger with 201 and an error per document, which PouchDB would take as "denied" and skip).
        A streamed body (an iterable) always goes with the password: it cannot be sent twice, and Apache
        CouchDB refuses a stale cookie before reading it (docs/decisions/0018-apache-couchdb-3.md).
        """
        target = self.base_path + path + ("?" + urlencode(params, quote_via=quote) if params else "")
        replayable = content is None or isinstance(content, (bytes, bytearray))
        headers = headers or {}
        # A streamed body goes with the password: Apache CouchDB answers a stale cookie with 401 before it
        # reads the body and closes the connection, so the body could neither arrive nor be sent again.
        cookie = session and replayable
        credential = (self.session.header() if cookie else self.session.basic) if self.session else None
        resp = self._send(method, target, headers, credential, content, timeout, replayable)
        if self.session is None:
            return resp
        if resp.status_code == 401 and self.session.refused(credential) and replayable:
            resp.read(65536)
            resp.close()
            return self._send(method, target, headers, self.session.header(), content, timeout, replayable)
        self.session.refreshed(resp.headers.get("set-cookie"))
        return resp

    def _send(self, method, target, headers, credential, content, timeout, replayable) -> PipeResponse:
        conn, reused = self._connection()
        try:
            return self._attempt(conn, method, target, headers, credential, content, timeout)
        except PipeError as exc:
            if not (reused and replayable):
                raise self.fail(exc) from exc
        try:  # the pooled connection had been closed by CouchDB: once more on a new one
            return self._attempt(self._new_connection(), method, target, headers, credential, content, timeout)
        except PipeError as exc:
            raise self.fail(exc) from exc

    def _log_in(self, body: bytes) -> tuple[int, str | None]:
        """POST /_session on a new connection (sync/pipe_session.py calls this, a few times an hour)."""
        resp = self._attempt(self._new_connection(), "POST", self.base_path + "/_session",
                             {"Content-Type": "application/json", "Accept": "application/json"}, None, body,
                             self.connect_timeout)
        try:
            resp.read(65536)
            return resp.status_code, resp.headers.get("set-cookie")
        finally:
            resp.close()

    def _attempt(self, conn, method, target, headers, credential, content, timeout) -> PipeResponse:
        try:
            return PipeResponse(self, conn, self._exchange(conn, method, target, headers, credential, content,
                                                           timeout))
        except BaseException:
            conn.close()  # a failed connection, or the caller's body failed halfway: never reused
            raise

    def _exchange(self, conn, method, target, headers, credential, content, timeout) -> http.client.HTTPResponse:
        if conn.sock is None:
            try:
                conn.connect()
            except OSError as exc:  # a connect that timed out means unreachable, not quiet
                raise PipeError(f"cannot connect: {type(exc).__name__}: {exc}") from exc
        try:
            conn.sock.settimeout(self.timeout if timeout is None else timeout)
            conn.putrequest(method, target, skip_accept_encoding=True)
            sent = {name.lower() for name in headers}
            for name, value in headers.items():
                conn.putheader(name, value)
            if credential:
                conn.putheader(*credential)
            chunked = content is not None and not isinstance(content, (bytes, bytearray)) \
                and "content-length" not in sent
            if isinstance(content, (bytes, bytearray)) and "content-length" not in sent:
                conn.putheader("Content-Length", str(len(content)))
            elif content is None and method in ("POST", "PUT") and "content-length" not in sent:
                conn.putheader("Content-Length", "0")
            if chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders(bytes(content) if isinstance(content, (bytes, bytearray)) else None)
        except (OSError, http.client.HTTPException) as exc:
            raise failure(exc) from exc
        if content is not None and not isinstance(content, (bytes, bytearray)):
            self._send_stream(conn, content, chunked)
        try:
            return conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            raise failure(exc) from exc

    @staticmethod
    def _send_stream(conn, content: Iterable[bytes], chunked: bool) -> None:
        for chunk in content:  # the caller's exceptions leave from here as they are
            if not chunk:
                continue
            try:
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            except OSError as exc:
                raise failure(exc) from exc
        if chunked:
            try:
                conn.send(b"0\r\n\r\n")
            except OSError as exc:
                raise failure(exc) from exc
