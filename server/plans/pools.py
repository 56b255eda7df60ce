"""The pools a draw sees (名录库 snapshot at draw time), read from the registry and packed with the draw.

RECONSTRUCTED by the draw helper after it overwrote the lead's original file by mistake: review it.
"""
from __future__ import annotations

import gzip
import json

from schemas.plan_rules import region_prefix
from server.registry.store import SCOPE_END
from sync.couch import Database

POOL_ATTACHMENT = "pools.json.gz"
ALL = 10_000_000  # Mango needs a limit; a register is far smaller
ENTERPRISE_FIELDS = ("_id", "uscc", "name", "region", "industry", "risk", "std_level", "credit", "flags", "active")
PERSON_FIELDS = ("_id", "name", "cert_no", "region", "sectors", "active", "kind", "avoid")
COUNTED_STATUSES = ["ready", "dispatched", "done", "published"]


def _under(region: str) -> dict:
    prefix = region_prefix(region)
    return {"$gte": prefix, "$lt": prefix + SCOPE_END}


def _history(db: Database, plan: dict) -> list[dict]:
    """This year's other tasks: they count toward annual caps and say who went last time."""
    year = int(plan["period"]["start"][:4])
    tasks = db.find({"type": "task", "year": year, "status": {"$in": COUNTED_STATUSES}}, limit=ALL)
    return [{"enterprise": t["enterprise"], "inspectors": t["inspectors"] + t.get("experts", []),
             "date": t["window"]["start"], "counts_toward_cap": bool(t.get("counts_toward_cap", True))}
            for t in tasks if t.get("plan") != plan["_id"]]


def snapshot(db: Database, plan: dict, region: str) -> dict:
    """Enterprises and people under the author's region, with only the fields the draw reads."""
    enterprises = db.find({"type": "enterprise", "region": _under(region)}, limit=ALL, fields=list(ENTERPRISE_FIELDS))
    people = db.find({"type": "inspector", "region": _under(region)}, limit=ALL, fields=list(PERSON_FIELDS))
    return {"enterprises": enterprises, "inspectors": people, "history": _history(db, plan)}


def pack(pools: dict) -> bytes:
    return gzip.compress(json.dumps(pools, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def unpack(data: bytes) -> dict:
    return json.loads(gzip.decompress(data).decode("utf-8"))
