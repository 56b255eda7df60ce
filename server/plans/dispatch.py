"""Dispatch: put each task, with what the phone needs for it, into its team's databases and nowhere else."""
from __future__ import annotations

from flask import current_app

from server.db import couch, registry
from sync.phones import ensure_db, remove, task_package, write_sealed
from sync.seal import seal_key


DISPATCH_BATCH = 500


def choose_checklist(templates: list[dict], industry: str, wanted_key: str | None) -> str | None:
    """The pinned template id for a task: the plan's template, else the latest one for the enterprise's
    sector, else the latest one for all sectors."""
    if wanted_key:
        chosen = [t for t in templates if t["key"] == wanted_key]
    else:
        chosen = [t for t in templates if industry in t["sectors"]] or [t for t in templates if "*" in t["sectors"]]
    active = [t for t in chosen if t.get("status", "active") == "active"] or chosen
    return max(active, key=lambda t: t["version"])["_id"] if active else None


def _members(task: dict) -> list[str]:
    return list(dict.fromkeys(task["inspectors"] + task["experts"]))


def dispatch_tasks(tasks: list[dict], plan: dict) -> dict[str, int]:
    """Write each task's package into every team member's database; returns documents per database."""
    ids = {t["site"] for t in tasks} | {f"enterprise:{t['enterprise']}" for t in tasks} | {
        t["checklist"] for t in tasks if t.get("checklist")} | {m for t in tasks for m in _members(t)}
    refs = registry().docs_by_id(sorted(ids))
    secret = seal_key(current_app.config["SECRET_KEY"])
    prefix = current_app.config.get("DB_PREFIX", "")
    per_member: dict[str, dict[str, dict]] = {}
    for task in tasks:
        package = task_package(task, plan, refs.get(task["site"]), refs.get(f"enterprise:{task['enterprise']}"),
                               refs.get(task.get("checklist")), refs)
        for member in _members(task):
            per_member.setdefault(member, {}).update((doc["_id"], doc) for doc in package)
    # One read and one write per phone and batch, not per task: a plan of thousands of tasks stays quick.
    written: dict[str, int] = {}
    for member, docs in per_member.items():
        db = ensure_db(couch(), prefix, member)
        packed = list(docs.values())
        for offset in range(0, len(packed), DISPATCH_BATCH):
            write_sealed(db, packed[offset:offset + DISPATCH_BATCH], secret)
        written[db.name] = len(packed)
    return written


def withdraw_tasks(tasks: list[dict]) -> int:
    """Remove cancelled or reassigned tasks from the phones that should no longer have them."""
    prefix = current_app.config.get("DB_PREFIX", "")
    removed = 0
    for task in tasks:
        for member in _members(task):
            removed += remove(ensure_db(couch(), prefix, member), [task["_id"]])
    return removed
