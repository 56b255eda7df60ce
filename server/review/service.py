"""Reviewing a filed inspection: who may see it, what its page shows, and the decision (approve, return, reject).

The decision is written on the inspection record with the revision the reviewer's request read, so of
two decisions made at once only one is stored (the other gets 409), and a record that changed under the
reviewer (a corrected revision from the phone) is not decided blind. Each decision is also its own
document `review:<uuid>:<n>`, which the worker delivers to the team's phones, and an audit entry.
"""
from __future__ import annotations

import re

from i18n import t
from schemas.field import UUID_ID
from schemas.review import ReviewSchema
from server import audit, numbering
from server.accounts import roles
from server.db import database, registry
from server.documents import issuer
from server.errors import ApiError
from server.registry.store import now_iso
from server.review import effects
from server.listing import DDOC, VIEW
from sync.couch import Conflict

UUID_RE = re.compile(rf"^{UUID_ID}$")


def records():
    return database("records")


def load_inspection(user: dict, key: str, write: bool = False) -> dict:
    """A submitted inspection the user may review: 404 if unknown or out of scope, for reads and writes
    alike (issue 14: one answer, so that a guess learns nothing)."""
    doc = records().get_or_none(f"inspection:{key}") if UUID_RE.fullmatch(key or "") else None
    if not doc or doc.get("type") != "inspection" or not doc.get("submitted_at"):
        raise ApiError("not_found")
    if not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def hazards_of(inspection_id: str) -> list[dict]:
    """The inspection's filed hazards, each with its case (the loop's state)."""
    rows = records().view(DDOC, VIEW, startkey=["hi", inspection_id], endkey=["hi", inspection_id, "\ufff0"],
                          include_docs=True)["rows"]
    hazards = [r["doc"] for r in rows if r.get("doc")]
    cases = records().docs_by_id(["case:" + h["_id"].split(":", 1)[1] for h in hazards])
    for hazard in hazards:
        hazard["case"] = cases.get("case:" + hazard["_id"].split(":", 1)[1])
    return sorted(hazards, key=lambda h: h.get("found_at", ""))


def losing_versions(doc: dict, hazards: list[dict]) -> list[dict]:
    """The revisions of this record and its hazards that the conflict rule did not file (kept by the worker
    as `conflict:<id>:<rev>`), each with the fields and the checklist answers in which it differs."""
    wanted = [f"conflict:{d['_id']}:{rev}" for d in [doc, *hazards] for rev in d.get("conflicts") or []]
    filed = {d["_id"]: d for d in [doc, *hazards]}
    out = []
    for loser in records().docs_by_id(wanted).values():
        body, winner = loser.get("body") or {}, filed.get(loser.get("of"), {})
        answers = {a.get("item"): a for a in body.get("answers") or []}
        theirs = {a.get("item"): a for a in winner.get("answers") or []}
        differ = sorted(str(k) for k in set(answers) | set(theirs) if answers.get(k) != theirs.get(k))
        out.append({"of": loser.get("of"), "rev": loser.get("rev"), "kept_at": loser.get("at"),
                    "fields": sorted(k for k in body if k != "answers" and body.get(k) != winner.get(k)),
                    "answers": differ, "values": {k: (answers.get(k) or {}).get("value") for k in differ}})
    return sorted(out, key=lambda c: (c["of"] or "", c["rev"] or ""))


def reviews_of(inspection_id: str) -> list[dict]:
    prefix = "review:" + inspection_id + ":"
    rows = records().all_docs(include_docs=True, startkey=prefix, endkey=prefix + "\ufff0")
    return sorted((r["doc"] for r in rows if r.get("doc")), key=lambda d: d.get("n", 0))


def check_items(doc: dict, items: dict, hazards: list[dict]) -> None:
    """Per-item comments must name an item of this record (an answer or one of its hazards)."""
    known = {a["item"] for a in doc.get("answers", [])} | {h["_id"] for h in hazards}
    unknown = sorted(set(items) - known)
    if unknown:
        raise ApiError("validation", errors={"items": [t("review.unknown_item", item=unknown[0][:64])]})


def _number_for(doc: dict, decision: str, user: dict) -> tuple[str | None, str | None]:
    """(record number, opinion number): approval takes 应急检记, or 应急复查 for a re-inspection."""
    if decision != "approved":
        return None, None
    region = doc.get("issuer_region") or user["region"]  # one issuing bureau per case (documents/issuer.py)
    if doc.get("task_kind") == "reinspection":
        return None, numbering.next_number(records(), "reinspection", region)["number"]
    return numbering.next_number(records(), "record", region)["number"], None


def _check_decidable(user: dict, doc: dict, data: dict) -> None:
    if user.get("inspector_id") and user["inspector_id"] in (doc.get("team") or []):
        raise ApiError("forbidden", message=t("review.own_inspection"))
    if doc.get("review_status") != "pending":
        raise ApiError("conflict", message=t("review.not_pending",
                                             status=t(f"ui.review.status.{doc.get('review_status')}")))
    if data.get("rev") and data["rev"] != doc["source"]["rev"]:
        raise ApiError("conflict", message=t("review.stale"))


def decide(user: dict, key: str, data: dict) -> dict:
    """Store one decision on a pending inspection; then its consequences (一公开, re-inspection results,
    cases voided on rejection)."""
    doc = load_inspection(user, key, write=True)
    _check_decidable(user, doc, data)
    hazards = hazards_of(doc["_id"])
    check_items(doc, data["items"], hazards)
    task = registry().get_or_none(doc["task"]) or {}
    if data["decision"] == "approved" and doc.get("task_kind") == "reinspection":
        effects.check_reinspection_answers(doc, task)
    if data["decision"] == "approved":
        doc["issuer_region"] = issuer.for_inspection(records(), registry(), doc) or user["region"]
    number, opinion = _number_for(doc, data["decision"], user)
    at = now_iso()
    review = {"n": (doc.get("review") or {}).get("n", 0) + 1, "inspection": doc["_id"],
              "decision": data["decision"], "comments": data["comments"], "items": data["items"],
              "reason": data["reason"], "by": user["username"], "by_name": user.get("display_name", ""), "at": at,
              "team": doc.get("team") or [doc["inspector"]], "number": number or opinion, "rev": doc["source"]["rev"]}
    ReviewSchema().load(review)  # the document's own contract, checked before it is written
    doc.update(review_status=data["decision"], review=review, reviewed_at=at)
    doc.update({k: v for k, v in (("number", number), ("opinion_number", opinion)) if v})
    try:
        records().put_once(doc)
    except Conflict:
        raise ApiError("conflict", message=t("review.conflict")) from None
    records().put({"_id": f"review:{doc['_id']}:{review['n']}", "type": "review", **review})
    audit.append(database("audit"), user["username"], f"review.{data['decision']}", doc["_id"],
                 {"n": review["n"], "number": review["number"], "comments": data["comments"][:200],
                  "items": len(data["items"]), "reason": data["reason"][:200], "rev": review["rev"]})
    effects.after_decision(doc, task, hazards, user, opinion)
    return doc
