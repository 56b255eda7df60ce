"""API for statistics (统计): figures by region, sector or inspector, per month or quarter, and their export."""
from __future__ import annotations

import json

from flask import Response, g, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE

from i18n import t
from schemas import regions
from schemas.stats import StatsArgs, StatsExportArgs, StatsSchema
from server import audit_trail
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import database
from server.registry import tabular
from server.registry.imports_api import MIME
from server.stats import export, queries, report

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="Statistics (统计): inspections, hazards, closure, overdue, supervision, workload")
GEOJSON_MIME = "application/geo+json"


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(StatsArgs, location="query", unknown=RAISE)
@blp.response(200, StatsSchema)
def get_stats(args):
    """Figures of a year per month or quarter, grouped by the regions below the scope, by sector or by inspector."""
    # Already dumped with StatsSchema, and kept: a Response passes flask-smorest's dump untouched.
    return jsonify(report.build(current_user(), args, g.get("locale", "zh_CN")))


def file_name(args: dict, scope: str | None, year: int, fmt: str) -> str:
    where = scope or "all"
    if fmt == "geojson":
        return f"stats-{year}-{where}.geojson"
    return f"stats-{year}-{where}-{args['group']}-{args['period']}.{fmt}"


@blp.route("/export", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(StatsExportArgs, location="query", unknown=RAISE)
def export_stats(args):
    """The same figures as CSV or XLSX, or the inspected enterprises of the year as GeoJSON (WGS-84)."""
    user, fmt = current_user(), args["format"]
    audit_trail.record("stats.export", "stats", {"format": fmt, **{k: str(v) for k, v in args.items() if k != "format"}})
    if fmt == "geojson":
        scope = report.resolve_scope(user, args.get("region"))
        year = args.get("year") or report.today().year
        rows = queries.map_rows(database("records"), scope, year)
        names = {code: regions.name(code) or code for code in {r["key"][8] for r in rows["sites"]}}
        body = json.dumps(export.geojson(rows, year, scope, names), ensure_ascii=False).encode("utf-8")
        return _file(body, file_name(args, scope, year, fmt), GEOJSON_MIME)
    built = report.build(user, args, g.get("locale", "zh_CN"))
    header, rows = export.grid(built)
    body = tabular.write_grid(header, rows, fmt, t("stats.sheet"))
    return _file(body, file_name(args, built["region"], built["year"], fmt), MIME[fmt])


def _file(body: bytes, filename: str, mime: str) -> Response:
    return Response(body, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                   "Content-Type": mime})
