"""Console pages of the review (审核): the queue, an inspection's page with the decision form, photos, signatures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.hazards import OrderSchema
from schemas.review import QueueArgs, ReviewDecisionSchema
from server.accounts import roles
from server.console.views import staff_only
from server.db import registry
from server.documents import checkin_words, record_items
from server.errors import ApiError
from server.hazards import orders
from server.hazards.photos import photo_response, signature_response
from server.review import queue, service
from server.documents import signed

bp = Blueprint("review_console", __name__)
SHANGHAI = timezone(timedelta(hours=8))
# Record fields a losing version may differ in, each with a label (ui.checkin.field.*): never the raw name.
CONFLICT_FIELDS = ("status", "place", "purpose", "manager", "witness", "signatures", "checkin", "started_at",
                   "finished_at", "experts", "corrects", "task", "checklist")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(local_time, "local_time")


def local_time(value) -> str:
    """An ISO time shown in Asia/Shanghai to the minute; anything else as it is."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "—")
    if moment.tzinfo is None:
        return str(value)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def form_args(schema_cls, source) -> tuple[dict, dict | None]:
    """A filter form's values through its schema; on errors the defaults, and the errors to show."""
    raw = {k: v for k, v in source.items() if v != ""}
    try:
        return schema_cls().load(raw), None
    except ValidationError as exc:
        return schema_cls().load({}), translate_errors(exc.messages)


@bp.get("/console/review")
def review_queue():
    """The queue of submitted inspections in the supervisor's region, with its filters."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    args, errors = form_args(QueueArgs, request.args)
    try:
        page = queue.queue_page(service.records(), args, roles.scope_prefix(g.user))
    except Problem as exc:
        args, errors = form_args(QueueArgs, {})[0], {"cursor": [exc.message()]}
        page = queue.queue_page(service.records(), args, roles.scope_prefix(g.user))
    plans = {p["_id"]: p["name"] for p in registry().docs_by_id(sorted({i["plan"] for i in page["items"]})).values()}
    return render_template("review_queue.html", page=page, args=args, errors=errors, plans=plans,
                           statuses=("pending", "returned", "approved", "rejected", "all"))


def page_context(doc: dict) -> dict:
    """What the inspection page shows beside the record: names, the checklist's words, hazards, reviews."""
    people = registry().docs_by_id(sorted(set(doc.get("team") or []) | {doc["inspector"]}))
    task = registry().get_or_none(doc["task"]) or {}
    plan = registry().get_or_none(doc.get("plan", "")) or {}
    template = registry().get_or_none(doc.get("checklist", "")) or {}
    items = {i["key"]: i for i in template.get("items", [])}
    items.update({h["hazard"]: {"key": h["hazard"], "text": {"zh": h["description"], "en": h["description"]},
                                "basis": "", "major_if_failed": h.get("grade") == "major"}
                  for h in task.get("hazards", [])})
    hazards = service.hazards_of(doc["_id"])
    photo_ids = [p for a in doc.get("answers", []) for p in a.get("photos", [])]
    photo_ids += [p for h in hazards for p in h.get("photos", [])]
    filed = service.records().docs_by_id(photo_ids)
    found = [h for h in hazards if (h.get("case") or {}).get("state") == "found"]
    ordered = {"items": list(items.values())}  # the template's order, then the re-checked hazards
    return {"doc": doc, "people": people, "task": task, "plan": plan, "items": items, "hazards": hazards,
            "answers": record_items.ordered_answers(doc.get("answers"), ordered),
            "conflict_fields": CONFLICT_FIELDS, "evidence": checkin_words.describe(doc.get("checkin"), doc.get("checkin_verdict")),
            "reviews": service.reviews_of(doc["_id"]), "filed_photos": set(filed),
            "conflicts": service.losing_versions(doc, hazards),
            "signcheck": signed.check(doc, hazards, signed.item_labels(template, hazards)),
            "key": doc["_id"].split(":", 1)[1], "found_cases": found,
            "order_rows": orders.order_rows([h["case"] for h in found])}


@bp.get("/console/review/<key>")
def inspection_page(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        doc = service.load_inspection(g.user, key)
    except ApiError:
        abort(404)
    return render_template("review_inspection.html", **page_context(doc), done=request.args.get("done"),
                           issued_order=_issued_order(request.args.get("order_key", "")))


def _issued_order(key: str) -> dict | None:
    """The order just issued (?order_key=), for its PDF link; nothing if unknown or out of scope."""
    try:
        return orders.load_order(g.user, key) if key else None
    except ApiError:
        return None


def _writable(key: str) -> None:
    """Out of scope: 403 before the form is looked at; unknown: 404."""
    try:
        service.load_inspection(g.user, key, write=True)
    except ApiError as exc:
        abort(exc.status)


def _rerender(key: str, message: str, errors=None, status: int = 422):
    """The page again with what went wrong; a record the user may not see gives its plain 403/404."""
    try:
        doc = service.load_inspection(g.user, key)
    except ApiError:
        abort(status if status in (403, 404) else 404)
    return render_template("review_inspection.html", **page_context(doc), error=message, errors=errors or {},
                           form=request.form), status


def _attempt(key: str, act):
    """Run a form's action; refused input or a refused step shows the page again with the reason."""
    try:
        return act()
    except ValidationError as exc:
        return _rerender(key, t("error.validation"), translate_errors(exc.messages))
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return _rerender(key, exc.message, exc.errors, exc.status)


@bp.post("/console/review/<key>")
def decide(key):
    """The review form: approve, return with comments (overall and per item), or reject with a reason."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    _writable(key)
    body = {"decision": request.form.get("decision", ""), "comments": request.form.get("comments", ""),
            "reason": request.form.get("reason", ""), "rev": request.form.get("rev") or None,
            "items": {k[len("item."):]: v for k, v in request.form.items() if k.startswith("item.") and v.strip()}}
    def act():
        data = ReviewDecisionSchema().load(body)
        service.decide(g.user, key, data)
        return redirect(url_for("review_console.inspection_page", key=key, done=data["decision"]))
    return _attempt(key, act)


@bp.post("/console/review/<key>/order")
def issue_order(key):
    """责令限期整改: one order for the checked hazards of an approved inspection, days per hazard."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    _writable(key)
    items = [{"case": name[len("days."):], "days": whole(value)} for name, value in request.form.items()
             if name.startswith("days.") and name[len("days."):] in request.form.getlist("case")]
    def act():
        order = orders.issue(g.user, OrderSchema().load({"inspection": key, "items": items}))
        return redirect(url_for("review_console.inspection_page", key=key, done="ordered", order=order["number"],
                                order_key=order["_id"].split(":", 1)[1]))
    return _attempt(key, act)


def whole(text: str):
    """A form's number as an int when it is one (short digits), else as sent, for the schema to refuse."""
    return int(text) if text.strip().isdigit() and len(text.strip()) < 5 else text


@bp.get("/console/review/<key>/signatures/<name>")
def signature(key, name):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return signature_response(service.load_inspection(g.user, key), name)


@bp.get("/console/photos/<key>/<variant>")
def photo(key, variant):
    """A photo's thumbnail, watermarked copy or untouched original, for a reader in scope."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return photo_response(g.user, key, variant)
