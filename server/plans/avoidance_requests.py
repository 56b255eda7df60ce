"""An enterprise's own application for an inspector's withdrawal (回避申请, 行政处罚法 art. 43): recorded
with its reason, decided (granted or refused) with a reason by a supervisor, both audited. A granted
application puts the enterprise on the inspector's avoidance list, so no later draw or reassignment can
send them there; open tasks that already do are listed for reassignment."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema, Text
from schemas.registry import Uscc
from server import audit
from server.accounts import roles
from server.errors import ApiError
from server.registry.store import now_iso
from sync.couch import Conflict, Database

STATUSES = ("pending", "granted", "refused")


class ApplicationSchema(StrictSchema):
    enterprise = Uscc(required=True)
    inspector = fields.String(required=True, validate=validate.Regexp(r"^inspector:[0-9a-f]{12}$"))
    reason = Text(max_length=500, min_length=4, required=True)
    received_on = fields.Date(required=True)


class DecisionSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("granted", "refused")))
    reason = Text(max_length=500, min_length=4, required=True)


def _visible(doc: dict | None, kind: str, user: dict) -> bool:
    return bool(doc) and doc.get("type") == kind and roles.in_scope(user, doc.get("region"))


def record(db: Database, audit_db: Database, user: dict, data: dict) -> dict:
    """A new pending application; the enterprise and the inspector must both be within the caller's area."""
    enterprise = db.get_or_none(f"enterprise:{data['enterprise']}")
    person = db.get_or_none(data["inspector"])
    if not _visible(enterprise, "enterprise", user):
        raise ApiError("validation", errors={"enterprise": [t("avoidance.unknown_enterprise")]})
    if not _visible(person, "inspector", user):
        raise ApiError("validation", errors={"inspector": [t("avoidance.unknown_inspector")]})
    # Time first, so that id order is the order applications were recorded in (and pages stay stable).
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    doc = {"_id": f"avoidance_application:{stamp}{uuid.uuid4().hex[:18]}", "type": "avoidance_application",
           "enterprise": enterprise["uscc"], "enterprise_name": enterprise.get("name", ""),
           "region": enterprise["region"], "inspector": person["_id"], "inspector_name": person.get("name", ""),
           "reason": data["reason"], "received_on": data["received_on"].isoformat(), "status": "pending",
           "recorded_by": user["username"], "recorded_at": now_iso()}
    db.put(doc)
    audit.append(audit_db, user["username"], "avoidance.apply", doc["_id"],
                 {"enterprise": doc["enterprise"], "inspector": doc["inspector"], "reason": doc["reason"]})
    return doc


def load(db: Database, user: dict, key: str) -> dict:
    doc = db.get_or_none(f"avoidance_application:{key}") if len(key) == 32 and key.isalnum() else None
    if not _visible(doc, "avoidance_application", user):
        raise ApiError("not_found")
    return doc


def _add_to_avoid_list(db: Database, audit_db: Database, user: dict, app_doc: dict) -> None:
    """Put the enterprise on the inspector's list (read-modify-write; a 409 reads again)."""
    for _attempt in range(10):
        person = db.get(app_doc["inspector"])
        before = list(person.get("avoid") or [])
        if any(a["uscc"] == app_doc["enterprise"] for a in before):
            return
        entry = {"uscc": app_doc["enterprise"], "reason": t("avoidance.entry_reason", "zh_CN", reason=app_doc["reason"])[:200]}
        person["avoid"] = before + [entry]
        try:
            db.put_once(person)
        except Conflict:
            continue
        audit.append(audit_db, user["username"], "inspector.avoidance", person["_id"],
                     {"before": before, "after": person["avoid"], "application": app_doc["_id"]})
        return
    raise ApiError("conflict")


def open_tasks(db: Database, app_doc: dict) -> list[str]:
    """Tasks not yet done that send this inspector to this enterprise (to be reassigned)."""
    tasks = db.find({"type": "task", "enterprise": app_doc["enterprise"], "status": {"$in": ["ready", "dispatched"]}},
                    limit=1000, fields=["_id", "inspectors", "experts"])
    return sorted(t_["_id"] for t_ in tasks if app_doc["inspector"] in t_["inspectors"] + t_.get("experts", []))


def decide(db: Database, audit_db: Database, user: dict, key: str, data: dict) -> dict:
    """Grant or refuse a pending application, once; the revision read guards against a second decision."""
    doc = load(db, user, key)
    if doc["status"] != "pending":
        raise ApiError("conflict", message=t("avoidance.already_decided"))
    doc.update(status=data["decision"], decision_reason=data["reason"], decided_by=user["username"],
               decided_at=now_iso())
    db.put_once(doc)  # 409 if someone decided meanwhile: nothing else has been written yet
    if doc["status"] == "granted":
        _add_to_avoid_list(db, audit_db, user, doc)
    doc["open_tasks"] = open_tasks(db, doc) if doc["status"] == "granted" else []
    audit.append(audit_db, user["username"], "avoidance.decide", doc["_id"],
                 {"decision": doc["status"], "reason": data["reason"], "open_tasks": doc["open_tasks"]})
    return doc


def listing(db: Database, user: dict, status: str | None, after: str | None, per_page: int) -> dict:
    """Applications in the caller's area, in the order they were recorded, key-paged."""
    prefix = roles.scope_prefix(user)
    sel: dict = {"type": "avoidance_application", "region": {"$gte": prefix, "$lt": prefix + "\ufff0"},
                 "_id": {"$gt": after or "avoidance_application:", "$lt": "avoidance_application:\ufff0"}}
    if status:
        sel["status"] = status
    rows = sorted(db.find(sel, limit=per_page + 1), key=lambda d: d["_id"])
    items = rows[:per_page]
    return {"items": items, "next": items[-1]["_id"] if len(rows) > per_page and items else None}
