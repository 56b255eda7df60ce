"""Today's date as the bureau sees it (Asia/Shanghai): the one "today" of deadlines and overdue lists.

A test sets the day with the application setting CLOCK_TODAY ('YYYY-MM-DD', given to create_app; never
read from the environment, so production cannot run on a pretend day), and every page that counts or
compares deadlines then behaves as on that day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context

SHANGHAI = timezone(timedelta(hours=8))


def today() -> date:
    """CLOCK_TODAY when the application was built with it, else today's date in China time."""
    fixed = current_app.config.get("CLOCK_TODAY") if has_app_context() else None
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return datetime.now(timezone.utc).astimezone(SHANGHAI).date()
