"""Wait for a started web stack to answer `/healthz` (the launcher's, the benchmarks' and the tests' one way)."""
from __future__ import annotations

import contextlib
import time

import httpx


def wait_for_health(url: str, timeout: float, statuses=(200,), procs=(), poll_s: float = 0.3) -> bool:
    """True once `url`/healthz answers one of `statuses`; False after `timeout` seconds or as soon as one of
    `procs` (the processes serving it) has exited, since then it never will."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):   # not listening yet: ask again
            if httpx.get(url.rstrip("/") + "/healthz", timeout=3).status_code in statuses:
                return True
        if any(proc.poll() is not None for proc in procs):
            return False
        time.sleep(poll_s)
    return False
