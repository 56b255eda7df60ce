"""The enterprise's rectification orders (责令限期整改指令书) and the hazards they name, with deadlines, and
its rectification evidence (整改情况: text and photos) sent against an ordered hazard, which moves the case to
`rectified` for the bureau to re-inspect or close. Shown: what was issued to the enterprise (past acts).
Never shown: anything about inspections to come — re-inspection tasks, plans, teams, the case's history."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.selfreports import EvidenceSchema
from server.enterprise_portal import photos
from server.enterprise_portal.portal import bp
from server.errors import ApiError
from server.hazards import loop, service
from server.hazards.service import UUID_RE, records
from server.registry.store import now_iso

LIMIT = 500
# What the enterprise may read of a case: no team, no task, no re-inspection being prepared, no history.
SHOWN = ("description", "location", "grade", "state", "deadline", "deadline_provisional", "source", "found_at",
         "rectification", "five_in_place", "closed_at", "order", "orders")


def own_cases(uscc: str) -> list[dict]:
    """The enterprise's cases it may follow: those under an order, and those it reported itself."""
    docs = records().find({"type": "hazard_case", "enterprise": uscc}, limit=LIMIT)
    return [d for d in docs if d.get("orders") or d.get("source") == "self_report"]


def open_count(uscc: str) -> int:
    return sum(1 for c in own_cases(uscc) if c.get("state") == "ordered")


def safe(case: dict) -> dict:
    view = {k: case.get(k) for k in SHOWN}
    view["key"] = case["_id"].split(":", 1)[1]
    view["result"] = loop.last_result(case) if case.get("state") == "reinspected" else None
    view["overdue"] = loop.is_overdue(case, service.today())
    return view


def own_case(key: str) -> dict:
    case = records().get_or_none(f"case:{key}") if UUID_RE.fullmatch(key or "") else None
    if (not case or case.get("type") != "hazard_case" or case.get("enterprise") != g.enterprise["uscc"]
            or not (case.get("orders") or case.get("source") == "self_report")):
        abort(404)
    return case


@bp.get("/orders")
def orders_page():
    uscc = g.enterprise["uscc"]
    orders = records().find({"type": "rectification_order", "enterprise": uscc}, limit=LIMIT)
    orders.sort(key=lambda o: o.get("issued_at") or "", reverse=True)
    cases = sorted((safe(c) for c in own_cases(uscc)), key=lambda c: (c["state"] != "ordered", c["deadline"] or "9"))
    return render_template("enterprise_portal/orders.html", orders=orders, cases=cases)


def _case_page(case: dict, error: str | None = None, errors: dict | None = None, status: int = 200, form=None):
    numbers = {o["_id"]: o.get("number", "") for o in records().docs_by_id(case.get("orders") or []).values()}
    return render_template("enterprise_portal/case.html", c=safe(case), numbers=numbers, error=error,
                           errors=errors or {}, form=form or {}, done=request.args.get("done")), status


@bp.get("/cases/<key>")
def case_page(key):
    return _case_page(own_case(key))


@bp.post("/cases/<key>/evidence")
def send_evidence(key):
    """整改情况 with photos against the order in force: the case moves to `rectified` (audited)."""
    case = own_case(key)
    filed: list[str] = []
    form = {"text": request.form.get("text", "")}
    try:
        if case.get("state") != "ordered":
            raise ApiError("conflict", message=t("ep.evidence_wrong_state"))
        text = EvidenceSchema().load(form)["text"]
        uploads = photos.read_uploads(request.files.getlist("photos"))
        if not uploads:
            raise ApiError("validation", errors={"photos": [t("ep.photo_required")]})
        if len(uploads) > 5:
            raise ApiError("validation", errors={"photos": [t("ep.too_many_photos", max=5)]})
        link = {"case": case["_id"], "hazard": case.get("hazard"), "inspection": case.get("inspection")}
        filed = photos.file_all(g.user, g.enterprise, uploads, link)
        moved = service.step(case, loop.rectify, text, filed, g.user["username"], now_iso())
        service.save(moved, g.user["username"], {"photos": len(filed), "via": "enterprise"})
    except ValidationError as exc:
        photos.remove(filed)
        return _case_page(case, t("error.validation"), translate_errors(exc.messages), 422, form)
    except (ApiError, Problem) as exc:
        photos.remove(filed)
        if isinstance(exc, Problem):
            return _case_page(case, exc.message(), None, 422, form)
        return _case_page(case, exc.message, exc.errors if isinstance(exc.errors, dict) else None, exc.status, form)
    return redirect(url_for("enterprise_portal.case_page", key=key, done="evidence"))
