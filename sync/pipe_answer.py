"""How the sync gateway's pipe reads CouchDB's answers: status and headers by hand, the body by http.client.

http.client parses headers through the email package (270,000 instructions an answer; this takes 40,000,
an eighth of all a gateway request costs). The body framing (Content-Length, chunked) stays http.client's.
"""
from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

MAX_LINE, MAX_HEADERS = 65536, 100


class PipeError(Exception):
    """CouchDB could not be reached, or the connection failed mid-request."""

    timed_out = False


class PipeTimeout(PipeError):
    """CouchDB said nothing for the whole read timeout (a quiet long poll, or a stuck server)."""

    timed_out = True


class _Headers(dict):
    """An answer's headers by lower-case name (a repeated header's values joined with commas)."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name):
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name):
        return dict.__contains__(self, name.lower())


class CouchAnswer(http.client.HTTPResponse):
    """http.client's answer, its status and headers read without the email package."""

    def begin(self):
        if self.headers is not None:
            return
        version, status, reason = self._read_status()
        while 100 <= status < 200:  # interim answers: their headers are skipped, the final one follows
            read_headers(self.fp)
            version, status, reason = self._read_status()
        if not version.startswith("HTTP/1."):
            raise http.client.UnknownProtocol(version)
        self.code = self.status = status
        self.reason = reason.strip()
        self.version = 10 if version == "HTTP/1.0" else 11
        self.headers = self.msg = read_headers(self.fp)
        self.chunked = self.headers.get("transfer-encoding", "").strip().lower() == "chunked"
        self.chunk_left = None
        connection = self.headers.get("connection", "").lower()
        self.will_close = "close" in connection if self.version == 11 else "keep-alive" not in connection
        self.length = None
        length = self.headers.get("content-length", "")
        if length.isdigit() and not self.chunked:
            self.length = int(length)
        if status in (204, 304) or self._method == "HEAD":
            self.length = 0
        if self.length is None and not self.chunked:
            self.will_close = True  # the body ends when CouchDB closes the connection


def read_headers(fp) -> _Headers:
    headers = _Headers()
    for _ in range(MAX_HEADERS + 1):
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = line.decode("iso-8859-1").partition(":")
        if not colon:
            raise http.client.HTTPException(f"malformed header line {line[:80]!r}")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{dict.get(headers, name)}, {value}" if name in headers else value
    raise http.client.HTTPException(f"more than {MAX_HEADERS} headers")


class PipeResponse:
    """CouchDB's answer, read as it arrives; the connection goes back to the pool once it is read to the end."""

    def __init__(self, pipe, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse):
        """`pipe` is the owning pool (sync/pipe.py): it takes the connection back and names failures."""
        self._pipe, self._conn, self._resp = pipe, conn, resp
        self.status_code = resp.status
        self.headers = resp.msg  # case-insensitive: .get("Content-Type"), "ETag" in headers

    def iter_raw(self, size: int) -> Iterator[bytes]:
        """The body in pieces of at most `size` bytes, each passed on as soon as it arrives."""
        while True:
            chunk = self._read(size)
            if not chunk:
                return
            yield chunk

    @property
    def complete(self) -> bool:
        """The whole answer has been read."""
        resp = self._resp
        return resp.isclosed() or (not resp.chunked and resp.length == 0)

    def read(self, limit: int | None = None) -> bytes:
        """The body, or its first `limit` bytes: all of it if it ends within them (see `complete`)."""
        parts, seen = [], 0
        while (limit is None or seen < limit) and not self.complete:
            chunk = self._read(65536 if limit is None else min(65536, limit - seen))
            if not chunk:
                break
            parts.append(chunk)
            seen += len(chunk)
        return b"".join(parts)

    def _read(self, size: int) -> bytes:
        try:
            return self._resp.read1(size)
        except (OSError, http.client.HTTPException) as exc:
            raise self._pipe.fail(failure(exc)) from exc

    def close(self) -> None:
        """Give the connection back if the answer was read whole, else close it (never reuse a half-read one)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        resp = self._resp
        whole = self.complete  # read1 leaves a Content-Length answer open after its last byte
        resp.close()
        if whole and not resp.will_close:
            self._pipe.release(conn)
        else:
            conn.close()


def failure(exc: BaseException) -> PipeError:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return PipeTimeout(f"no answer within the timeout: {exc}")
    return PipeError(f"{type(exc).__name__}: {exc}")
