"""Where prometheus_client keeps each process's samples (its multiprocess mode), shared by the edge and the
thread pool so that one scrape of /metrics covers every process; `python -m deploy.metrics_dir --clear`
empties it before a fresh start (make run's launcher does so; the production pool unit too)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "var" / "metrics"


def metrics_dir() -> str:
    """The directory (PROMETHEUS_MULTIPROC_DIR, set here when unset, before the app is imported), made."""
    path = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DEFAULT))
    os.makedirs(path, exist_ok=True)
    return path


def clear() -> str:
    """A fresh start: the samples of processes that no longer exist would inflate the live gauges."""
    path = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DEFAULT))
    shutil.rmtree(path, ignore_errors=True)
    return metrics_dir()


def mark_dead(pid: int) -> None:
    """gunicorn's child_exit: a dead process's live gauges (requests in flight) stop counting."""
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(pid, metrics_dir())


if __name__ == "__main__":
    if sys.argv[1:] != ["--clear"]:
        print("usage: python -m deploy.metrics_dir --clear", file=sys.stderr)
        sys.exit(2)
    print(clear())
