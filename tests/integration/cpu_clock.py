"""A stopwatch for timing tests on a shared, loaded machine: the CPU seconds a piece of work costs.

Wall-clock bounds fail when other processes take the cores (the PDF tests failed on pouchdb-server and on
Apache CouchDB alike while eight test runs shared two cores). The CPU this process and its waited-for
children spend does not grow with the machine's load, so it can be bounded tightly and still fail when the
work itself becomes slow; the wall clock is then bounded only generously (a hang still fails).
"""
from __future__ import annotations

import resource
import time


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Stopwatch:
    """`with Stopwatch() as watch: …` then `watch.cpu` and `watch.wall` (seconds)."""

    def __enter__(self) -> "Stopwatch":
        self._cpu, self._wall = _cpu(), time.perf_counter()
        self.cpu = self.wall = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.cpu, self.wall = _cpu() - self._cpu, time.perf_counter() - self._wall
