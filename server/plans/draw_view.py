"""What the console's plan page shows of a draw (pages of tasks and exclusions with names), and its downloads."""
from __future__ import annotations

import gzip
import json

from flask import Response, g

from server.db import database, registry
from schemas.plan_rules import region_prefix
from server.plans import pools as pool_store, service
from server.registry.store import scope_selector

PER_PAGE = 50
TRAIL_AUDIT_LIMIT = 2000
CANDIDATES = 500   # inspectors read for a reassignment form at most


def _slice(items: list, number: int) -> dict:
    start = (number - 1) * PER_PAGE
    return {"items": items[start:start + PER_PAGE], "page": number, "per_page": PER_PAGE,
            "has_more": len(items) > start + PER_PAGE, "offset": start, "total": len(items)}


def _names(ids: set) -> dict[str, dict]:
    return registry().docs_by_id(sorted(i for i in ids if i)) if ids else {}


def context(plan: dict, task_page: int, exclusion_page: int, verify: bool) -> dict:
    """The current draw with one page of its tasks (and their task documents once approved) and of its
    exclusions, the names they refer to, the previous draws, and the verification if asked for."""
    if not plan.get("current_draw"):
        return {"draw": None, "draws": []}
    draw_doc = registry().get(plan["current_draw"])
    tasks = _slice(draw_doc["tasks"], task_page)
    exclusions = _slice(draw_doc["exclusions"] + draw_doc["skipped"], exclusion_page)
    numbers = range(tasks["offset"] + 1, tasks["offset"] + len(tasks["items"]) + 1)
    task_docs = registry().docs_by_id([service.task_id(plan, n) for n in numbers])
    tasks["items"] = [{**t, "doc": task_docs.get(service.task_id(plan, n))} for t, n in zip(tasks["items"], numbers)]
    people = {p for t in tasks["items"] for p in t["inspectors"] + t["experts"] + ((t["doc"] or {}).get("inspectors") or [])}
    people |= {e.get("inspector") for e in exclusions["items"]}
    firms = {f"enterprise:{t['enterprise']}" for t in tasks["items"]}
    firms |= {f"enterprise:{e['enterprise']}" for e in exclusions["items"] if e.get("enterprise")}
    names = {k: v.get("name", k) for k, v in _names(people | firms).items()}
    others = [d for d in registry().docs_by_id(plan["draws"]).values() if d["_id"] != draw_doc["_id"]]
    checked = service.verify_draw(registry(), draw_doc, plan) if verify else None
    return {"draw": draw_doc, "tasks": tasks, "exclusions": exclusions, "names": names, "verified": checked,
            "draws": sorted(others, key=lambda d: d["number"])}


def candidates(plan: dict, task: dict) -> list[dict]:
    """Inspectors a task may be given to: active, under the plan author's region, qualified for the enterprise's
    sector and without a declared conflict with it (the API checks again, with the plan's other rules)."""
    if task["status"] not in ("ready", "dispatched"):
        return []
    sector = (registry().get_or_none(f"enterprise:{task['enterprise']}") or {}).get("industry")
    found = registry().find({"type": "inspector", "region": scope_selector(region_prefix(plan["author_region"]), None)},
                            limit=CANDIDATES, fields=["_id", "name", "region", "kind", "active", "sectors", "avoid"])
    return sorted((p for p in found if p.get("active", True) and (p.get("kind") or "inspector") == "inspector"
                   and sector in (p.get("sectors") or [])
                   and not any(a.get("uscc") == task["enterprise"] for a in p.get("avoid") or [])),
                  key=lambda p: (p.get("region", ""), p.get("name", "")))


def _attachment(name: str, body: bytes) -> Response:
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def download(plan: dict, number: int, what: str) -> Response:
    draw_doc = registry().get(plan["draws"][number - 1])
    stem = draw_doc["_id"].replace(":", "-")
    if what == "pools":
        raw = registry().get_attachment(draw_doc["_id"], pool_store.POOL_ATTACHMENT)
        # The snapshot exactly as stored, gzip removed: what `verify` reads, byte for byte.
        return _attachment(f"{stem}-pools.json", gzip.decompress(raw))
    return _attachment(f"{stem}-trail.json", json.dumps(trail(plan, draw_doc), ensure_ascii=False,
                                                        indent=1, sort_keys=True).encode("utf-8"))


def trail(plan: dict, draw_doc: dict) -> dict:
    """Everything about a draw except the pools: the plan's rules, the draw (seed, hashes, result), every
    draw of the plan, and the audit entries about the plan, in order."""
    entries = database("audit").find({"type": "audit", "subject": plan["_id"]}, limit=TRAIL_AUDIT_LIMIT)
    strip = lambda doc: {k: v for k, v in doc.items() if k not in ("_rev", "_attachments")}  # noqa: E731
    return {"plan": {k: plan.get(k) for k in ("_id", "name", "period", "rules", "author", "author_region",
                                              "approver", "approved_by", "approved_at", "window_days")},
            "draw": strip(draw_doc),
            "draws": [{k: d.get(k) for k in ("_id", "number", "by", "at", "reason", "superseded")}
                      for d in registry().docs_by_id(plan["draws"]).values()],
            "audit": sorted((strip(e) for e in entries), key=lambda e: e.get("_id", "")),
            "exported_by": g.user["username"]}
