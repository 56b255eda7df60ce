"""Console page /console/stats: filters, tables, server-drawn SVG charts and the three downloads."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import t
from schemas.common import translate_errors
from schemas.stats import FORMATS, GROUPS, PERIODS, StatsArgs
from server.accounts import roles
from server.errors import ApiError
from server.stats import charts, report, scope as sc

bp = Blueprint("stats_page", __name__)
CHART_ROWS = 30  # a chart of 300 inspectors is unreadable; the table and the downloads have them all


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def period_label(period: str, n: int) -> str:
    return t(f"stats.{period}_n", n=n)


def row_charts(built: dict) -> list:
    rows = built["rows"][:CHART_ROWS]
    shown = [(r["label"], r) for r in rows]
    made = [charts.bars(t("stats.chart.inspections_by", group=t(f"stats.group.{built['group']}")), shown,
                        [("inspections", t("stats.col.inspections"))], css="bars inspections")]
    if built["group"] != "inspector":
        made.append(charts.bars(t("stats.chart.hazards_by", group=t(f"stats.group.{built['group']}")), shown,
                                [("general", t("stats.col.general")), ("major", t("stats.col.major"))],
                                css="bars hazards"))
    return made


def period_chart(built: dict):
    cells = built["total"]["by_period"]
    labels = [period_label(built["period"], c["period"]) for c in cells]
    values = {name: [c[name] for c in cells] for name in ("inspections", "general", "major")}
    if built["group"] == "inspector":
        return charts.columns(t("stats.chart.visits_per", period=t(f"stats.period.{built['period']}")), labels,
                              values, [("inspections", t("stats.col.visits"))], css="columns periods")
    series = [("inspections", t("stats.col.inspections")), ("general", t("stats.col.general")),
              ("major", t("stats.col.major"))]
    return charts.columns(t("stats.chart.per", period=t(f"stats.period.{built['period']}")), labels, values,
                          series, rate=(t("stats.col.closure_rate"), [c["closure_rate"] for c in cells]),
                          css="columns periods")


def region_choices(user: dict, current: str | None) -> list[tuple[str, str]]:
    """The caller's own scope, the regions one level below it, and the region being looked at."""
    root = sc.resolve(user, None)
    codes = [root] + [c for c in sc.children(root) if c != root]
    if current and current not in codes:
        codes.append(current)
    labels = report.region_labels("", [c for c in codes if c])
    return [(code, labels.get(code, t("stats.everywhere")) if code else t("stats.everywhere")) for code in codes]


def downloads(args: dict) -> list[tuple[str, str]]:
    query = {k: v for k, v in args.items() if v is not None}
    return [(fmt, url_for("stats.export_stats") + "?" + urlencode({**query, "format": fmt})) for fmt in FORMATS]


def _args() -> tuple[dict, dict | None]:
    raw = {k: v for k, v in request.args.items() if v != "" and k != "lang"}
    try:
        return StatsArgs().load(raw), None
    except ValidationError as exc:
        return {}, translate_errors(exc.messages)


@bp.get("/console/stats")
def stats():
    """Statistics for supervisors (their region and below) and admins."""
    if g.get("user") is None:
        return redirect(url_for("console.login", next=request.path))
    if g.user["role"] not in roles.STAFF:
        abort(403)
    args, errors = _args()
    if errors:
        return render_template("stats.html", errors=errors, args=request.args, built=None,
                               groups=GROUPS, periods=PERIODS, regions=region_choices(g.user, None)), 422
    try:
        built = report.build(g.user, args, g.get("locale", "zh_CN"))
    except ApiError:
        abort(404)
    return render_template("stats.html", errors=None, args=args, built=built, groups=GROUPS, periods=PERIODS,
                           regions=region_choices(g.user, built["region"]), charts=row_charts(built),
                           period_chart=period_chart(built), downloads=downloads(args), period_label=period_label)
