"""Rewards for reports found true (举报奖励): proposed by one supervisor, approved by a second person, paid.

The amount must lie inside the range the setting REPORT_REWARD_SCALE gives for the reward's grade (JSON,
grade → [min, max] yuan). The default "major" range follows the tier of 安监总财〔2018〕19号
(《安全生产领域举报奖励办法》) for major hazards and violations: 15% of the fine, at least 3,000 and at most
300,000 yuan, as recalled from the published measure. Its text is not among the project's law files, so a
bureau must check it, and its province's own measure, which usually also rewards general hazards: the
"general" range is such a local choice. Each step is audited; every write carries the report's revision,
so two approvals racing on one reward give one approval (the other is refused) and one audit entry.
"""
from __future__ import annotations

import json
from datetime import date

from flask import current_app

from i18n import t
from server import audit, clock
from server.accounts import roles
from server.db import database
from server.errors import ApiError
from server.registry.store import now_iso
from server.reports.verification import reports_db
from sync.couch import Conflict, NotFound

DEFAULT_SCALE = {"major": [3000, 300000], "general": [200, 3000]}
METHODS = ("bank", "cash", "other")
MAX_AMOUNT = 10_000_000


def parse_scale(text: str | None) -> dict[str, list[int]]:
    """grade → [min, max] yuan; ValueError naming what is wrong (Config.check refuses to start on it)."""
    if not text:
        return {k: list(v) for k, v in DEFAULT_SCALE.items()}
    scale = json.loads(text)
    if not isinstance(scale, dict) or not scale:
        raise ValueError("REPORT_REWARD_SCALE must be a JSON object of grade → [min, max] yuan")
    for grade, bounds in scale.items():
        ok = (isinstance(grade, str) and grade.isidentifier() and isinstance(bounds, list) and len(bounds) == 2
              and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
              and 0 <= bounds[0] <= bounds[1] <= MAX_AMOUNT)
        if not ok:
            raise ValueError(f"REPORT_REWARD_SCALE: {grade!r} must be [min, max] whole yuan, 0 <= min <= max")
    return scale


def scale() -> dict[str, list[int]]:
    return parse_scale(current_app.config.get("REPORT_REWARD_SCALE"))


def default_grade(report: dict) -> str:
    """"major" when a case the verification opened is a major hazard, else "general" (if the scale has it)."""
    cases = (report.get("outcome") or {}).get("cases") or []
    graded = database("records").docs_by_id(cases) if cases else {}
    wanted = "major" if any(c.get("grade") == "major" for c in graded.values()) else "general"
    grades = scale()
    return wanted if wanted in grades else sorted(grades)[0]


def _save(report: dict, user: dict, action: str, details: dict, note: str = "") -> dict:
    report.setdefault("history", []).append({"action": action.split(".", 1)[1], "at": now_iso(),
                                             "by": user["username"], "note": note[:200]})
    try:
        reports_db().put_once(report)
    except Conflict:
        raise ApiError("conflict", message=t("rv.conflict")) from None
    audit.append(database("audit"), user["username"], action, report["_id"], details)
    return report


def _state(report: dict, *wanted: str | None) -> dict | None:
    reward = report.get("reward")
    status = reward.get("status") if reward else None
    if report.get("status") != "verified_true" or status not in wanted:
        raise ApiError("conflict", message=t("rv.reward_wrong_state"))
    return reward


def propose(report: dict, user: dict, grade: str, amount: int, basis: str) -> dict:
    """A proposed reward for a report found true (again after a refusal)."""
    previous = _state(report, None, "refused")
    bounds = scale().get(grade)
    if bounds is None:
        raise ApiError("validation", errors={"grade": [t("rv.bad_grade")]})
    if not bounds[0] <= amount <= bounds[1]:
        raise ApiError("validation", errors={"amount": [t("rv.amount_range", low=bounds[0], high=bounds[1])]})
    report["reward"] = {"status": "proposed", "grade": grade, "amount": amount, "range": bounds, "basis": basis,
                        "proposed_by": user["username"], "proposed_at": now_iso(),
                        "earlier": ([*previous.pop("earlier", []), previous] if previous else [])}
    return _save(report, user, "report.reward_propose", {"grade": grade, "amount": amount}, basis)


def _second_person(reward: dict, user: dict) -> None:
    if reward["proposed_by"] == user["username"]:
        raise ApiError("forbidden", message=t("rv.own_proposal"))


def approve(report: dict, user: dict) -> dict:
    reward = _state(report, "proposed")
    _second_person(reward, user)
    reward.update(status="approved", approved_by=user["username"], approved_at=now_iso())
    return _save(report, user, "report.reward_approve",
                 {"amount": reward["amount"], "proposed_by": reward["proposed_by"]})


def refuse(report: dict, user: dict, reason: str) -> dict:
    reward = _state(report, "proposed")
    _second_person(reward, user)
    reward.update(status="refused", refused_by=user["username"], refused_at=now_iso(), refusal_reason=reason)
    return _save(report, user, "report.reward_refuse", {"amount": reward["amount"], "reason": reason[:200]}, reason)


def pay(report: dict, user: dict, paid_on: date, method: str, reference: str) -> dict:
    """The payment of an approved reward: its date (not in the future, not before approval), how, reference."""
    reward = _state(report, "approved")
    if method not in METHODS:
        raise ApiError("validation", errors={"method": [t("rv.bad_method")]})
    if paid_on > clock.today() or paid_on.isoformat() < reward["approved_at"][:10]:
        raise ApiError("validation", errors={"paid_on": [t("rv.bad_paid_on")]})
    reward.update(status="paid", payment={"date": paid_on.isoformat(), "method": method, "reference": reference,
                                          "by": user["username"], "at": now_iso()})
    return _save(report, user, "report.reward_pay", {"amount": reward["amount"], "date": paid_on.isoformat(),
                                                      "method": method})


def waiting(user: dict, status: str, limit: int, **more) -> list[dict]:
    """Reports in the user's region whose reward is in `status` (none while the database is not made yet)."""
    prefix = roles.scope_prefix(user)
    selector = {"type": "report", "reward.status": status,
                "region": {"$gte": prefix, "$lt": prefix + "\ufff0"}, **more}
    try:
        return reports_db().find(selector, limit=limit)
    except NotFound:
        return []


def to_approve(user: dict, limit: int) -> list[dict]:
    """Proposed rewards the user may approve: in their region, proposed by someone else."""
    return waiting(user, "proposed", limit, **{"reward.proposed_by": {"$ne": user["username"]}})
