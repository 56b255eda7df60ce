"""API of the hazard loop: the register (隐患台账) and its export, one case, the loop's actions, orders."""
from __future__ import annotations

from flask import Response, g, request
from flask_smorest import Blueprint
from marshmallow import RAISE

from i18n import Problem, t
from schemas.hazards import (CaseOutSchema, CloseSchema, ExportArgs, FiveInPlaceSchema, OrderOutSchema,
                             OrderSchema, PhotoRefSchema, RectifySchema, RegisterArgs, RegisterPageSchema, ReinspectionSchema,
                             ReorderSchema, TaskRefSchema)
from server import audit
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import database
from server.errors import ApiError
from server.hazards import orders, photos, register, reinspection, service
from server.hazards.loop import is_overdue

blp = Blueprint("hazards", __name__, url_prefix="/api/v1/hazards", description="Hazard register and closed loop")
orders_blp = Blueprint("orders", __name__, url_prefix="/api/v1/orders", description="Rectification orders")
MIME = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def case_out(case: dict) -> dict:
    return {**case, "id": case["_id"].split(":", 1)[1], "overdue": is_overdue(case, service.today()),
            "deadline_provisional": bool(case.get("deadline_provisional")),
            "deadline_note": service.deadline_note(case)}


def listed(args: dict) -> dict:
    try:
        return register.register_page(service.records(), args, roles.scope_prefix(current_user()), service.today())
    except Problem as exc:
        raise ApiError("validation", message=exc.message(), errors={"cursor": [exc.message()]}) from None


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(RegisterArgs, location="query", unknown=RAISE)
@blp.response(200, RegisterPageSchema)
def list_hazards(args):
    """The hazard register in the caller's region, filtered, paged by cursor."""
    return listed(args)


def export_file(args: dict) -> Response:
    user, locale = current_user(), g.get("locale", "zh_CN")
    body, count = register.export(service.records(), args, roles.scope_prefix(user), service.today(),
                                  args["format"], locale)
    audit.append(database("audit"), user["username"], "hazard.export", "hazards",
                 {"rows": count, "format": args["format"],
                  "filters": {k: str(v) for k, v in args.items() if v is not None and k not in ("format", "lang")}})
    name = f"hazards-{service.today().isoformat()}.{args['format']}"
    return Response(body, headers={"Content-Type": MIME[args["format"]],
                                   "Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/export", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(ExportArgs, location="query", unknown=RAISE)
def export(args):
    """The register under the same filters as a CSV or XLSX file (cells that could run as formulas neutralised)."""
    return export_file(args)


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, CaseOutSchema)
def get_case(key):
    """One hazard case with its whole history."""
    return case_out(service.load_case(current_user(), key))


@blp.route("/<string:key>/five_in_place", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(FiveInPlaceSchema)
@blp.response(200, CaseOutSchema)
def five_in_place(data, key):
    """Record the five in place (五到位); required before a major hazard is ordered."""
    return case_out(service.five_in_place(current_user(), key, data))


@blp.route("/<string:key>/rectify", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(RectifySchema)
@blp.response(200, CaseOutSchema)
def rectify(data, key):
    """Record the rectification with its evidence (text, photos uploaded to /photos first)."""
    return case_out(service.rectify(current_user(), key, data["text"], data["photos"]))


@blp.route("/<string:key>/photos", methods=["POST"])
@require(*roles.STAFF)
@blp.response(201, PhotoRefSchema)
def upload_photo(key):
    """Upload one JPEG (form field `photo`) as rectification evidence; answers its id (photo:…)."""
    upload = request.files.get("photo")
    if upload is None:
        raise ApiError("validation", errors={"photo": [t("hazard.photo_missing")]})
    return photos.add_rectification_photo(current_user(), key, upload.read(photos.MAX_PHOTO_BYTES + 1))


@blp.route("/<string:key>/reinspection", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ReinspectionSchema)
@blp.response(201, TaskRefSchema)
def schedule_reinspection(data, key):
    """A re-inspection task (复查) for this and other rectified cases of the enterprise, dispatched at once."""
    keys = [key] + [k for k in data["cases"] if k != key]
    return reinspection.schedule(current_user(), keys, data["inspectors"], data["window_days"])


@blp.route("/<string:key>/order", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ReorderSchema)
@blp.response(201, OrderOutSchema)
def order_one(data, key):
    """An order for this one case (found, or after a failed re-inspection), deadline in working days."""
    return orders.reorder(current_user(), key, data["days"])


@blp.route("/<string:key>/close", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(CloseSchema)
@blp.response(200, CaseOutSchema)
def close(data, key):
    """销号: after a passed re-inspection (a general hazard may close on its rectification evidence)."""
    return case_out(service.close(current_user(), key, data["note"]))


@orders_blp.route("", methods=["POST"])
@require(*roles.STAFF)
@orders_blp.arguments(OrderSchema)
@orders_blp.response(201, OrderOutSchema)
def issue_order(data):
    """Issue a rectification order (责令限期整改指令书) for hazards of an approved inspection."""
    return orders.issue(current_user(), data)


@orders_blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@orders_blp.response(200, OrderOutSchema)
def get_order(key):
    """One rectification order."""
    return orders.load_order(current_user(), key)
