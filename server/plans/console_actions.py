"""The console's plan actions (draw, approve, re-draw, dispatch, cancel and reassign a task), each confirmed first.

The actions run the API's own view functions, undecorated (`call_api`): the console adds a form, a
confirmation step and a page, never a second copy of the rules (who may, in which state, what is audited).
An irreversible action asks first on a plain confirmation page (no script, so it works under the CSP);
only a form sent back with `confirmed=yes` acts.
"""
from __future__ import annotations

import inspect

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.plans import RedrawRequestSchema
from server.console.views import staff_only
from server.errors import ApiError
from server.db import registry
from server.plans import draw_view, plans_api, tasks_api
from server.plans.access import load_task, may_see_plan
from sync.couch import Conflict

bp = Blueprint("plans_actions", __name__)
API = {"plans.create": plans_api.create, "plans.draw": plans_api.draw_plan, "plans.approve": plans_api.approve,
       "plans.redraw_request": plans_api.request_redraw, "plans.redraw": plans_api.confirm_redraw,
       "plans.dispatch": plans_api.dispatch, "tasks.cancel": tasks_api.cancel, "tasks.reassign": tasks_api.reassign,
       "tasks.result": tasks_api.record_result}
KEY_MAX = 40


def call_api(name: str, *args):
    """Run an API view's body as the signed-in user (roles are checked by the console page before)."""
    return inspect.unwrap(API[name])(*args)


def _plan_key(key: str) -> str:
    return key.split(":", 1)[0]


def _confirmed(action: str, key: str, fields: dict):
    """None once the user confirmed; otherwise the confirmation page to show."""
    if request.form.get("confirmed") == "yes":
        return None
    return render_template("plans/confirm.html", action=action, key=key, fields=fields,
                           back=url_for("plans_console.plan_page", key=_plan_key(key)),
                           target=request.path)


def _failed(key: str, message: str, errors=None, status: int = 422):
    """The plan page again, with what was refused and why."""
    from server.plans.console import render_plan
    return render_plan(_plan_key(key), error=message, errors=errors or {}), status


def _act(key: str, action: str, run, fields: dict | None = None):
    """Check the caller, ask for confirmation, run the action, then show the plan with what happened."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if not key or len(key) > KEY_MAX:
        abort(404)
    if (asked := _confirmed(action, key, fields or {})) is not None:
        return asked
    try:
        run()
    except ValidationError as exc:
        return _failed(key, t("error.validation"), translate_errors(exc.messages))
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return _failed(key, exc.message or t("pc.refused"), exc.errors, exc.status)
    except Problem as exc:              # a rule of a pure core (e.g. a deadline the calendar cannot count)
        return _failed(key, exc.message(), None, 422)
    except Conflict:                    # someone else changed the plan at the same moment: show it as it is now
        return _failed(key, t("error.conflict"), None, 409)
    return redirect(url_for("plans_console.plan_page", key=_plan_key(key), done=action))


@bp.post("/console/plans/<key>/draw")
def draw(key):
    return _act(key, "draw", lambda: call_api("plans.draw", key))


@bp.post("/console/plans/<key>/approve")
def approve(key):
    return _act(key, "approve", lambda: call_api("plans.approve", key))


@bp.post("/console/plans/<key>/redraw-request")
def redraw_request(key):
    reason = (request.form.get("reason") or "")[:2000]
    return _act(key, "redraw_request",
                lambda: call_api("plans.redraw_request", RedrawRequestSchema().load({"reason": reason}), key),
                {"reason": reason})


@bp.post("/console/plans/<key>/redraw")
def redraw(key):
    return _act(key, "redraw", lambda: call_api("plans.redraw", key))


@bp.post("/console/plans/<key>/dispatch")
def dispatch(key):
    return _act(key, "dispatch", lambda: call_api("plans.dispatch", key))


@bp.get("/console/tasks/<key>")
def task_page(key):
    """One task of a plan the user manages: its team, and the forms to reassign or cancel it."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        task, plan = load_task(key) if len(key) <= KEY_MAX else (None, None)
    except ApiError:
        abort(404)
    if task is None or not may_see_plan(g.user, plan):
        abort(404)
    asked = (task.get("reassign_request") or {}).get("inspectors") or []
    people = registry().docs_by_id(sorted(set(task["inspectors"] + task["experts"] + asked)))
    return render_template("plans/task.html", task=task, plan=plan, key=key, people=people,
                           candidates=draw_view.candidates(plan, task),
                           asked_names=[people.get(p, {}).get("name", p) for p in asked])


@bp.post("/console/tasks/<key>/cancel")
def cancel(key):
    reason = (request.form.get("reason") or "")[:2000]
    return _act(key, "cancel", lambda: call_api("tasks.cancel", tasks_api.CancelSchema().load({"reason": reason}), key),
                {"reason": reason})


@bp.post("/console/tasks/<key>/reassign")
def reassign(key):
    reason = (request.form.get("reason") or "")[:2000]
    people = [p[:40] for p in request.form.getlist("inspectors")[:20]]
    body = {"reason": reason, "inspectors": people}
    return _act(key, "reassign", lambda: call_api("tasks.reassign", tasks_api.ReassignSchema().load(body), key),
                {"reason": reason, "inspectors": people, "names": _names(people)})


def _names(ids: list[str]) -> list[str]:
    found = registry().docs_by_id(sorted(set(ids))) if ids else {}
    return [found.get(i, {}).get("name", i) for i in ids]
