"""The body read ahead on a helper thread: same chunks, same refusals, nothing handed over past a refusal."""
import io
import threading

import pytest

from i18n import Problem
from server.gateway.body import BodyGuard
from server.gateway.readahead import read_ahead


def test_chunks_arrive_in_order_and_whole():
    data = bytes(range(256)) * 5000
    out = b"".join(read_ahead(io.BytesIO(data).read, lambda c: c, 4096))
    assert out == data


def test_a_refused_chunk_is_never_handed_over_and_its_problem_raised_here():
    body = b'{"docs": [' + b'{"_id": "a"},' * 1000 + b'{"_id": "_design/x"}]}'
    guard = BodyGuard(10 * 1024 * 1024, "gateway.body_too_large", scan=True)
    handed = []
    with pytest.raises(Problem) as refused:
        for chunk in read_ahead(io.BytesIO(body).read, guard.check, 1000):
            handed.append(chunk)
    assert refused.value.code == "gateway.design_in_body"
    assert b"_design" not in b"".join(handed)


def test_the_cap_stops_the_body_before_the_chunk_that_crosses_it():
    guard = BodyGuard(5000, "gateway.body_too_large")
    handed = []
    with pytest.raises(Problem) as refused:
        for chunk in read_ahead(io.BytesIO(b"x" * 20_000).read, guard.check, 1024):
            handed.append(chunk)
    assert refused.value.code == "gateway.body_too_large" and sum(map(len, handed)) <= 5000


def test_a_failing_read_is_raised_in_the_callers_thread():
    def read(size):
        raise ConnectionResetError("the phone hung up")
    with pytest.raises(ConnectionResetError):
        list(read_ahead(read, lambda c: c, 10))


def test_stopping_early_stops_and_waits_for_the_helper():
    reads = []

    def read(size):
        reads.append(threading.current_thread().name)
        return b"y" * size
    chunks = read_ahead(read, lambda c: c, 10)
    assert next(chunks) == b"y" * 10
    chunks.close()
    assert not any(t.name == "body-read-ahead" and t.is_alive() for t in threading.enumerate())
    count = len(reads)
    assert count <= 4 and len(reads) == count   # a few chunks ahead at most, and no more reads after close
