"""The public report pages (举报): the form (on its own, or for the site behind a QR code), its receipt,
and the receipt-code status page. No account; abuse is held off by server/reports/public_abuse.py.

Every refusal re-renders the form with what the reporter typed (photos must be chosen again: a browser
never lets a page refill a file field) and a message in their language. The receipt code is shown once,
on the answer to the submission, which no cache may keep; it is looked up by POST so that it never
appears in a URL, an access log or a browser's history.
"""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request

from i18n import t
from server.qr import signing
from server.reports import intake, public_abuse, public_status, store
from server.reports.public_submit import PhotoProblem, save_report
from server.db import registry
from server.hazards.service import today

bp = Blueprint("reports_public", __name__)
QR_ARGS = ("t", "k", "s")


def site_from_qr(args) -> tuple[dict | None, str | None]:
    """(the site's public facts, None), (None, None) without QR arguments, or (None, error key) for a code
    that does not verify: the same check as the page behind the QR code."""
    if not any(args.get(name) for name in QR_ARGS):
        return None, None
    token, kid, sig = (str(args.get(name, ""))[:64] for name in QR_ARGS)
    base = current_app.config["PUBLIC_BASE_URL"]
    keys = signing.parse_keys(current_app.config["QR_KEYS"])
    verdict = signing.verify_url(f"{base}/q/{token}?k={kid}&s={sig}", keys, expected_base_url=base)
    site = registry().get_or_none(verdict.site_id) if verdict.ok else None
    enterprise = registry().get_or_none(f"enterprise:{site['enterprise']}") if site and site.get("type") == "site" else None
    if not (enterprise and enterprise.get("active", True)):
        return None, "report.site_invalid"
    return {"qr": {"t": token, "k": kid, "s": sig}, "site": site["_id"], "site_name": site.get("name", ""),
            "address": site.get("address", ""), "enterprise": enterprise.get("uscc"),
            "enterprise_name": enterprise.get("name", ""), "region": site.get("region") or enterprise.get("region"),
            "sector": enterprise.get("sector") or enterprise.get("industry")}, None


def _form(values: dict, site: dict | None, errors: dict, status: int = 200, notice: str | None = None):
    choices = None if site else intake.region_choices(current_app.config["REPORT_REGION_ROOT"])
    resp = make_response(render_template(
        "reports/form.html", values=values, site=site, errors={k: t(v, max_photos=_max_photos(), max_mb=_max_mb())
                                                               for k, v in errors.items()},
        notice=notice and t(notice), choices=choices, challenge=public_abuse.issue(), max_photos=_max_photos(),
        max_mb=_max_mb(), limits=intake.LIMITS), status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _max_photos() -> int:
    return current_app.config["REPORT_MAX_PHOTOS"]


def _max_mb() -> int:
    return current_app.config["REPORT_PHOTO_MAX_MB"]


@bp.get("/report")
def report_form():
    """The public report form; with a site's signed QR arguments, for that site."""
    site, error = site_from_qr(request.args)
    values = {"anonymous": True}
    return _form(values, site, {"site": error} if error else {}, 400 if error else 200)


@bp.post("/report")
def submit():
    """Receive a report: rate limit, site code, proof of work, fields, photos; then the receipt, once."""
    # The whole body may be the photos at their limit plus the text; anything larger is refused unread (413).
    request.max_content_length = (_max_photos() * _max_mb() + 1) * 1024 * 1024
    values = intake.typed(request.form)
    site, site_error = site_from_qr(request.form)
    if not public_abuse.allow("submit"):
        return _form(values, site, {}, 429, notice="report.rate_limited")
    if site_error:
        return _form(values, None, {"site": site_error}, 400)
    refused = public_abuse.check(request.form.get("pow_challenge", ""), request.form.get("pow_nonce", ""))
    if refused:
        return _form(values, site, {}, 400, notice=refused)
    offered = None if site else {code for code, _ in intake.region_choices(current_app.config["REPORT_REGION_ROOT"])}
    clean, errors = intake.check(values, today(), offered)
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) > _max_photos():
        errors["photos"] = "report.photo_count"
    if errors:
        return _form(values, site, errors, 422, notice="report.fix_fields")
    try:
        code = save_report(clean, values, site, files, _max_mb() * 1024 * 1024)
    except PhotoProblem as exc:
        return _form(values, site, {"photos": exc.problem.code}, 422, notice="report.fix_fields")
    resp = make_response(render_template("reports/receipt.html", code=code))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.errorhandler(413)
def _too_large(_exc):
    # The body was not read, so there is nothing to put back: the browser's Back button still holds it.
    return _form({"anonymous": True}, None, {}, 413, notice="report.body_too_large")


@bp.route("/report/status", methods=["GET", "POST"])
def status_page():
    """What a receipt code's report has come to, in words for the public, and nothing else."""
    if request.method == "GET":
        return render_template("reports/status.html", report=None, error=None)
    if not public_abuse.allow("status"):
        return render_template("reports/status.html", report=None, error=t("report.rate_limited")), 429
    doc = store.find_by_code(request.form.get("code", ""))
    if doc is None:
        return render_template("reports/status.html", report=None, error=t("report.code_unknown")), 404
    resp = make_response(render_template("reports/status.html", report=public_status.public_view(doc), error=None))
    resp.headers["Cache-Control"] = "no-store"
    return resp
