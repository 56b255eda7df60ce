"""The major-hazard database's rules (pure): 挂牌督办 levels, listing and lifting, and escalation measures.

A major hazard is listed for supervision (挂牌督办) when ordered (loop.order sets `supervised`); a
supervisor may also list it, at a level — county (县级), city (市级) or province (省级) — no higher than
their own region's level, with the 督办 document and a deadline. `supervised` stays the flag; the listing's
details live beside it in `supervision`. A listing is lifted (销号) only once the case is closed. The
measures the policy documents name for slow progress — 函告, 通报, 约谈, 曝光 — are recorded in `escalations`.
Every function returns a new case or raises `Problem("majors.*")`; nothing here touches a database.
"""
from __future__ import annotations

import copy
from datetime import date, timedelta

from i18n import Problem
from schemas import regions

LEVELS = ("county", "city", "province")
RANK = {level: n for n, level in enumerate(LEVELS, start=1)}
MEASURES = ("letter", "notice", "interview", "exposure")   # 函告, 通报, 约谈, 曝光
REGION_LEVEL = {"county": "county", "prefecture": "city", "province": "province"}
MAX_DEADLINE_DAYS = 730   # a 督办 deadline further than two years out is a typing mistake
MAX_MEASURES = 200        # per case: keeps the case document (and its page) bounded


def own_level(user: dict) -> str:
    """The highest level a user may list at: their region's level (admins: province)."""
    if user.get("role") == "admin":
        return "province"
    return REGION_LEVEL[regions.pattern_level(user["region"])]


def may_list_at(user: dict, level: str) -> bool:
    return level in RANK and RANK[level] <= RANK[own_level(user)]


def listing(case: dict) -> dict | None:
    """The supervision in force (listed and not lifted), or None."""
    held = case.get("supervision")
    return held if case.get("supervised") and held and not held.get("lifted") else None


def _note(case: dict, action: str, by: str, at: str, note: str) -> dict:
    new = copy.deepcopy(case)
    new.setdefault("history", []).append({"action": action, "from": case.get("state"), "to": case.get("state"),
                                          "at": at, "by": by, "note": note})
    return new


def _require_major(case: dict) -> None:
    if case.get("grade") != "major":
        raise Problem("majors.not_major")
    if case.get("state") == "void":
        raise Problem("majors.void")


def supervise(case: dict, user: dict, level: str, document: dict, deadline: date, at: str, today: date) -> dict:
    """List the case for supervision at `level`; a listing in force may only be raised to a higher level
    (提级督办). `document` is {number, text}: the 督办 notice."""
    _require_major(case)
    if case.get("state") == "closed":
        raise Problem("majors.closed")
    if not may_list_at(user, level):
        raise Problem("majors.level_too_high", level=level, own=own_level(user))
    held = listing(case)
    if held and RANK.get(held.get("level"), 0) >= RANK[level]:
        raise Problem("majors.already_listed", level=held.get("level"))
    if deadline < today:
        raise Problem("majors.deadline_past", deadline=deadline.isoformat())
    if deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise Problem("majors.deadline_too_far", deadline=deadline.isoformat(), days=MAX_DEADLINE_DAYS)
    new = _note(case, "supervise", user["username"], at, document["number"])
    new["supervised"] = True
    new["supervision"] = {"level": level, "by": user["username"], "at": at, "number": document["number"],
                          "text": document["text"], "deadline": deadline.isoformat(), "lifted": None,
                          "earlier": ([*(held.get("earlier") or []), {k: v for k, v in held.items() if k != "earlier"}]
                                      if held else [])}
    return new


def lift(case: dict, user: dict, note: str, at: str) -> dict:
    """销号 of the 督办: only after the case is closed, by someone of the listing's level or above."""
    _require_major(case)
    if not case.get("supervised"):
        raise Problem("majors.not_listed")
    if case.get("state") != "closed":
        raise Problem("majors.lift_needs_closed")
    held = case.get("supervision") or {}
    if held.get("level") and not may_list_at(user, held["level"]):
        raise Problem("majors.level_too_high", level=held["level"], own=own_level(user))
    new = _note(case, "supervise_lift", user["username"], at, note)
    new["supervised"] = False
    new["supervision"] = {**held, "lifted": {"by": user["username"], "at": at, "note": note}}
    return new


def record_measure(case: dict, user: dict, measure: dict, at: str, today: date) -> dict:
    """One 函告/通报/约谈/曝光 with its date, document (number, title, text and/or an uploaded PDF) and who."""
    _require_major(case)
    if measure["kind"] not in MEASURES:
        raise Problem("majors.bad_measure")
    if measure["on"] > today:
        raise Problem("majors.measure_in_future", on=measure["on"].isoformat())
    if not (measure.get("text") or "").strip() and not measure.get("file"):
        raise Problem("majors.document_required")
    if len(case.get("escalations") or []) >= MAX_MEASURES:
        raise Problem("majors.too_many_measures", max=MAX_MEASURES)
    entry = {"kind": measure["kind"], "on": measure["on"].isoformat(), "number": measure.get("number") or "",
             "title": measure["title"], "text": measure.get("text") or "", "file": measure.get("file"),
             "by": user["username"], "at": at}
    new = _note(case, f"measure_{measure['kind']}", user["username"], at,
                " ".join(part for part in (entry["title"], entry["number"]) if part))
    new.setdefault("escalations", []).append(entry)
    return new
