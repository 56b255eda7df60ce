"""How the sync gateway's pipe proves itself to CouchDB: a session cookie (POST /_session), Basic as fallback.

With Basic auth CouchDB checks the password on every request; pouchdb-server spends about 0.4 ms on it
(1.2-1.6 ms for `GET /` with Basic against 0.8-1.0 ms without, a cookie close to the latter), and a phone's
replication makes some 300 requests through the gateway. A session cookie is checked by its signature
only. The pipe logs in once per process, sends the cookie, takes the fresh cookie CouchDB hands back
(Apache CouchDB re-issues it as it ages), logs in again before `renew_s` has passed, and once more if an
answer says 401 (the server restarted with a new secret, or its session timeout is shorter than ours).
When CouchDB offers no session (`/_session` refused, no cookie in the answer), Basic is used and a login
is tried again only after `renew_s`. docs/decisions/0009-sync-gateway-pipe.md.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable

COOKIE = re.compile(r"AuthSession=([^;,\s]+)")
RENEW_S = 240.0  # under CouchDB's default session of 600 s; the app's COUCH_SESSION_RENEW_S says the same


def session_cookie(set_cookie: str | None) -> str | None:
    """The `Cookie:` value for an answer's Set-Cookie header, if it carries a CouchDB session."""
    found = COOKIE.search(set_cookie or "")
    return f"AuthSession={found.group(1)}" if found else None


class CouchSession:
    """The credential header for the next request: ("Cookie", …) while a session holds, else ("Authorization", …)."""

    def __init__(self, auth: tuple[str, str], login: Callable[[bytes], tuple[int, str | None]],
                 renew_s: float = RENEW_S):
        """`login(body)` posts `body` to /_session and returns (status, Set-Cookie header); `renew_s` 0
        means no session: Basic on every request."""
        self.basic = ("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
        self._body = json.dumps({"name": auth[0], "password": auth[1]}).encode()
        self._login, self.renew_s = login, renew_s
        self._cookie: str | None = None
        self._since = float("-inf")  # when the cookie was obtained, or the last login failed
        self._lock = threading.Lock()

    def header(self) -> tuple[str, str]:
        if not self.renew_s:
            return self.basic
        cookie, since = self._cookie, self._since
        if time.monotonic() - since < self.renew_s:
            return ("Cookie", cookie) if cookie else self.basic
        with self._lock:  # one thread logs in; the others wait for its cookie
            if time.monotonic() - self._since >= self.renew_s:
                self._log_in()
            return ("Cookie", self._cookie) if self._cookie else self.basic

    def _log_in(self) -> None:
        try:
            status, set_cookie = self._login(self._body)
        except Exception:  # CouchDB unreachable: the request itself will say so; Basic until renew_s
            status, set_cookie = 0, None
        self._cookie = session_cookie(set_cookie) if status == 200 else None
        self._since = time.monotonic()

    def refreshed(self, set_cookie: str | None) -> None:
        """An answer handed back a newer cookie: use it from now on."""
        cookie = session_cookie(set_cookie)
        if cookie and self._cookie:
            self._cookie, self._since = cookie, time.monotonic()

    def refused(self, sent: tuple[str, str]) -> bool:
        """An answer said 401 to `sent`: forget that cookie. True if a new login is worth a retry."""
        if sent[0] != "Cookie":
            return False
        with self._lock:
            if self._cookie == sent[1]:
                self._cookie, self._since = None, float("-inf")
        return True
