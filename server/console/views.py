"""Console pages: sign-in, enterprises and sites, inspectors, checklist templates, bulk import."""
from __future__ import annotations

from flask import (Blueprint, Flask, abort, g, make_response, redirect, render_template, request,
                   url_for)
from marshmallow import ValidationError

from i18n import LOCALES, t
from schemas import regions
from schemas.registry import EnterpriseSearchArgs, InspectorSearchArgs
from schemas.sectors import all_sectors, label as sector_label
from server.accounts import roles, store as accounts
from server import audit_trail
from server.surface import same_site_target
from server.accounts.guard import end_session, limiter, login_limit, start_session
from server.db import registry
from server.gateway import seen
from server.console.phones import phone_labels
from server.health import calendar_status, worker_status
from server.qr import signing
from server.registry import checklists, store, tabular
from server.registry.imports_api import import_upload
from server.registry.importer import ImportRejected
from server.registry.preview import PREVIEW_ROWS

PHONES_PER_PAGE = 50

bp = Blueprint("console", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def _globals():
        return {"user": g.get("user"), "locale": g.get("locale", "zh_CN"), "locales": LOCALES,
                "sectors": all_sectors(), "sector_label": lambda code: sector_label(code, g.get("locale", "zh_CN")),
                "region_label": region_label}


def region_label(code: str) -> str:
    """'370102 历下区' for a known code, the code alone otherwise."""
    name = regions.name(code) if isinstance(code, str) and len(code) == 6 and code.isdigit() else None
    return f"{code} {name}" if name else str(code or "")


def staff_only():
    if g.get("user") is None:
        return redirect(url_for("console.login", next=request.path))
    if g.user["role"] not in roles.STAFF:
        abort(403)
    return None


@bp.get("/")
def home():
    if g.get("user") is None:
        return redirect(url_for("console.login"))
    if g.user["role"] in roles.FIELD:
        return redirect("/app/")  # inspectors work in the field kit, not the console
    if g.user["role"] == roles.AUDITOR:
        return redirect(url_for("audit_console.audit_page"))
    if g.user["role"] == roles.ENTERPRISE:
        return redirect("/enterprise/")  # an enterprise's own portal (企业自查), never the console  # auditors read the audit log, nothing else
    return redirect(url_for("workbench.workbench"))  # the workbench (工作台): what waits for me


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        user = accounts.authenticate(registry(), request.form.get("username", "")[:64],
                                     request.form.get("password", "")[:256])
        if user:
            start_session(user)
            audit_trail.record("login.ok", f"user:{user['username']}", {"via": "console"}, who=user["username"])
            target = request.args.get("next", "")
            return redirect(target if target.startswith(("/console/", "/enterprise/")) else url_for("console.home"))
        error = t("error.login_failed")
        tried = request.form.get("username", "")[:64]
        audit_trail.record("login.failed", f"user:{tried.lower()}", {"via": "console"}, who=tried)
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    end_session()
    return redirect(url_for("console.login"))


@bp.get("/lang/<code>")
def set_language(code):
    resp = make_response(redirect(same_site_target(request.referrer, url_for("console.home"))))
    if code in LOCALES:
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


def _search_args(schema_cls):
    try:
        return schema_cls().load({k: v for k, v in request.args.items() if v != "" and k != "lang"}), None
    except ValidationError as exc:
        return schema_cls().load({}), exc.messages


@bp.get("/console/enterprises")
def enterprises():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    args, errors = _search_args(EnterpriseSearchArgs)
    result = store.search_enterprises(registry(), roles.scope_prefix(g.user), args)
    return render_template("enterprises.html", result=result, args=args, errors=errors)


@bp.get("/console/enterprises/<uscc>")
def enterprise(uscc):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = registry().get_or_none(store.enterprise_id(uscc)) if len(uscc) == 18 else None
    if not doc or doc.get("type") != "enterprise" or not roles.in_scope(g.user, doc["region"]):
        abort(404)
    sites = [{**s, "token": signing.site_token(s["_id"])} for s in store.sites_of(registry(), uscc)]
    return render_template("enterprise.html", e=doc, sites=sites)


@bp.get("/console/inspectors")
def inspectors():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    args, errors = _search_args(InspectorSearchArgs)
    result = store.search_inspectors(registry(), roles.scope_prefix(g.user), args)
    from server.plans import certificates  # 执法证 validity, flagged CERT_WARN_DAYS ahead
    return render_template("inspectors.html", result=result, args=args, errors=errors, cert_state=certificates.state,
                           certs=certificates.scope_summary(registry(), roles.scope_prefix(g.user)))


@bp.get("/console/checklists")
def checklist_list():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return render_template("checklists.html", templates=checklists.latest_templates(registry()))


@bp.get("/console/checklists/<key>/v<int:version>")
def checklist(key, version):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = checklists.get_template(registry(), key, version)
    if doc is None:
        abort(404)
    return render_template("checklist.html", tpl=doc)


@bp.get("/console/status")
def status():
    """The worker: when it last reported, its backlog, its last error, and phones over their budget."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    worker = worker_status(detail=g.user.get("role") == "admin")
    return render_template("status.html", worker=worker, phone_labels=phone_labels(worker.get("by_db") or {}),
                           calendar=calendar_status(detail=True), result=_phones_page())


def page_no(name: str = "page") -> int:
    """A page number from the query string: 1 unless it is a small positive whole number."""
    text = request.args.get(name, "1")
    return int(text) if text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1


def _phones_page() -> dict:
    """The phones in the reader's region, most recently seen first, PHONES_PER_PAGE to a page (the list and
    its users' regions: server.gateway.seen.phones)."""
    mine = [p for p in seen.phones() if isinstance(p.get("username"), str) and roles.in_scope(g.user, p["region"])]
    page = page_no()
    start = (page - 1) * PHONES_PER_PAGE
    return {"items": mine[start:start + PHONES_PER_PAGE], "page": page, "total": len(mine),
            "has_more": len(mine) > start + PHONES_PER_PAGE}


@bp.route("/console/import", methods=["GET", "POST"])
def import_page():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    result, problems, preview, status = None, None, None, 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        try:
            if request.form.get("dry_run"):  # the preview step: per row what would happen, nothing written
                preview = _preview_labels(kind, import_upload(kind, request.files.get("file"), dry_run=True))
            else:
                result = import_upload(kind, request.files.get("file"))
        except ImportRejected as exc:
            problems, status = _with_headers(kind, exc.problems[:PREVIEW_ROWS]), 422
            problems_total = len(exc.problems)
            return render_template("import.html", result=None, problems=problems, preview=None,
                                   problems_total=problems_total), status
    return render_template("import.html", result=result, problems=problems, preview=preview,
                           problems_total=0), status


def _preview_labels(kind: str, preview: dict) -> dict:
    """The dry run's rows with each changed field named by its column heading."""
    zh = g.get("locale", "zh_CN") == "zh_CN"
    labels = {f: (h_zh if zh else h_en) for f, h_zh, h_en, _req in tabular.FIELDS.get(kind, [])}
    for item in preview["preview"]:
        item["labels"] = [labels.get(f.split(".")[-1], f.split(".")[-1]) for f in item.get("fields", [])]
    preview["problems"] = _with_headers(kind, preview["problems"])
    return preview


def _with_headers(kind: str, problems: list[dict]) -> list[dict]:
    """Name each problem's column as the spreadsheet does (经度, not site.lng)."""
    zh = g.get("locale", "zh_CN") == "zh_CN"
    labels = {f: (h_zh if zh else h_en) for f, h_zh, h_en, _req in tabular.FIELDS.get(kind, [])}
    return [{**p, "label": labels.get((p.get("field") or "").split(".")[-1], p.get("field") or "")}
            for p in problems]
