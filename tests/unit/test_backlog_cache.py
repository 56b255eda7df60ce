"""The live backlog count (sync/backlog.py) never makes a request wait once counting has become slow (issue
17: at 1,000 phone databases a count is thousands of reads, and the status page timed out). The count
itself is tested against CouchDB in tests/integration/test_worker_health.py; here only the caching rule,
with the count replaced by a clock."""
import threading
import time

import pytest

from sync import backlog


@pytest.fixture
def counted(monkeypatch):
    calls, gate = [], threading.Event()
    gate.set()

    def count(server, prefix, records):
        gate.wait(10)
        time.sleep(calls_delay[0])
        calls.append(prefix)
        return {"total": len(calls), "by_db": {}, "counted": 0, "partial": False, "waited_s": 0.0}
    calls_delay = [0.0]
    monkeypatch.setattr(backlog, "count", count)
    monkeypatch.setattr(backlog, "_cache", {})
    return calls, calls_delay, gate


def test_a_quick_count_is_made_while_the_caller_waits_once_per_max_age(counted):
    calls, _delay, _gate = counted
    first = backlog.cached_count(None, "q_", None, 60)
    assert first["total"] == 1 and first["age_s"] == 0.0
    assert backlog.cached_count(None, "q_", None, 60)["total"] == 1   # within max age: the same answer
    assert backlog.cached_count(None, "q_", None, 0)["total"] == 2    # 0: afresh every time
    assert backlog.cached_count(None, "q_", None, 0)["total"] == 3


def test_a_slow_count_is_never_waited_for_again(counted, monkeypatch):
    calls, delay, gate = counted
    monkeypatch.setattr(backlog, "WAIT_UNDER_S", 0.05)
    monkeypatch.setattr(backlog, "DUTY", 1)
    delay[0] = 0.2
    assert backlog.cached_count(None, "s_", None, 0.01)["total"] == 1   # no answer yet: this one waits (≤ 2 s)
    gate.clear()                                                          # the next count hangs
    time.sleep(0.3)
    began = time.monotonic()
    stale = backlog.cached_count(None, "s_", None, 0.01)
    assert time.monotonic() - began < 0.1, "a request waited for a slow count"
    assert stale["total"] == 1 and stale["age_s"] >= 0.2
    assert backlog.cached_count(None, "s_", None, 0.01)["total"] == 1    # one count in the background, not two
    gate.set()
    deadline = time.monotonic() + 5
    while backlog.cached_count(None, "s_", None, 0.01)["total"] == 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backlog.cached_count(None, "s_", None, 60)["total"] >= 2
    assert calls.count("s_") <= 3


def test_the_first_count_is_waited_for_a_bounded_time_only(counted, monkeypatch):
    _calls, _delay, gate = counted
    monkeypatch.setattr(backlog, "FIRST_WAIT_S", 0.2)
    gate.clear()                                   # a new process, a thousand databases: the count takes long
    began = time.monotonic()
    first = backlog.cached_count(None, "f_", None, 15)
    assert time.monotonic() - began < 1 and first["counting"] and first["total"] == 0
    gate.set()
    deadline = time.monotonic() + 5
    while backlog.cached_count(None, "f_", None, 15)["counting"] and time.monotonic() < deadline:
        time.sleep(0.05)
    answer = backlog.cached_count(None, "f_", None, 15)
    assert not answer["counting"] and answer["total"] == 1
