"""The enterprise portal (/enterprise/): the enterprise's home, its password, and its self-inspections
(企业自查) against its sector's checklist with the hazards it found, their photos and its own rectification
plans. Only an enterprise account reaches these pages, and only its own documents (404 otherwise)."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.selfreports import SelfHazardSchema
from server import audit
from server.accounts import roles
from server.accounts.sessions_api import set_own_password
from server.db import database
from server.enterprise_portal import photos, selfcheck, store
from server.errors import ApiError
from server.registry.store import now_iso

bp = Blueprint("enterprise_portal", __name__, url_prefix="/enterprise")
HAZARD_FIELDS = ("description", "location", "grade", "item", "measures", "responsible", "funds", "deadline",
                 "contingency")


def gate():
    """Sign-in first; a bureau account is refused (its place is the console)."""
    if g.get("user") is None:
        return redirect(url_for("console.login", next=request.path))
    if g.user["role"] != roles.ENTERPRISE or g.get("enterprise") is None:
        abort(403)
    return None


@bp.before_request
def _only_enterprises():
    return gate()


def _own(key: str) -> dict:
    """The enterprise's own self-report; anything else is a page that does not exist."""
    try:
        return store.load_own(g.user, key)
    except ApiError:
        abort(404)


@bp.get("/")
def home():
    from server.enterprise_portal import orders_view
    return render_template("enterprise_portal/home.html", e=g.enterprise,
                           reports=store.own_reports(g.enterprise["uscc"]),
                           open_cases=orders_view.open_count(g.enterprise["uscc"]))


@bp.get("/account")
def account_page():
    return render_template("enterprise_portal/account.html", must_change=g.user.get("must_change_password", False),
                           done=request.args.get("done") == "1")


@bp.post("/account")
def change_password():
    form = request.form
    try:
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise ApiError("validation", message=t("account.password_mismatch"))
        set_own_password(g.user, form.get("current_password", "")[:256], form.get("new_password", "")[:256])
    except ApiError as exc:
        detail = "; ".join(m for msgs in (exc.errors or {}).values() for m in msgs) if exc.errors else ""
        return render_template("enterprise_portal/account.html", error=detail or exc.message,
                               must_change=g.user.get("must_change_password", False)), exc.status
    except Problem as exc:
        return render_template("enterprise_portal/account.html", error=exc.message(),
                               must_change=g.user.get("must_change_password", False)), 422
    return redirect(url_for("enterprise_portal.account_page", done=1))


@bp.post("/selfchecks")
def start_selfcheck():
    """A new self-inspection, or the one still being filled in (one open draft at a time: no pile of drafts)."""
    drafts = [r for r in store.own_reports(g.enterprise["uscc"]) if r["status"] == "draft"]
    report = drafts[0] if drafts else store.start(g.user, g.enterprise)
    if drafts:
        _audit("selfreport.start", report, {"resumed": True})
    return redirect(url_for("enterprise_portal.selfcheck_page", key=report["_id"].split(":", 1)[1]))


def _page(report: dict, error: str | None = None, errors: dict | None = None, status: int = 200, form=None):
    template = store.template_of(report)
    return render_template("enterprise_portal/selfcheck.html", r=report, key=report["_id"].split(":", 1)[1],
                           tpl=template, items=selfcheck.checklist_items(template, report.get("sector")), error=error,
                           errors=errors or {}, form=form or {}, done=request.args.get("done"),
                           editable=report["status"] in selfcheck.EDITABLE,
                           max_photos=selfcheck.MAX_PHOTOS, photo_url=own_photo_url), status


def own_photo_url(key: str, variant: str) -> str:
    return url_for("enterprise_portal.photo", key=key, variant=variant)


@bp.get("/selfchecks/<key>")
def selfcheck_page(key):
    return _page(_own(key))


def _refused(report: dict, exc: Exception, form=None):
    """The page again with what to fix; nothing the enterprise typed is lost."""
    if isinstance(exc, ValidationError):
        return _page(report, t("error.validation"), translate_errors(exc.messages), 422, form)
    if isinstance(exc, Problem):
        exc = store.problem(exc)
    if exc.code == "not_found":
        abort(404)
    return _page(report, exc.message, exc.errors if isinstance(exc.errors, dict) else None, exc.status, form)


def _audit(action: str, report: dict, details: dict) -> None:
    audit.append(database("audit"), g.user["username"], action, report["_id"], details)


@bp.post("/selfchecks/<key>/answers")
def save_answers(key):
    report = _own(key)
    answers = {k[2:]: v for k, v in request.form.items() if k.startswith("a:")}
    try:
        if len(answers) > 1000:
            raise ApiError("too_large")
        store.save(selfcheck.set_answers(report, store.template_of(report), answers))
    except (Problem, ApiError) as exc:
        return _refused(report, exc)
    _audit("selfreport.answers", report, {"answers": len(answers)})
    return redirect(url_for("enterprise_portal.selfcheck_page", key=key, done="answers"))


@bp.post("/selfchecks/<key>/hazards")
def add_hazard(key):
    report = _own(key)
    raw = {k: request.form.get(k, "") for k in HAZARD_FIELDS}
    raw["item"] = raw["item"] or None
    filed: list[str] = []
    try:
        selfcheck.require_editable(report)
        data = SelfHazardSchema().load(raw)
        selfcheck.check_plan(data, store.today_date())
        uploads = photos.read_uploads(request.files.getlist("photos"))
        if not uploads:
            raise ApiError("validation", errors={"photos": [t("ep.photo_required")]})
        if len(uploads) > selfcheck.MAX_PHOTOS:
            raise Problem("ep.too_many_photos", max=selfcheck.MAX_PHOTOS)
        filed = photos.file_all(g.user, g.enterprise, uploads, {"self_report": report["_id"]})
        updated = selfcheck.add_hazard(report, data, filed, now_iso(), store.today_date(), store.template_of(report))
        store.save(updated)
    except (ValidationError, Problem, ApiError) as exc:
        photos.remove(filed)
        return _refused(report, exc, raw)
    _audit("selfreport.hazard_add", report, {"hazard": updated["hazards"][-1]["n"], "grade": data["grade"],
                                             "photos": len(filed)})
    return redirect(url_for("enterprise_portal.selfcheck_page", key=key, done="hazard"))


@bp.post("/selfchecks/<key>/hazards/<int:number>/remove")
def remove_hazard(key, number):
    report = _own(key)
    try:
        updated, gone = selfcheck.remove_hazard(report, number)
        store.save(updated)
    except (Problem, ApiError) as exc:
        return _refused(report, exc)
    photos.remove(gone.get("photos", []))
    _audit("selfreport.hazard_remove", report, {"hazard": number})
    return redirect(url_for("enterprise_portal.selfcheck_page", key=key, done="removed"))


@bp.post("/selfchecks/<key>/submit")
def submit(key):
    report = _own(key)
    try:
        store.save(selfcheck.submit(report, store.template_of(report), g.user["username"], now_iso()))
    except (Problem, ApiError) as exc:
        return _refused(report, exc)
    _audit("selfreport.submit", report, {"hazards": len(report.get("hazards", []))})
    return redirect(url_for("enterprise_portal.selfcheck_page", key=key, done="submitted"))


@bp.get("/photos/<key>/<variant>")
def photo(key, variant):
    try:
        return photos.own_photo(g.user, key, variant)
    except ApiError:
        abort(404)
