"""The console's 一公开 pages: results of random checks due for publication, their deadlines, late ones, publish."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.plans import ResultRequestSchema
from server import audit
from server.console.views import page_no, staff_only
from server.db import registry
from server.errors import ApiError
from server.hazards.service import today
from server.plans import console_sources, publication
from server.plans.access import audit_db, load_plan, load_task, may_see_plan
from server.registry.store import page as mango_page
from sync.couch import Conflict

bp = Blueprint("plans_publication", __name__)
PER_PAGE = 30
OPEN = ["dispatched", "done"]
MAX_PLANS = 200


def due(task: dict, plan: dict) -> date | None:
    """The publication deadline, or None when it cannot be counted (e.g. a year the holiday calendar does
    not know yet): the page then says "unknown" instead of failing."""
    try:
        return publication.due_date(task, plan)
    except (Problem, ValueError, KeyError):
        return None


def rows(tasks: list[dict], plans: dict[str, dict], on: date) -> list[dict]:
    """Each task with its deadline, whether that was counted on a year without the holiday notice (暂定),
    and whether it is late."""
    out = []
    for task in tasks:
        plan = plans[task["plan"]]
        try:
            counted = publication.due(task, plan)
            deadline, provisional = counted.day, counted.provisional
        except (Problem, ValueError, KeyError):
            deadline, provisional = None, False
        late = task.get("published_late") if task["status"] == "published" else bool(deadline and deadline < on)
        out.append({"task": task, "plan": plan, "due": deadline, "due_provisional": provisional, "late": late})
    return out


def my_dispatched_plans() -> dict[str, dict]:
    """Dispatched plans the user wrote or approves (admins: all), at most MAX_PLANS."""
    found = registry().find({"type": "plan", "status": "dispatched"}, limit=MAX_PLANS)
    return {p["_id"]: p for p in found if may_see_plan(g.user, p)}


@bp.get("/console/publications")
def publications():
    """Results due across my dispatched plans (random part only), oldest window first; `late=1`: overdue."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    plans = my_dispatched_plans()
    number = page_no()
    selector = {"type": "task", "plan": {"$in": sorted(plans)}, "status": {"$in": OPEN}, "random": True}
    result = mango_page(registry(), selector, max(number, 1), PER_PAGE) if plans else \
        {"items": [], "page": 1, "per_page": PER_PAGE, "has_more": False}
    on = today()
    result["items"] = rows(result["items"], plans, on)
    if request.args.get("late") == "1":
        result["items"] = [r for r in result["items"] if r["late"]]
    audit.append(audit_db(), g.user["username"], "plan.publications", "console", {"page": result["page"]})
    return render_template("plans/publications.html", result=result, plan=None, today=on,
                           late_only=request.args.get("late") == "1")


@bp.get("/console/plans/<key>/publication")
def plan_publication(key, error=None, errors=None, status=200):
    """One plan's tasks and results: due dates, late ones marked, a form to record and publish each result."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        plan = load_plan(key, "plan.publication")
    except ApiError:
        abort(404)
    number = page_no()
    result = mango_page(registry(), {"type": "task", "plan": plan["_id"],
                                     "status": {"$in": OPEN + ["published"]}}, max(number, 1), PER_PAGE)
    on = today()
    result["items"] = rows(result["items"], {plan["_id"]: plan}, on)
    sources = console_sources.by_task([r["task"]["_id"] for r in result["items"]
                                       if r["task"]["status"] in OPEN])
    return render_template("plans/publications.html", result=result, plan=plan, key=key, today=on, sources=sources,
                           error=error, errors=errors or {}, form=request.form,
                           done=request.args.get("done")), status


@bp.post("/console/tasks/<key>/result")
def publish(key):
    """Record a task's result from its filed, approved inspection (the confirmation shows the figures it
    will publish) or as a check that did not take place (date and reason); a random check's result is
    published at once. The API's own schema and function decide, so the console cannot publish what the
    API refuses."""
    from server.plans.console_actions import call_api
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    plan_key = key.split(":", 1)[0]
    if len(key) > 40:
        abort(404)
    try:
        data = ResultRequestSchema().load(console_sources.body(request.form))
        if request.form.get("confirmed") != "yes":
            task, plan = load_task(key)
            if not may_see_plan(g.user, plan):
                abort(404)
            return render_template("plans/confirm.html", action="publish", key=key,
                                   fields=console_sources.preview(task, data), target=request.path,
                                   back=url_for("plans_publication.plan_publication", key=plan_key))
        call_api("tasks.result", data, key)
    except ValidationError as exc:
        return plan_publication(plan_key, t("error.validation"), translate_errors(exc.messages), 422)
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return plan_publication(plan_key, exc.message or t("pc.refused"), exc.errors, exc.status)
    except Problem as exc:
        return plan_publication(plan_key, exc.message(), None, 422)
    except Conflict:
        return plan_publication(plan_key, t("error.conflict"), None, 409)
    return redirect(url_for("plans_publication.plan_publication", key=plan_key, done="published"))
