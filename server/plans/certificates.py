"""Enforcement certificate (执法证) validity: an expired certificate keeps its holder out of draws and
teams; one expiring within CERT_WARN_DAYS is flagged on the inspectors page so it can be renewed."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, has_app_context

from server import clock

DEFAULT_WARN_DAYS = 30


def warn_days() -> int:
    return current_app.config.get("CERT_WARN_DAYS", DEFAULT_WARN_DAYS) if has_app_context() else DEFAULT_WARN_DAYS


def expired(person: dict, on: date) -> bool:
    """True when the certificate's last valid day is before `on` (no date recorded: not known to be expired)."""
    until = person.get("cert_expires")
    return bool(until) and date.fromisoformat(until) < on


def state(person: dict, today: date | None = None) -> dict:
    """{status: valid | expiring | expired | unknown, until, days_left} for pages and the API."""
    today = today or clock.today()
    until = person.get("cert_expires")
    if not until:
        return {"status": "unknown", "until": None, "days_left": None}
    left = (date.fromisoformat(until) - today).days
    status = "expired" if left < 0 else "expiring" if left <= warn_days() else "valid"
    return {"status": status, "until": until, "days_left": left}


def draw_reference_day(plan: dict, today: date | None = None) -> date:
    """The day a draw checks certificates on: the plan's first day, or today if the plan has begun."""
    return max(date.fromisoformat(plan["period"]["start"]), today or clock.today())


def soon(days: int, today: date | None = None) -> str:
    return ((today or clock.today()) + timedelta(days=days)).isoformat()


def scope_summary(db, prefix: str, today: date | None = None) -> dict:
    """How many certificates in a region scope have expired or expire within the warning period."""
    today = today or clock.today()
    rows = db.find({"type": "inspector", "region": {"$gte": prefix, "$lt": prefix + "\ufff0"},
                    "cert_expires": {"$gt": None, "$lte": soon(warn_days(), today)}},
                   limit=100_000, fields=["_id", "cert_expires", "active"])
    states = [state(r, today)["status"] for r in rows if r.get("active", True) is not False]
    return {"expired": states.count("expired"), "expiring": states.count("expiring"), "days": warn_days()}
