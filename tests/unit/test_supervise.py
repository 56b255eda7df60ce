"""The launcher's supervisor: a child that dies is started again after a pause that grows while it keeps dying."""
import logging
import os
import signal
import sys
import time

from deploy.supervise import Child, Supervisor


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_killed_child_is_restarted_and_the_log_says_so(caplog):
    caplog.set_level(logging.INFO, logger="supervise")
    child = Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor([child], first_s=0.1, check_s=0.05).start()
    try:
        first = child.pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: child.pid != first and child.proc.poll() is None, 10)
        assert child.restarts == 1
        assert any("sleeper" in r.message and "died with exit code -9" in r.message for r in caplog.records)
    finally:
        supervisor.stop(timeout=5)
    assert child.proc.poll() is not None             # stopping ends the children too


def test_a_child_that_keeps_dying_is_restarted_with_a_growing_pause():
    child = Child("broken", [sys.executable, "-c", "import sys; sys.exit(3)"])
    supervisor = Supervisor([child], first_s=0.1, max_s=0.8, check_s=0.02).start()
    pauses = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            if not pauses or child.pause != pauses[-1]:
                pauses.append(child.pause)
            time.sleep(0.01)
    finally:
        supervisor.stop(timeout=5)
    seen = [p for p in pauses if p]
    assert seen[:4] == [0.1, 0.2, 0.4, 0.8] and max(seen) == 0.8
    assert 4 <= child.restarts <= 8                  # about 4 s of 0.1 + 0.2 + 0.4 + 0.8 + 0.8 + …, not a spin
