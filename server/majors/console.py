"""Console pages of the major-hazard database: the list, a case's 督办 and measures, and uploaded documents."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.majors import LEVELS, MEASURES, LiftSchema, MajorsArgs, MeasureSchema, SuperviseSchema
from server.accounts import roles
from server.console.views import staff_only
from server.errors import ApiError
from server.hazards import loop
from server.hazards import service as hazards
from server.hazards.console import actor_names
from server.majors import listing, rules, service
from server.review.console import form_args

bp = Blueprint("majors_console", __name__)
ACTIONS = ("supervise", "lift", "measure")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/console/majors")
def list_page():
    """Every major hazard in the supervisor's region: source, grade, state, 督办 level; filters and pages."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    args, errors = form_args(MajorsArgs, request.args)
    scope, today = roles.scope_prefix(g.user), hazards.today()
    try:
        page = listing.page(hazards.records(), args, scope, today)
    except Problem as exc:
        args, errors = form_args(MajorsArgs, {})[0], {"cursor": [exc.message()]}
        page = listing.page(hazards.records(), args, scope, today)
    export_query = {k: v for k, v in request.args.items()
                    if k in ("state", "source", "region", "sector") and v != ""}
    return render_template("majors/list.html", page=page, args=args, errors=errors, states=loop.STATES,
                           levels=LEVELS, export_query=export_query), 422 if errors else 200


def _context(case: dict) -> dict:
    documents = sorted({e["file"] for e in case.get("escalations") or [] if e.get("file")})
    people = [*(case.get("history") or []), {"by": case.get("found_by")}]
    return {"case": case, "key": case["_id"].split(":", 1)[1], "names": actor_names({"history": people}),
            "listing": rules.listing(case), "levels": [lv for lv in LEVELS if rules.may_list_at(g.user, lv)],
            "measures": MEASURES, "today": hazards.today().isoformat(),
            "files": {d: d.split(":", 1)[1] for d in documents}}


@bp.get("/console/majors/<key>")
def case_page(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        case = hazards.load_case(g.user, key)
    except ApiError:
        abort(404)
    if case.get("grade") != "major":
        abort(404)   # the database holds major hazards only; a general one lives in the register
    return render_template("majors/case.html", **_context(case), done=request.args.get("done"))


def _upload() -> tuple[bytes, str] | None:
    file = request.files.get("file")
    if not file or not file.filename:
        return None
    return file.read(service.MAX_PDF_BYTES + 1), file.filename


def _run(action: str, key: str) -> None:
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if action == "supervise":
        data = SuperviseSchema().load(form)
        service.supervise(g.user, key, data["level"], data["number"], data["text"], data["deadline"])
    elif action == "lift":
        service.lift(g.user, key, LiftSchema().load(form)["note"])
    else:
        service.record_measure(g.user, key, MeasureSchema().load(form), _upload())


@bp.post("/console/majors/<key>/<action>")
def case_action(key, action):
    """The forms of the case page: on success back to it, on a refusal the page with the reason."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if action not in ACTIONS:
        abort(404)
    try:
        case = hazards.load_case(g.user, key, write=True)   # out of scope: 404 before anything is looked at
    except ApiError as exc:
        abort(exc.status)
    try:
        _run(action, key)
    except ValidationError as exc:
        return _rerender(case, t("error.validation"), translate_errors(exc.messages), 422)
    except ApiError as exc:
        return _rerender(key, exc.message, exc.errors, exc.status)
    return redirect(url_for("majors_console.case_page", key=key, done=action))


def _rerender(case_or_key, message: str, errors, status: int):
    try:
        case = case_or_key if isinstance(case_or_key, dict) else hazards.load_case(g.user, case_or_key)
    except ApiError:
        abort(404)   # gone meanwhile: nothing to show the refusal on
    return render_template("majors/case.html", **_context(case), error=message, errors=errors or {},
                           form=request.form, failed=request.view_args.get("action")), status


@bp.get("/console/majors/files/<key>.pdf")
def document(key):
    """An uploaded 督办 or measure document, for staff whose region covers its case."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        doc, body = service.load_document(g.user, key)
    except ApiError:
        abort(404)
    return Response(body, headers={"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff",
                                   "Content-Disposition": f'inline; filename="{key}.pdf"'})
