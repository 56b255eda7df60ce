"""How long one import may take to read and check (IMPORT_MAX_S): past it, the import stops with a clear
problem instead of holding a request thread for minutes (issue 17: 150,000 bad rows took 15 minutes)."""
from __future__ import annotations

import time

from flask import current_app, has_app_context

from i18n import Problem

DEFAULT_S = 120


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def check(self, line: int) -> None:
        """Problem tabular.too_slow if the time is up (`line`: how far the import got)."""
        if time.monotonic() > self.until:
            raise Problem("tabular.too_slow", seconds=int(self.seconds), line=line)


def import_deadline() -> Deadline:
    seconds = current_app.config.get("IMPORT_MAX_S", DEFAULT_S) if has_app_context() else DEFAULT_S
    return Deadline(float(seconds))
