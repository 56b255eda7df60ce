"""Console pages of the hazard loop: the register (隐患台账) with filters and export, and a case with its actions."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.hazards import CloseSchema, FiveInPlaceSchema, RectifySchema, RegisterArgs, ReinspectionSchema, ReorderSchema
from server.accounts import roles
from server.console.views import staff_only
from server.db import registry
from server.errors import ApiError
from server.hazards import loop, orders, photos, register, reinspection, service
from server.registry.store import scope_selector
from server.review.console import form_args, whole as _whole

bp = Blueprint("hazards_console", __name__)
ACTIONS = ("five_in_place", "order", "rectify", "reinspection", "close")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/console/hazards")
def register_page():
    """The hazard register in the supervisor's region: filters, pages, export, what was escalated to them."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    args, errors = form_args(RegisterArgs, request.args)
    scope, today = roles.scope_prefix(g.user), service.today()
    try:
        page = register.register_page(service.records(), args, scope, today)
    except Problem as exc:
        args, errors = form_args(RegisterArgs, {})[0], {"cursor": [exc.message()]}
        page = register.register_page(service.records(), args, scope, today)
    mine = register.register_page(service.records(), {**form_args(RegisterArgs, {})[0], "limit": 1,
                                                      "escalated_to": g.user["region"]}, scope, today)
    export_query = {k: v for k, v in request.args.items() if k not in ("cursor", "limit") and v != ""}
    return render_template("hazards.html", page=page, args=args, errors=errors, escalated_to_me=bool(mine["items"]),
                           export_query=export_query, states=loop.STATES)


def qualified_inspectors(case: dict) -> list[dict]:
    """Active inspectors of the supervisor's region qualified for the sector, without an avoidance here."""
    found = registry().find({"type": "inspector", "region": scope_selector(roles.scope_prefix(g.user), None)},
                            limit=500)
    return sorted((p for p in found if p.get("active", True) and p.get("kind", "inspector") == "inspector"
                   and case.get("sector") in p.get("sectors", [])
                   and not any(a.get("uscc") == case["enterprise"] for a in p.get("avoid", []))),
                  key=lambda p: p.get("name", ""))


def case_context(case: dict) -> dict:
    task = registry().get_or_none(case["reinspection_task"]) if case.get("reinspection_task") else None
    order = service.records().get_or_none(case["order"]) if case.get("order") else None
    # a self-reported hazard (source "self_report") was found by no inspection
    inspection = (service.records().get_or_none(case["inspection"]) if case.get("inspection") else None) or {}
    shown = list(case.get("photos") or []) + list((case.get("rectification") or {}).get("photos") or [])
    numbers = {o["_id"]: o.get("number", "") for o in service.records().docs_by_id(case.get("orders") or []).values()}
    return {"case": case, "key": case["_id"].split(":", 1)[1], "task": task, "order": order,
            "names": actor_names(case), "order_numbers": numbers,
            "inspection": inspection, "filed_photos": set(service.records().docs_by_id(shown)),
            "overdue": loop.is_overdue(case, service.today()), "last_result": loop.last_result(case),
            "inspectors": qualified_inspectors(case) if case["state"] == "rectified" and not task else [],
            "order_days": orders.default_days(case, service.today()), "deadline_note": service.deadline_note(case)}


def actor_names(case: dict) -> dict[str, str]:
    """Who did each step, by name: inspectors from the register, supervisors from their accounts."""
    actors = {h.get("by") for h in case.get("history", []) if isinstance(h.get("by"), str)}
    people = registry().docs_by_id(sorted(a for a in actors if a.startswith("inspector:")))
    users = registry().docs_by_id(sorted(f"user:{a}" for a in actors if ":" not in a))
    names = {pid: doc.get("name", pid) for pid, doc in people.items()}
    names.update({doc["username"]: doc.get("display_name") or doc["username"] for doc in users.values()})
    return names


@bp.get("/console/hazards/<key>")
def case_page(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        case = service.load_case(g.user, key)
    except ApiError:
        abort(404)
    return render_template("hazard.html", **case_context(case), done=request.args.get("done"))


def _run(action: str, key: str):
    """One loop action from its form; returns the error to show, or None."""
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if action == "five_in_place":
        service.five_in_place(g.user, key, FiveInPlaceSchema().load(form))
    elif action == "order":
        orders.reorder(g.user, key, ReorderSchema().load({"days": _whole(form.get("days", ""))})["days"])
    elif action == "rectify":
        uploads = [f for f in request.files.getlist("photos") if f and f.filename]
        ids = [photos.add_rectification_photo(g.user, key, f.read(photos.MAX_PHOTO_BYTES + 1))["_id"] for f in uploads]
        data = RectifySchema().load({"text": form.get("text", ""), "photos": ids})
        service.rectify(g.user, key, data["text"], data["photos"])
    elif action == "reinspection":
        data = ReinspectionSchema().load({"cases": [key], "inspectors": request.form.getlist("inspectors"),
                                          "window_days": _whole(form.get("window_days", "14"))})
        reinspection.schedule(g.user, data["cases"], data["inspectors"], data["window_days"])
    elif action == "close":
        service.close(g.user, key, CloseSchema().load({"note": form.get("note", "")})["note"])


@bp.post("/console/hazards/<key>/<action>")
def case_action(key, action):
    """The forms of the case page; on success back to the page, on a refusal the page with the reason."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if action not in ACTIONS:
        abort(404)
    try:
        service.load_case(g.user, key, write=True)   # out of scope: 404, before anything else is looked at
    except ApiError as exc:
        abort(exc.status)
    try:
        _run(action, key)
    except ValidationError as exc:
        return _rerender(key, t("error.validation"), translate_errors(exc.messages), 422)
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return _rerender(key, exc.message, exc.errors, exc.status)
    return redirect(url_for("hazards_console.case_page", key=key, done=action))


def _rerender(key: str, message: str, errors, status: int):
    try:
        case = service.load_case(g.user, key)
    except ApiError:
        abort(status if status in (403, 404) else 404)
    return render_template("hazard.html", **case_context(case), error=message, errors=errors or {},
                           form=request.form), status
