"""How the gateway's pipe reads CouchDB's answers: framing, keep-alive, and malformed or hostile answers."""
import http.client
import io

import pytest

from sync.pipe_answer import CouchAnswer, PipeError, PipeResponse, PipeTimeout, failure


class FakeSocket:
    """Just enough of a socket for http.client: the answer's bytes, as CouchDB would send them."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode):
        return io.BytesIO(self.data)


class Pool:
    """Stands in for the Pipe: records whether the connection came back."""

    def __init__(self):
        self.released = []

    def release(self, conn):
        self.released.append(conn)

    def fail(self, exc):
        return exc


class Conn:
    closed = False

    def close(self):
        self.closed = True


def answer(raw: bytes, method: str = "GET") -> CouchAnswer:
    resp = CouchAnswer(FakeSocket(raw), method=method)
    resp.begin()
    return resp


def test_a_sized_answer_is_read_whole_and_its_connection_kept():
    resp = answer(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                  b"ETag: \"1-a\"\r\nX-Dup: a\r\nX-Dup: b\r\n\r\n{\"ok\":true}")
    assert resp.status == 200 and resp.length == 11 and not resp.will_close and not resp.chunked
    assert resp.headers["content-type"] == "application/json" and "ETag" in resp.headers
    assert resp.headers.get("x-dup") == "a, b" and resp.headers.get("Missing") is None
    pool, conn = Pool(), Conn()
    piped = PipeResponse(pool, conn, resp)
    assert piped.read() == b'{"ok":true}' and piped.complete
    piped.close()
    assert pool.released == [conn] and not conn.closed


def test_a_chunked_answer_is_decoded_and_a_half_read_one_never_reused():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    pool, conn = Pool(), Conn()
    whole = PipeResponse(pool, conn, answer(raw))
    assert b"".join(whole.iter_raw(3)) == b"hello world"
    whole.close()
    assert pool.released == [conn]
    pool, conn = Pool(), Conn()
    half = PipeResponse(pool, conn, answer(raw))
    assert half.read(4) == b"hell" and not half.complete
    half.close()
    assert pool.released == [] and conn.closed


@pytest.mark.parametrize("raw, will_close, length", [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", True, 2),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", True, 2),
    (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}", False, 2),
    (b"HTTP/1.1 200 OK\r\n\r\n{}", True, None),                                 # ends when CouchDB closes
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}", True, None),           # nonsense length
    (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}", True, None),
    (b"HTTP/1.1 304 Not Modified\r\nETag: \"1-a\"\r\n\r\n", False, 0),
    (b"HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", False, 2),
])
def test_framing_and_keep_alive(raw, will_close, length):
    resp = answer(raw)
    assert (resp.will_close, resp.length) == (will_close, length)


def test_a_head_answer_has_no_body_whatever_its_length_says():
    resp = answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", method="HEAD")
    assert resp.length == 0 and resp.read() == b""


@pytest.mark.parametrize("raw", [
    b"",                                                          # CouchDB hung up
    b"garbage\r\n\r\n",
    b"HTTP/2 200 OK\r\n\r\n",
    b"HTTP/1.1 abc OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 101 + b"\r\n",      # too many headers
    b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",  # a header line too long
    b"HTTP/1.1 200 OK\r\n" + b"a" * 70_000,                       # a status line too long
])
def test_malformed_answers_fail_cleanly(raw):
    with pytest.raises(http.client.HTTPException):
        answer(raw)


def test_failures_name_a_timeout_apart():
    assert isinstance(failure(TimeoutError("quiet")), PipeTimeout)
    assert failure(TimeoutError("quiet")).timed_out
    other = failure(ConnectionResetError("gone"))
    assert isinstance(other, PipeError) and not other.timed_out and "ConnectionResetError" in str(other)
