"""httpx clients for `sync/couch.py`, one per concurrent caller: never one client shared by many threads.

One httpx client shared by 300 threads failed now and then with `ReadError [Errno 9] Bad file descriptor`
(issue 17; 4-6 errors per 2,200 GETs, the pattern of httpcore issue 1110: a pooled connection closed by
one thread while another still reads it). Here a caller takes a client of its own for one request and
gives it back; a client is never used by two callers at once. Clients share one TLS context (making one
per client is the costly part). Idle clients kept: MAX_IDLE; beyond that they are closed.

Idempotent requests (GET, HEAD) that fail on the transport before an answer, and any request whose
connection could not be made, are tried once more on another client: a kept-alive connection closed under
us is not CouchDB being down. A timeout is not retried (it would double the wait).
"""
from __future__ import annotations

import ssl
import threading

import httpx

from sync.pipe import IDLE_S

MAX_IDLE = 32
RETRIED = ("GET", "HEAD")


class ClientPool:
    """Hands out httpx clients with the same settings, one caller at a time each."""

    def __init__(self, base_url: str, auth, timeout: httpx.Timeout, headers: dict, max_idle: int = MAX_IDLE):
        self._settings = {"base_url": base_url, "auth": auth, "timeout": timeout, "headers": headers,
                          # one context for every client, also for plain http: httpx makes (and loads
                          # the CA bundle into) a new one per client otherwise, ~40 ms of CPU each (issue 17:
                          # under the edge's thousand greenlets clients come and go)
                          "verify": ssl.create_default_context(),
                          # an idle connection is let go before the server's keep-alive timeout (Node's 5 s),
                          # not reused in the instant the server closes it ("Server disconnected without
                          # sending a response" on a write, which is not retried)
                          "limits": httpx.Limits(max_connections=4, max_keepalive_connections=2,
                                                 keepalive_expiry=IDLE_S)}
        self._idle: list[httpx.Client] = []
        self._lock = threading.Lock()
        self.max_idle = max_idle
        self.closed = False

    def _take(self) -> httpx.Client:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return httpx.Client(**self._settings)

    def _give_back(self, client: httpx.Client) -> None:
        with self._lock:
            if not self.closed and len(self._idle) < self.max_idle:
                self._idle.append(client)
                return
        client.close()

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One request read whole; transport errors raise httpx.TransportError (after one retry of an
        idempotent request on a fresh client)."""
        for attempt in (1, 2):
            client = self._take()
            try:
                resp = client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                client.close()
                # a timeout is CouchDB slow, not a dead connection: waiting again would double the wait
                unsent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))  # nothing reached CouchDB
                if attempt == 2 or not (unsent or method in RETRIED and not isinstance(exc, httpx.TimeoutException)):
                    raise
                continue
            self._give_back(client)
            return resp
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        for client in idle:
            client.close()
