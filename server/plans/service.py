"""Plan life cycle: draft → drawn → approved → dispatched → closed, with re-draws by two people, all audited."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from i18n import t
from server import audit
from server.accounts import roles, store as accounts
from server.errors import ApiError
from server.plans import caps, pools as pool_store
from server.plans.causes import counts_toward_cap
from server.plans.dispatch import choose_checklist
from server.plans.draw import draw, verify
from server.registry.checklists import all_versions
from server.registry.store import now_iso, site_id
from sync.couch import Database


def plan_id() -> str:
    return f"plan:{uuid.uuid4().hex[:16]}"


def draw_id(plan: dict, number: int) -> str:
    return f"draw:{plan['_id'][5:]}:{number:03d}"


def task_id(plan: dict, number: int) -> str:
    return f"task:{plan['_id'][5:]}:{number:05d}"


def check_approver(db: Database, data: dict, author: dict) -> None:
    """The approver is a different, active supervisor whose region covers the whole plan."""
    approver = accounts.get_user(db, data["approver"])
    ok = (approver and approver.get("active", True) and approver["role"] in roles.STAFF
          and approver["username"] != author["username"]
          and all(roles.in_scope(approver, r) for r in data["rules"]["scope"]["regions"]))
    if not ok:
        raise ApiError("validation", errors={"approver": [t("plan.bad_approver")]})


def create(db: Database, audit_db: Database, data: dict, author: dict) -> dict:
    for region in data["rules"]["scope"]["regions"]:
        if not roles.in_scope(author, region):
            raise ApiError("forbidden")
    check_approver(db, data, author)
    doc = {**data, "_id": plan_id(), "type": "plan", "status": "draft", "author": author["username"],
           "author_region": author["region"], "created_at": now_iso(), "draws": []}
    db.put(doc)
    audit.append(audit_db, author["username"], "plan.create", doc["_id"], {"name": doc["name"]})
    return doc


def _withdraw_approval(db: Database, plan: dict, redraw: str) -> None:
    """A re-draw replaces what was approved: the approval goes into the plan's history and its cap claim
    is released; the new draw needs an approval of its own."""
    if plan.get("approved_by"):
        plan.setdefault("approvals", []).append({"draw": plan.get("current_draw"), "by": plan["approved_by"],
                                                 "at": plan.get("approved_at"), "withdrawn_at": now_iso(),
                                                 "withdrawn_by": redraw})
        caps.release(db, plan)
    plan.pop("approved_by", None)
    plan.pop("approved_at", None)


def run_draw(db: Database, audit_db: Database, plan: dict, user: dict, seed: bytes, reason: str | None,
             requested_by: str | None = None) -> dict:
    """Snapshot the pools, draw, and keep everything needed to repeat it (pools as a gzip attachment).

    A re-draw's drafter is the plan's author: the second person who confirmed it (often the approver)
    must stay free to approve the result."""
    pools = pool_store.snapshot(db, plan, plan["author_region"])
    result = draw(pools, plan["rules"], seed)
    number = len(plan["draws"]) + 1
    doc = {"_id": draw_id(plan, number), "type": "draw", "plan": plan["_id"], "number": number,
           "by": plan["author"] if reason else user["username"], "at": now_iso(), "reason": reason,
           "requested_by": requested_by, "confirmed_by": user["username"] if reason else None,
           "superseded": False, **result.as_dict()}
    db.create(doc)   # of two draws of one plan at once (a double click, two supervisors), one goes on
    db.put_attachment(doc["_id"], doc["_rev"], pool_store.POOL_ATTACHMENT, pool_store.pack(pools),
                      "application/gzip")
    if plan.get("current_draw"):
        previous = db.get(plan["current_draw"])
        previous["superseded"] = True
        db.put(previous)
    _withdraw_approval(db, plan, doc["_id"])
    plan.update(status="drawn", current_draw=doc["_id"], draws=plan["draws"] + [doc["_id"]], redraw_request=None)
    db.put_once(plan)
    audit.append(audit_db, user["username"], "plan.redraw" if reason else "plan.draw", plan["_id"],
                 {"draw": doc["_id"], "record": result.record, "reason": reason})
    return doc


def task_differences(tasks: list[dict], draw_doc: dict) -> list[str]:
    """Tasks whose enterprise or team is not the draw's (a reassignment, approved by two, is recorded)."""
    drawn, odd = draw_doc["tasks"], []
    for task in tasks:
        number = task.get("number", int(task["_id"].rsplit(":", 1)[1])) - 1
        want = drawn[number] if 0 <= number < len(drawn) else None
        team_ok = task.get("reassigned") or (want and (want["inspectors"], want["experts"]) == (
            task["inspectors"], task["experts"]))
        if not want or want["enterprise"] != task["enterprise"] or not team_ok:
            odd.append(task["_id"])
    return odd


def verify_draw(db: Database, draw_doc: dict, plan: dict) -> dict:
    pools = pool_store.unpack(db.get_attachment(draw_doc["_id"], pool_store.POOL_ATTACHMENT))
    identical, detail = verify(draw_doc["record"], pools, plan["rules"], stored=draw_doc)
    return {"identical": identical, "mismatches": detail.get("mismatches", [])}


def windows(period: dict, count: int, window_days: int) -> list[tuple[str, str]]:
    """Spread task windows evenly over the plan's period, each `window_days` long (inside the period)."""
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    span = max((end - start).days - window_days + 1, 1)
    out = []
    for i in range(count):
        begin = start + timedelta(days=(i * span) // max(count, 1))
        out.append((begin.isoformat(), min(begin + timedelta(days=window_days - 1), end).isoformat()))
    return out


def drawn_enterprises(db: Database, draw_doc: dict) -> dict[str, dict]:
    """The enterprises of the draw's pool snapshot, by USCC (as they were when drawn)."""
    return {e["uscc"]: e for e in pool_store.unpack(
        db.get_attachment(draw_doc["_id"], pool_store.POOL_ATTACHMENT))["enterprises"]}


def _cap_fields(tier: str, enterprise: dict, rules: dict) -> dict:
    counts, causes = counts_toward_cap(tier, enterprise, rules)
    return {"counts_toward_cap": counts, "causes": causes}


def _task_base(db: Database, plan: dict, draw_id: str) -> int:
    """Where this draw's task numbers start: after the tasks of earlier, re-drawn approvals (which keep their
    ids and history). Tasks already written for this same draw do not move the base, so two approvals racing
    on one draw compute the same ids and CouchDB keeps one document for each."""
    rows = db.all_docs(startkey=f"task:{plan['_id'][5:]}:\ufff0", endkey=f"task:{plan['_id'][5:]}:",
                       descending="true", limit=1, include_docs=True)
    if not rows:
        return 0
    last = int(rows[0]["id"].rsplit(":", 1)[1])
    doc = rows[0].get("doc") or {}
    return last - int(doc.get("number", 0)) if doc.get("draw") == draw_id else last


def make_tasks(db: Database, plan: dict, draw_doc: dict, names: dict[str, dict] | None = None) -> list[dict]:
    """Tasks ready for dispatch, one per drawn enterprise, with deterministic ids."""
    names = names if names is not None else drawn_enterprises(db, draw_doc)
    templates = all_versions(db)
    tasks, offset = [], _task_base(db, plan, draw_doc["_id"])
    for n, (task, window) in enumerate(zip(draw_doc["tasks"], windows(plan["period"], len(draw_doc["tasks"]),
                                                                       plan["window_days"])), start=1):
        ent = names[task["enterprise"]]
        tasks.append({"_id": task_id(plan, offset + n), "number": n, "type": "task", "plan": plan["_id"],
                      "draw": draw_doc["_id"],
                      "year": int(plan["period"]["start"][:4]), "enterprise": ent["uscc"],
                      "enterprise_name": ent.get("name", ""), "region": ent["region"],
                      "site": site_id(ent["uscc"], 1), "tier": task["tier"], "random": task["tier"] != "targeted",
                      **_cap_fields(task["tier"], ent, plan["rules"]),
                      "inspectors": task["inspectors"], "experts": task["experts"],
                      "window": {"start": window[0], "end": window[1]},
                      "checklist": choose_checklist(templates, ent["industry"], plan.get("checklist")),
                      "status": "ready", "created_at": now_iso()})
    return tasks


def cancel_tasks(db: Database, plan: dict) -> int:
    docs = db.find({"type": "task", "plan": plan["_id"], "status": "ready"}, limit=10_000_000)
    for doc in docs:
        doc["status"] = "cancelled"
    if docs:
        db.bulk_docs(docs)
    return len(docs)
