"""Checklist templates (检查事项) in the registry: versioned, never edited in place."""
from __future__ import annotations

from marshmallow import ValidationError

from i18n import t
from schemas.checklist import ChecklistTemplateSchema, load_builtin_templates
from server.registry.store import now_iso
from sync.couch import Database


def template_id(key: str, version: int) -> str:
    return f"checklist:{key}:v{version}"


def ensure_builtin_templates(db: Database) -> list[str]:
    """Store the shipped templates that are not there yet; an existing version is never overwritten,
    except that a shipped version stored before items had violation wording gets that wording added."""
    created = []
    for tpl in load_builtin_templates():
        stored = db.get_or_none(tpl["_id"])
        if stored is None:
            db.put({**tpl, "created_at": now_iso(), "created_by": "builtin"})
            created.append(tpl["_id"])
        elif (filled := with_violations(stored, tpl)) is not None:
            db.put(filled)  # Conflict if two bootstraps race: the other one wrote the same words
    return created


def with_violations(stored: dict, shipped: dict) -> dict | None:
    """The stored built-in version with the shipped violation wording on items lacking it, or None when
    there is nothing to add or the stored items are not the shipped ones (then it is left as it is). Only
    wording is added: the checks, their keys and their order stay as records refer to them."""
    if stored.get("created_by") != "builtin":
        return None
    items, words = stored.get("items") or [], {i["key"]: i["violation"] for i in shipped["items"]}
    if [i.get("key") for i in items] != list(words) or all(i.get("violation") for i in items):
        return None
    return {**stored, "items": [{**i, "violation": i.get("violation") or words[i["key"]]} for i in items]}


def all_versions(db: Database, key: str | None = None) -> list[dict]:
    selector = {"type": "checklist", "key": key} if key else {"type": "checklist", "key": {"$gt": None}}
    docs = db.find(selector, limit=10_000)
    return sorted(docs, key=lambda d: (d["key"], d["version"]))


def latest_templates(db: Database) -> list[dict]:
    latest: dict[str, dict] = {}
    for doc in all_versions(db):
        latest[doc["key"]] = doc
    return list(latest.values())


def get_template(db: Database, key: str, version: int | None = None) -> dict | None:
    if version is None:
        versions = all_versions(db, key)
        return versions[-1] if versions else None
    doc = db.get_or_none(template_id(key, version))
    return doc if doc and doc.get("type") == "checklist" else None


def publish_version(db: Database, data: dict, author: str, extra: dict | None = None) -> dict:
    """Store `data` as the next version of its template; earlier versions stay as they were."""
    current = get_template(db, data["key"])
    version = (current["version"] + 1) if current else 1
    fixed = {"_id": template_id(data["key"], version), "type": "checklist", "version": version}
    if any(k in data for k in ("_id", "_rev", "type", "version")):
        raise ValidationError({k: [t("mm.unknown")] for k in ("_id", "_rev", "type", "version") if k in data})
    doc = {**ChecklistTemplateSchema().load({**data, **fixed}), "created_at": now_iso(), "created_by": author,
           **(extra or {})}   # extra: the level and owner region (server/registry/checklist_scope.py)
    db.create(doc)  # Conflict if two authors publish at once: the caller reports it, nothing is lost
    return doc
