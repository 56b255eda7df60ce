"""Inspector availability (可用性): leave periods and a workload cap, so that nobody is double-booked.

Before a draw, each person's remaining capacity for the plan's period is worked out and written into the
pool snapshot (the draw stays a pure function of the snapshot): WORKLOAD_MAX_TASKS_PER_MONTH (0 = no
cap) scaled to the days of the period they are not on leave, less the open tasks of other plans whose
windows overlap the period. Someone on leave for the whole period, or with no capacity left, is left out
with the reason recorded; the draw gives nobody more tasks than their capacity.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from flask import current_app, has_app_context

OPEN = ["ready", "dispatched"]
DAYS_PER_MONTH = 30


def monthly_cap() -> int:
    return current_app.config.get("WORKLOAD_MAX_TASKS_PER_MONTH", 0) if has_app_context() else 0


def _days(start: date, end: date) -> set[date]:
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


def free_days(leave: list[dict], start: date, end: date) -> int:
    """Days of [start, end] not covered by any leave entry."""
    days = _days(start, end)
    for entry in leave or ():
        days -= _days(max(start, date.fromisoformat(entry["start"])), min(end, date.fromisoformat(entry["end"])))
    return len(days)


def on_leave(person: dict, start: date, end: date) -> bool:
    """True when any leave entry overlaps [start, end] (a task window)."""
    return any(date.fromisoformat(e["start"]) <= end and date.fromisoformat(e["end"]) >= start
               for e in person.get("leave") or ())


def open_load(db, period: dict, plan_id: str) -> Counter:
    """Open tasks of other plans per person whose window overlaps the period."""
    tasks = db.find({"type": "task", "status": {"$in": OPEN}, "window.start": {"$lte": period["end"]}},
                    limit=10_000_000, fields=["plan", "inspectors", "experts", "window"])
    load: Counter = Counter()
    for task in tasks:
        if task.get("plan") != plan_id and task["window"]["end"] >= period["start"]:
            load.update(set(task["inspectors"]) | set(task.get("experts") or ()))
    return load


def mark(people: list[dict], plan: dict, load: Counter) -> None:
    """Write `unavailable` (on_leave | workload_full) and `capacity` into each snapshot entry; drop `leave`."""
    start, end = date.fromisoformat(plan["period"]["start"]), date.fromisoformat(plan["period"]["end"])
    cap = monthly_cap()
    for person in people:
        free = free_days(person.pop("leave", None) or [], start, end)
        if free == 0:
            person["unavailable"] = "on_leave"
            continue
        if cap <= 0:
            continue
        left = -(-cap * free // DAYS_PER_MONTH) - load.get(person["_id"], 0)   # ceil, less what is booked
        if left <= 0:
            person["unavailable"] = "workload_full"
        else:
            person["capacity"] = left
