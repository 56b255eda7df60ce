"""The page a plain browser shows for a scanned site QR code: who the site is, never any inspection."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from server.console.views import page_no
from server.db import registry
from server.qr import signing

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/q/<token>")
def site_page(token):
    keys = signing.parse_keys(current_app.config["QR_KEYS"])
    url = current_app.config["PUBLIC_BASE_URL"] + request.full_path.rstrip("?")
    verdict = signing.verify_url(url, keys, expected_base_url=current_app.config["PUBLIC_BASE_URL"])
    site = enterprise = None
    if verdict.ok:
        site = registry().get_or_none(verdict.site_id)
        if site and site.get("type") == "site":
            enterprise = registry().get_or_none(f"enterprise:{site['enterprise']}")
    if not (verdict.ok and site and enterprise and enterprise.get("active", True)):
        reason = verdict.reason if not verdict.ok else "qr.unknown_site"
        return render_template("public_site.html", site=None, enterprise=None, reason=reason), 404
    public_site = {k: site.get(k) for k in ("name", "address")}
    public_enterprise = {k: enterprise.get(k) for k in ("name", "uscc", "address")}
    # The report form gets the same signed arguments as this page, and checks them again itself (举报).
    report_url = url_for("reports_public.report_form", t=token, k=request.args.get("k", ""), s=request.args.get("s", ""))
    return render_template("public_site.html", site=public_site, enterprise=public_enterprise, reason=None,
                           report_url=report_url)


@bp.get("/public/results")
def results_page():
    """Published results of random inspections (一公开), newest first."""
    from server.public.results_api import published
    region = request.args.get("region", "")
    region = region if region.isdigit() and 2 <= len(region) <= 6 else None
    number = page_no()
    return render_template("public_results.html", results=published(region, number, 50), page=number)
