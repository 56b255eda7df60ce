"""The major-hazard statistics page and its CSV/XLSX export, and the optional public list of cases under
挂牌督办 (/public/majors, only when the setting PUBLIC_MAJORS_LIST is on)."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, g, render_template, request
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.majors import FORMATS, MajorsStatsArgs, PublicArgs
from server import audit_trail
from server.console.views import staff_only
from server.hazards import service as hazards
from server.majors import listing, stats
from server.registry import tabular
from server.registry.imports_api import MIME
from server.stats import report, scope as sc
from server.stats.page import region_choices

bp = Blueprint("majors_pages", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _built():
    """The statistics for the query's region and year; (None, errors) on a malformed query; 404 outside."""
    try:
        args = MajorsStatsArgs().load({k: v for k, v in request.args.items() if v != "" and k != "format"})
    except ValidationError as exc:
        return None, translate_errors(exc.messages)
    scope = sc.resolve(g.user, args.get("region"))
    if scope is None:
        abort(404)   # a region outside one's scope answers like an unknown one
    year = args.get("year") or hazards.today().year
    return stats.build(hazards.records(), scope, year, g.get("locale", "zh_CN")), None


@bp.get("/console/majors/stats")
def stats_page():
    """Major hazards by source, region, sector, 督办 level and state; all hazards by source."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    built, errors = _built()
    query = {k: v for k, v in request.args.items() if k in ("year", "region") and v != ""}
    current = built["region"] if built else None
    return render_template("majors/stats.html", built=built, errors=errors, query=query, formats=FORMATS,
                           regions=region_choices(g.user, current)), 422 if errors else 200


@bp.get("/console/majors/stats.<fmt>")
def stats_export(fmt):
    """The same tables as one CSV or XLSX sheet (a few hundred lines at most: counts, not cases)."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if fmt not in FORMATS:
        abort(404)
    built, errors = _built()
    if errors:
        return render_template("majors/stats.html", built=None, errors=errors, query={}, formats=FORMATS,
                               regions=region_choices(g.user, None)), 422
    locale = g.get("locale", "zh_CN")
    header, rows = stats.grid(built, locale)
    body = tabular.write_grid(header, rows, fmt, t("majors.stats.sheet", locale))
    audit_trail.record("major.export", "majors", {"format": fmt, "year": built["year"], "region": built["region"]})
    name = f"major-hazards-{built['year']}-{built['region'] or 'all'}.{fmt}"
    return Response(body, headers={"Content-Disposition": f'attachment; filename="{name}"', "Content-Type": MIME[fmt]})


@bp.get("/public/majors")
def public_list():
    """Open major hazards under 挂牌督办, for the public: only when the bureau has turned the list on."""
    if not current_app.config.get("PUBLIC_MAJORS_LIST"):
        abort(404)
    try:
        args = PublicArgs().load({k: v for k, v in request.args.items() if k in ("cursor", "lang")})
        items, nxt = listing.public_page(hazards.records(), args.get("cursor"), hazards.today())
    except (ValidationError, Problem):
        return render_template("majors/public.html", items=[], next=None, bad=True), 400
    names = report.region_labels("", {i["region"] for i in items})
    return render_template("majors/public.html", items=items, next=nxt, names=names, bad=False)
