"""QR code downloads for a site (PNG, SVG) and the printable A4 sheet per enterprise; staff in scope only."""
from __future__ import annotations

from flask import Response, current_app, g
from flask_smorest import Blueprint

from i18n import Problem
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.qr import render, signing
from server.registry import store

blp = Blueprint("qr", __name__, url_prefix="/api/v1/qr", description="Signed site QR codes")


def site_url(site_id: str) -> str:
    keys = signing.parse_keys(current_app.config["QR_KEYS"])
    return signing.qr_url(current_app.config["PUBLIC_BASE_URL"], site_id, keys, current_app.config["QR_ACTIVE_KEY"])


def _site_in_scope(token: str) -> dict:
    try:
        site_id = signing.site_id_from_token(token)
    except Problem:
        raise ApiError("not_found") from None
    site = registry().get_or_none(site_id)
    if not site or site.get("type") != "site" or not roles.in_scope(current_user(), site["region"]):
        raise ApiError("not_found")
    return site


@blp.route("/sites/<string:token>.png", methods=["GET"])
@require(*roles.STAFF)
def site_png(token):
    """The site's QR code as PNG."""
    site = _site_in_scope(token)
    return Response(render.qr_png(site_url(site["_id"])), mimetype="image/png",
                    headers={"Content-Disposition": f'inline; filename="{token}.png"'})


@blp.route("/sites/<string:token>.svg", methods=["GET"])
@require(*roles.STAFF)
def site_svg(token):
    """The site's QR code as SVG."""
    site = _site_in_scope(token)
    return Response(render.qr_svg(site_url(site["_id"])), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'inline; filename="{token}.svg"'})


@blp.route("/enterprises/<string:uscc>/sheet", methods=["GET"])
@require(*roles.STAFF)
def enterprise_sheet(uscc):
    """A printable A4 sheet with the QR code of each of the enterprise's sites."""
    doc = registry().get_or_none(store.enterprise_id(uscc)) if len(uscc) == 18 else None
    if not doc or doc.get("type") != "enterprise" or not roles.in_scope(current_user(), doc["region"]):
        raise ApiError("not_found")
    sites = store.sites_of(registry(), uscc)
    urls = {s["_id"]: site_url(s["_id"]) for s in sites}
    html = render.a4_sheet_html(doc, sites, urls, g.get("locale", "zh_CN"))
    return Response(html, mimetype="text/html")
