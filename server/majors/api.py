"""API of the major-hazard database: the list, its statistics, 挂牌督办 and its lifting, escalation measures.

The same rules and service as the console (server/majors/console.py); a measure's document comes as text
here (a PDF is uploaded on the console's form).
"""
from __future__ import annotations

from flask import g, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE

from i18n import Problem
from schemas.hazards import CaseOutSchema, RegisterPageSchema
from schemas.majors import LiftSchema, MajorsArgs, MajorsStatsArgs, MeasureSchema, SuperviseSchema
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.errors import ApiError
from server.hazards import service as hazards
from server.hazards.api import case_out
from server.majors import listing, service, stats
from server.stats import scope as sc

blp = Blueprint("majors", __name__, url_prefix="/api/v1/majors",
                description="Major-hazard database (重大事故隐患): 挂牌督办, 函告/通报/约谈/曝光, statistics")


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(MajorsArgs, location="query", unknown=RAISE)
@blp.response(200, RegisterPageSchema)
def list_majors(args):
    """Every major hazard in the caller's region, newest first; filters: state, source, level, region, sector."""
    try:
        return listing.page(hazards.records(), args, roles.scope_prefix(current_user()), hazards.today())
    except Problem as exc:
        raise ApiError("validation", message=exc.message(), errors={"cursor": [exc.message()]}) from None


@blp.route("/stats", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(MajorsStatsArgs, location="query", unknown=RAISE)
def majors_stats(args):
    """Major hazards of a year by source, region, sector and 督办 level, each by state; all hazards by source."""
    scope = sc.resolve(current_user(), args.get("region"))
    if scope is None:
        raise ApiError("not_found")
    year = args.get("year") or hazards.today().year
    return jsonify(stats.build(hazards.records(), scope, year, g.get("locale", "zh_CN")))


@blp.route("/<string:key>/supervision", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(SuperviseSchema)
@blp.response(200, CaseOutSchema)
def supervise(data, key):
    """List the major hazard for supervision (挂牌督办) at a level no higher than the caller's region's."""
    return case_out(service.supervise(current_user(), key, data["level"], data["number"], data["text"],
                                      data["deadline"]))


@blp.route("/<string:key>/lift", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(LiftSchema)
@blp.response(200, CaseOutSchema)
def lift(data, key):
    """Lift the supervision (督办销号); only once the case is closed."""
    return case_out(service.lift(current_user(), key, data["note"]))


@blp.route("/<string:key>/measures", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(MeasureSchema)
@blp.response(201, CaseOutSchema)
def record_measure(data, key):
    """Record a 函告, 通报, 约谈 or 曝光 with its date and document (number, title, text)."""
    return case_out(service.record_measure(current_user(), key, data, None))
