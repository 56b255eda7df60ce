"""Self-reports (企业自查) in `records`: `selfreport:<32 hex>` documents, loaded for their enterprise or for the
bureau in scope (404 for anyone else, as for an unknown id), saved with their revision, and turned into
hazard cases when accepted. The `reports` database (public reports, whistleblowers) is never read here."""
from __future__ import annotations

import re
import uuid

from i18n import Problem, t
from server import audit
from server.accounts import roles
from server.db import database, registry
from server.enterprise_portal import selfcheck
from server.errors import ApiError
from server.hazards.service import records, today
from server.plans.dispatch import choose_checklist
from server.registry.checklists import all_versions
from server.registry.store import now_iso, scope_selector, site_id
from sync.couch import Conflict

KEY = re.compile(r"^[0-9a-f]{32}$")
OWN_LIMIT = 200


def problem(exc: Problem) -> ApiError:
    """A rule of the self-report said no: 409 when it is about the report's state, else 422."""
    state = exc.code in ("ep.not_editable", "ep.not_submitted")
    return ApiError("conflict" if state else "validation", message=t(exc.code, **exc.params),
                    errors={"rule": [exc.code]})


def load(key: str) -> dict | None:
    doc = records().get_or_none(f"selfreport:{key}") if KEY.fullmatch(key or "") else None
    return doc if doc and doc.get("type") == "self_report" else None


def load_own(user: dict, key: str) -> dict:
    """The enterprise's own report; another enterprise's answers like an unknown one."""
    doc = load(key)
    if not doc or doc.get("enterprise") != user.get("enterprise"):
        raise ApiError("not_found")
    return doc


def load_in_scope(user: dict, key: str) -> dict:
    """A submitted (or decided) report for the bureau: out of scope, or still a draft, answers 404."""
    doc = load(key)
    if not doc or doc.get("status") == "draft" or not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def template_of(report: dict) -> dict | None:
    return registry().get_or_none(report["checklist"]) if report.get("checklist") else None


def start(user: dict, enterprise: dict) -> dict:
    """A new draft against the latest checklist for the enterprise's sector (as a task would get)."""
    checklist = choose_checklist(all_versions(registry()), enterprise.get("industry", ""), None)
    if checklist is None:
        raise ApiError("conflict", message=t("ep.no_checklist"))
    now = now_iso()
    doc = {"_id": f"selfreport:{uuid.uuid4().hex}", "type": "self_report", "status": "draft",
           "enterprise": enterprise["uscc"], "enterprise_name": enterprise.get("name", ""),
           "region": enterprise["region"], "sector": enterprise.get("industry"),
           "site": site_id(enterprise["uscc"], 1), "checklist": checklist, "answers": {}, "hazards": [],
           "created_at": now, "created_by": user["username"], "submitted_at": None, "submitted_by": None,
           "decision": None, "cases": [], "history": []}
    records().put(doc)
    audit.append(database("audit"), user["username"], "selfreport.start", doc["_id"], {"checklist": checklist})
    return doc


def save(doc: dict) -> dict:
    """Write with the revision it was read at: someone else's change meanwhile is a 409, never overwritten."""
    try:
        records().put_once(doc)
    except Conflict:
        raise ApiError("conflict", message=t("ep.changed_meanwhile")) from None
    return doc


def own_reports(uscc: str) -> list[dict]:
    docs = records().find({"type": "self_report", "enterprise": uscc}, limit=OWN_LIMIT,
                          fields=["_id", "status", "created_at", "submitted_at", "hazards", "decision"])
    return sorted(docs, key=lambda d: d.get("created_at") or "", reverse=True)


def queue(user: dict, status: str, page_no: int, per_page: int) -> dict:
    """Reports in the reviewer's region with this status, oldest submission first, one page."""
    region = scope_selector(roles.scope_prefix(user), None)
    selector = {"type": "self_report", "status": status, "submitted_at": {"$gt": None}, "region": region}
    rows = records().find(selector, limit=per_page + 1, skip=(page_no - 1) * per_page,
                          sort=[{"type": "asc"}, {"status": "asc"}, {"submitted_at": "asc"}])
    return {"items": rows[:per_page], "page": page_no, "per_page": per_page, "has_more": len(rows) > per_page}


def count_waiting(user: dict, cap: int) -> list[dict]:
    """Submitted reports waiting for review in the reader's region (the workbench's count), at most cap."""
    region = scope_selector(roles.scope_prefix(user), None)
    return records().find({"type": "self_report", "status": "submitted", "submitted_at": {"$gt": None},
                           "region": region}, limit=cap, fields=["_id"])


def decide(user: dict, key: str, decision: str, reason: str) -> dict:
    """Accept (each hazard becomes a case in the register) or return with a reason; audited."""
    report = load_in_scope(user, key)
    if report.get("status") == "accepted" and decision == "accept":
        write_cases(report)          # a retry after a failure half-way: the missing cases are written
        return report
    try:
        decided = selfcheck.decide(report, decision, reason, user["username"], now_iso())
    except Problem as exc:
        raise problem(exc) from None
    if decision == "accept":
        decided["cases"] = [selfcheck.case_id(report["_id"], h["n"]) for h in report.get("hazards", [])]
    save(decided)     # the report's revision decides between two reviewers: one wins, the other gets 409
    if decision == "accept":
        write_cases(decided)
    audit.append(database("audit"), user["username"], f"selfreport.{decision}", report["_id"],
                 {"cases": decided.get("cases", []), "reason": reason[:200], "enterprise": report["enterprise"]})
    return decided


def write_cases(report: dict) -> int:
    """The accepted report's cases, each once (deterministic ids: an existing one is left as it is)."""
    cases = selfcheck.cases_for(report, now_iso())
    existing = records().docs_by_id([c["_id"] for c in cases])
    new = [c for c in cases if c["_id"] not in existing]
    if new:
        records().bulk_docs(new)
    return len(new)


def today_date():
    return today()
