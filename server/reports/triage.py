"""Triage of reports (分办): the region's queue, possible duplicates, and the decisions on a report.

Possible duplicates are earlier or later reports about the same site, or the same enterprise (by its
credit code, else by the name typed in the same city), received within REPORT_DUPLICATE_DAYS, ranked by
how alike their texts are: the Jaccard similarity of their sets of character bigrams (the share of
two-character pieces the texts have in common; it works for Chinese without word segmentation). A score
of SIMILAR or more is marked "similar". The supervisor decides; nothing is merged automatically.
"""
from __future__ import annotations

import importlib.util
from datetime import datetime, timedelta

from i18n import Problem
from server import audit
from server.accounts import roles
from server.db import database
from server.errors import ApiError
from server.listing import DDOC, HIGH, VIEW, KeyRange, scan
from server.reports import store

QUEUE_STATES = ("open", "received", "not_safety", "referred", "verifying", "verified_true", "verified_false", "*")
DECISIONS = ("not_safety", "referred", "verify")
SIMILAR = 0.3
PER_PAGE = 25
VERIFICATION_MODULE = "server.reports.verification"


def queue_page(user: dict, state: str, cursor: str | None) -> dict:
    """One page of the reports in the user's region, newest first (a bad cursor raises Problem)."""
    state = state if state in QUEUE_STATES else "open"
    key_range = KeyRange(("r", state, roles.scope_prefix(user)), descending=True)
    rows, after = scan(store.reports(), key_range, None, PER_PAGE, cursor)
    items = [{"key": row["id"].split(":", 1)[1], "received_at": row["key"][3], "status": v[0], "region": v[1],
              "enterprise_name": v[2], "text": v[3], "channel": v[4], "duplicate": bool(v[5]), "photos": v[6] // 2}
             for row in rows for v in [row["value"]]]
    return {"items": items, "next": after, "state": state}


def bigrams(text: str) -> set[str]:
    squeezed = "".join(ch for ch in (text or "").lower() if ch.isalnum())
    return {squeezed[i:i + 2] for i in range(len(squeezed) - 1)} or ({squeezed} if squeezed else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two texts, 0.0-1.0."""
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def _neighbour_ids(doc: dict, days: int) -> set[str]:
    at = datetime.fromisoformat(doc["received_at"])
    low = (at - timedelta(days=days)).isoformat(timespec="seconds")
    high = (at + timedelta(days=days)).isoformat(timespec="seconds") + HIGH
    families = []
    if doc.get("site"):
        families.append(["ds", doc["site"]])
    if doc.get("enterprise"):
        families.append(["de", doc["enterprise"]])
    if doc.get("enterprise_name"):
        families.append(["dn", doc["region"][:4], doc["enterprise_name"]])
    ids: set[str] = set()
    for family in families:
        rows = store.reports().view(DDOC, VIEW, startkey=[*family, low], endkey=[*family, high], limit=200)["rows"]
        ids.update(row["id"] for row in rows)
    ids.discard(doc["_id"])
    return ids


def possible_duplicates(user: dict, doc: dict, days: int) -> list[dict]:
    """Reports about the same site or enterprise within `days`, in the user's scope, most alike first."""
    ids = _neighbour_ids(doc, days)
    others = store.reports().docs_by_id(sorted(ids)) if ids else {}
    found = []
    for other in others.values():
        if other and other.get("type") == "report" and roles.in_scope(user, other.get("region")):
            score = similarity(doc.get("text", ""), other.get("text", ""))
            found.append({"key": other["_id"].split(":", 1)[1], "received_at": other["received_at"],
                          "status": other["status"], "text": other.get("text", "")[:120], "score": round(score, 2),
                          "similar": score >= SIMILAR, "duplicate_of": other.get("duplicate_of")})
    return sorted(found, key=lambda f: (-f["score"], f["received_at"]))


def verification_available() -> bool:
    """Whether the verification task module (the verify branch's) is installed."""
    return importlib.util.find_spec(VERIFICATION_MODULE) is not None


def _undecided(doc: dict) -> None:
    if doc.get("status") != "received":
        raise ApiError("conflict", message=_t("report.already_decided"))


def _t(key: str) -> str:
    from i18n import t
    return t(key)


def mark_duplicate(user: dict, doc: dict, other: dict) -> dict:
    """Record that `doc` reports what `other` already does (both in the user's scope)."""
    _undecided(doc)
    if other["_id"] == doc["_id"] or other.get("duplicate_of") == doc["_id"]:
        raise ApiError("conflict", message=_t("report.duplicate_self"))
    doc["duplicate_of"] = other["_id"]
    store.add_history(doc, "duplicate", user["username"], other["_id"])
    store.reports().put_once(doc)
    audit.append(database("audit"), user["username"], "report.duplicate", doc["_id"], {"of": other["_id"]})
    return doc


def decide(user: dict, doc: dict, decision: str, reason: str, department: str | None,
           team: list[str] | None) -> tuple[dict, bool | None]:
    """Apply a triage decision; returns (the report, whether a verification task was opened — None when the
    verification module is not installed). A lost race on the report's revision answers 409."""
    _undecided(doc)
    status = {"not_safety": "not_safety", "referred": "referred", "verify": "verifying"}[decision]
    doc["status"] = status
    doc["triage"] = {"decision": decision, "reason": reason, "department": department if decision == "referred" else None,
                     "by": user["username"], "at": store.now_iso()}
    store.add_history(doc, f"triage.{decision}", user["username"], reason)
    saved = store.reports().put_once(doc)
    doc["_rev"] = saved.get("rev", doc.get("_rev"))
    audit.append(database("audit"), user["username"], f"report.{decision}", doc["_id"],
                 {"reason": reason, "department": doc["triage"]["department"], "team": team or []})
    if decision != "verify":
        return doc, False
    if not verification_available():
        return doc, None
    from server.reports import verification   # the verify branch's module (contract: open_verification)
    try:
        # A report that names no registered enterprise waits on the verification page, where the supervisor
        # names the enterprise before the team.
        return verification.open_verification(doc, user, (team or None) if doc.get("enterprise") else None), True
    except (ApiError, Problem):
        _undo_verify(doc, user)   # no task was opened: the report goes back to the queue, and says so
        raise


def _undo_verify(doc: dict, user: dict) -> None:
    current = store.reports().get(doc["_id"])
    if current.get("status") == "verifying" and not current.get("verification"):
        current.update(status="received", triage=None)
        store.add_history(current, "triage.verify_undone", user["username"], "")
        store.reports().put(current)
