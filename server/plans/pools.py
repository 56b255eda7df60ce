"""The pools a draw sees (名录库 snapshot at draw time), read from the registry and packed with the draw.

RECONSTRUCTED by the draw helper after it overwrote the lead's original file by mistake: review it.
"""
from __future__ import annotations

import gzip
import json
from datetime import date, timedelta

from flask import current_app, has_app_context

from schemas.plan_rules import region_prefix
from server.plans import availability, certificates
from server.registry.store import SCOPE_END
from sync.couch import Database

POOL_ATTACHMENT = "pools.json.gz"
ALL = 10_000_000  # Mango needs a limit; a register is far smaller
ENTERPRISE_FIELDS = ("_id", "uscc", "name", "region", "industry", "risk", "std_level", "credit", "flags", "active")
PERSON_FIELDS = ("_id", "name", "cert_no", "region", "sectors", "active", "kind", "avoid", "cert_expires",
                 "leave")
COUNTED_STATUSES = ["ready", "dispatched", "done", "published"]


def _under(region: str) -> dict:
    prefix = region_prefix(region)
    return {"$gte": prefix, "$lt": prefix + SCOPE_END}


def repeat_window_start(plan: dict) -> str:
    """The first day a past visit still counts as "last time" (AVOID_REPEAT_DAYS before the plan starts)."""
    days = current_app.config.get("AVOID_REPEAT_DAYS", 365) if has_app_context() else 365
    return (date.fromisoformat(plan["period"]["start"]) - timedelta(days=days)).isoformat()


def _history(db: Database, plan: dict) -> list[dict]:
    """Other plans' tasks: this year's count toward annual caps; those inside the repeat window (which may
    reach into last year) say who went last time. A visit outside the window names nobody."""
    year, since = int(plan["period"]["start"][:4]), repeat_window_start(plan)
    tasks = db.find({"type": "task", "year": {"$gte": min(int(since[:4]), year), "$lte": year},
                     "status": {"$in": COUNTED_STATUSES}}, limit=ALL)
    history = []
    for t in tasks:
        in_year, recent = t.get("year") == year, t["window"]["start"] >= since
        if t.get("plan") == plan["_id"] or not (in_year or recent):
            continue
        history.append({"enterprise": t["enterprise"], "date": t["window"]["start"],
                        "inspectors": t["inspectors"] + t.get("experts", []) if recent else [],
                        "counts_toward_cap": in_year and bool(t.get("counts_toward_cap", True))})
    return history


def snapshot(db: Database, plan: dict, region: str) -> dict:
    """Enterprises and people under the author's region, with only the fields the draw reads."""
    enterprises = db.find({"type": "enterprise", "region": _under(region)}, limit=ALL, fields=list(ENTERPRISE_FIELDS))
    people = db.find({"type": "inspector", "region": _under(region)}, limit=ALL, fields=list(PERSON_FIELDS))
    on = certificates.draw_reference_day(plan)
    for person in people:  # the flag, not the date, goes into the snapshot: the draw stays a pure function
        if certificates.expired(person, on):
            person["cert_expired"] = True
        person.pop("cert_expires", None)
    availability.mark(people, plan, availability.open_load(db, plan["period"], plan["_id"]))
    return {"enterprises": enterprises, "inspectors": people, "history": _history(db, plan)}


def pack(pools: dict) -> bytes:
    return gzip.compress(json.dumps(pools, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def unpack(data: bytes) -> dict:
    return json.loads(gzip.decompress(data).decode("utf-8"))
