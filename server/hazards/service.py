"""Hazard cases in `records`: loading one in scope, running a step of the loop on it, saving it, auditing it."""
from __future__ import annotations

import re
from datetime import date, timedelta, timezone

from i18n import Problem, t
from schemas.field import UUID_ID
from server import audit, clock
from server.accounts import roles
from server.db import database
from server.errors import ApiError
from server.hazards import loop
from server.registry.store import now_iso
from sync.couch import Conflict

UUID_RE = re.compile(rf"^{UUID_ID}$")
SHANGHAI = timezone(timedelta(hours=8))
# Refusals that are about the case's present state (409); the others are about what was sent (422).
STATE_RULES = {"hazard.wrong_state", "hazard.reinspection_pending", "hazard.not_this_task",
               "hazard.already_escalated", "hazard.not_overdue", "hazard.major_needs_reinspection",
               "hazard.failed_cannot_close", "hazard.reorder_needs_fail"}


def records():
    return database("records")


def today() -> date:
    """The bureau's today (server/clock.py: a test may set it)."""
    return clock.today()


def deadline_note(case: dict) -> str | None:
    """Why the order's deadline is not the five in place's 治理期限, in words; None when they agree."""
    differs = loop.deadline_agreement(case)
    if differs is None:
        return None
    return t(f"ui.deadline.{differs['relation']}_than_five", five=differs["five"])


def case_key(doc_id: str) -> str:
    return doc_id.split(":", 1)[1]


def load_case(user: dict, key: str, write: bool = False) -> dict:
    """A case the user may see: 404 if unknown or out of scope (one answer for both: no existence leak).
    `write` is kept for callers; reads and writes answer alike."""
    doc = records().get_or_none(f"case:{key}") if UUID_RE.fullmatch(key or "") else None
    if not doc or doc.get("type") != "hazard_case":
        raise ApiError("not_found")
    if not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def refusal(exc: Problem) -> ApiError:
    """A rule of the loop said no: the message in the user's language, with states and actions named."""
    params = dict(exc.params)
    if "state" in params:
        params["state"] = t(f"hazard.state.{params['state']}")
    if "action" in params:
        params["action"] = t(f"hazard.action.{params['action']}")
    if "missing" in params:
        params["missing"] = "、".join(t(f"hazard.five.{part}") for part in params["missing"].split("、"))
    if "allowed" in params:
        params["allowed"] = "、".join(t(f"hazard.state.{s}") for s in params["allowed"].split("/"))
    message = t(exc.code, **params)
    code = "conflict" if exc.code in STATE_RULES else "validation"
    return ApiError(code, message=message, errors={"rule": [exc.code]})


def step(case: dict, fn, *args, **kwargs) -> dict:
    """Run one pure step of the loop, turning its refusal into the API's error."""
    try:
        return fn(case, *args, **kwargs)
    except Problem as exc:
        raise refusal(exc) from None


def save(new: dict, actor: str, details: dict | None = None) -> dict:
    """Write the case with the revision it was read at (409 if someone changed it since) and audit the step."""
    try:
        records().put_once(new)
    except Conflict:
        raise ApiError("conflict", message=t("hazard.conflict")) from None
    last = new["history"][-1]
    audit.append(database("audit"), actor, f"hazard.{last['action']}", new["_id"],
                 {"from": last["from"], "to": last["to"], "note": str(last.get("note") or "")[:200], **(details or {})})
    return new


def five_in_place(user: dict, key: str, data: dict) -> dict:
    case = load_case(user, key, write=True)
    five = {**data, "deadline": data["deadline"].isoformat()}
    return save(step(case, loop.set_five_in_place, five, user["username"], now_iso(), today()), user["username"])


def rectify(user: dict, key: str, text: str, photos: list[str]) -> dict:
    case = load_case(user, key, write=True)
    known = records().docs_by_id(photos)
    if any(known.get(p, {}).get("case") != case["_id"] for p in photos):
        raise ApiError("validation", errors={"photos": [t("hazard.photo_unknown")]})
    return save(step(case, loop.rectify, text, photos, user["username"], now_iso()), user["username"],
                {"photos": len(photos)})


def close(user: dict, key: str, note: str) -> dict:
    case = load_case(user, key, write=True)
    return save(step(case, loop.close, user["username"], now_iso(), note), user["username"])


def void_found(case_ids: list[str], actor: str, note: str) -> int:
    """Cases still `found` of a rejected inspection become void (the others have moved on and stay)."""
    voided = 0
    for case in records().docs_by_id(case_ids).values():
        if case.get("state") == "found":
            save(loop.void(case, actor, now_iso(), note), actor)
            voided += 1
    return voided
