"""The result of a report's verification (查实 / 不属实): it closes the report and sets its public outcome.

Two ways in: the verification inspection approved in review (server/review/effects.py calls
`from_review`: hazards found → 查实 with their cases, none → 不属实), or the supervisor records the
verdict on the verification page (`record`), e.g. when the check found the problem already gone. The
public texts are fixed sentences in both languages: no inspector, no enterprise-internal detail.
"""
from __future__ import annotations

import logging

from i18n import t
from server import audit
from server.db import database
from server.errors import ApiError
from server.registry.store import now_iso
from server.reports.verification import reports_db
from sync.couch import Conflict, Unavailable

log = logging.getLogger(__name__)
RESULTS = ("true", "false")
STATUS = {"true": "verified_true", "false": "verified_false"}
MAX_CASES = 200


def public_texts(result: str) -> dict:
    """The sentences the receipt-code page shows, in zh-CN and English."""
    return {"public_text_zh": t(f"rv.public_{result}", "zh_CN"), "public_text_en": t(f"rv.public_{result}", "en")}


def cases_of_task(task_id: str) -> list[str]:
    """Cases opened from the hazards filed on the verification task (void ones, of a rejected record, left out)."""
    found = database("records").find({"type": "hazard_case", "task": task_id}, limit=MAX_CASES,
                                     fields=["_id", "state"])
    return sorted(c["_id"] for c in found if c.get("state") != "void")


def _apply(report: dict, result: str, cases: list[str], by: str, note: str, inspection: str | None = None) -> dict:
    at = now_iso()
    report.update(status=STATUS[result], outcome={"result": result, **public_texts(result), "at": at,
                                                  "cases": cases})
    report.setdefault("history", []).append({"action": f"verified_{result}", "at": at, "by": by, "note": note})
    reports_db().put_once(report)   # a supervisor's verdict and an approved inspection's at once: one is kept
    audit.append(database("audit"), by, "report.outcome", report["_id"],
                 {"result": result, "cases": cases, "task": (report.get("verification") or {}).get("task"),
                  "inspection": inspection, "note": note[:200]})
    return report


def _decidable(report: dict) -> bool:
    return report.get("status") == "verifying" and bool((report.get("verification") or {}).get("task")) \
        and not report.get("outcome")


def record(report: dict, user: dict, result: str, note: str) -> dict:
    """The supervisor's verdict on a report under verification; refused once an outcome exists."""
    if result not in RESULTS:
        raise ApiError("validation", errors={"result": [t("rv.bad_result")]})
    if not _decidable(report):
        raise ApiError("conflict", message=t("rv.not_decidable"))
    cases = cases_of_task(report["verification"]["task"]) if result == "true" else []
    try:
        return _apply(report, result, cases, user["username"], note)
    except Conflict:
        raise ApiError("conflict", message=t("rv.conflict")) from None


def from_review(doc: dict, task: dict, hazards: list[dict], user: dict) -> dict | None:
    """The approved verification inspection decides the report: its hazards (now cases) mean 查实. A report
    already decided (by a supervisor) is left as it is; a report changed meanwhile is read again once."""
    report_id = (task or {}).get("report")
    if not report_id:
        return None
    cases = ["case:" + h["_id"].split(":", 1)[1] for h in hazards]
    result = "true" if cases else "false"
    for _attempt in range(3):
        report = reports_db().get_or_none(report_id)
        if not report or not _decidable(report) or report["verification"]["task"] != task["_id"]:
            log.info("verification %s approved; report %s already decided or gone", doc["_id"], report_id)
            return None
        try:
            return _apply(report, result, cases, user["username"], "", inspection=doc["_id"])
        except (Conflict, Unavailable):   # changed meanwhile, or not confirmed by a quorum: read it again
            continue
    log.warning("report %s: outcome of %s not recorded after repeated conflicts", report_id, doc["_id"])
    return None
