"""系统状态 → 节假日安排: how far the official calendar reaches, the notices entered, and the form where an
admin enters a year's notice (holidays and make-up working days), which recounts provisional deadlines."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.calendar import NoticeSchema
from schemas.common import translate_errors
from server import audit, clock
from server.accounts import roles
from server.calendar import notices, recount
from server.console.views import staff_only
from server.db import database, registry
from server.health import calendar_status

bp = Blueprint("calendar_console", __name__)
RECOUNT_BUDGET_S = 3.0   # a save recounts what it can in this time; the rest by the button or the command
PENDING_SHOWN = 1000     # the count of provisional deadlines is exact up to this many


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _context(**extra) -> dict:
    pending = recount.provisional_cases(database("records"), limit=PENDING_SHOWN + 1)
    return {"calendar": calendar_status(detail=True), "notices": notices.list_notices(registry()),
            "pending": min(len(pending), PENDING_SHOWN), "pending_more": len(pending) > PENDING_SHOWN,
            "may_edit": g.user["role"] == roles.ADMIN, "first_year": notices.first_open_year(),
            "form": {}, "errors": {}, "done": request.args.get("done"), **extra}


@bp.get("/console/status/calendar")
def notices_page():
    """The calendar's reach and the notices entered; the entry form for an admin."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return render_template("calendar_notices.html", **_context(result=_result_args()))


def _result_args() -> dict | None:
    if request.args.get("done") not in ("saved", "recounted"):
        return None
    return {k: request.args.get(k, "") for k in ("year", "changed", "orders", "more")}


def _admin_only():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if g.user["role"] != roles.ADMIN:
        abort(403)
    return None


def _recount_args() -> dict:
    done = recount.recount(database("records"), database("audit"), g.user["username"], budget_s=RECOUNT_BUDGET_S)
    return {"changed": done["changed"], "orders": done["orders"], "more": "1" if done["next"] else ""}


@bp.post("/console/status/calendar")
def save_notice():
    """Check and store the year's notice, audited; then recount the provisional deadlines it settles."""
    if (refused := _admin_only()) is not None:
        return refused
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data = NoticeSchema().load(form)
        doc = notices.save_notice(registry(), database("audit"), g.user["username"], data, clock.today())
    except ValidationError as exc:
        return _again(form, t("error.validation"), translate_errors(exc.messages))
    except Problem as exc:
        return _again(form, exc.message(), {})
    return redirect(url_for("calendar_console.notices_page", done="saved", year=doc["year"], **_recount_args()))


@bp.post("/console/status/calendar/recount")
def recount_now():
    """Recount provisional deadlines (another page of them, or those a parallel save left)."""
    if (refused := _admin_only()) is not None:
        return refused
    args = _recount_args()
    if not args["changed"]:     # each page that changed deadlines is audited by the recount; a run that found none is too
        audit.append(database("audit"), g.user["username"], "calendar.recount", "hazards", {"cases": 0, "orders": 0})
    return redirect(url_for("calendar_console.notices_page", done="recounted", **args))


def _again(form: dict, message: str, errors: dict):
    return render_template("calendar_notices.html", **{**_context(result=None), "form": form, "error": message,
                                                       "errors": errors}), 422
