"""Console pages for user accounts (用户管理): the list (/console/users), a new user (/console/users/new)
and one user (/console/users/<username>). Supervisors read the users of their region and below; only
admins create and change them. Every write goes through server/accounts/users_service.py, the same
functions (and the same user.create / user.update audit) as the JSON API.

Enterprise accounts (role "enterprise") are listed and shown read-only here: they are opened, and closed
with their enterprise, from the 企业自查 pages (server/enterprise_portal), which keep the account's claim
on its enterprise in step; changing one here would bypass that.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from schemas.accounts import ROLES, UserCreateSchema, UserUpdateSchema
from schemas.common import translate_errors
from server.accounts import roles, users_service
from server.accounts.users_forms import FORM_FIELDS, inspector_for, problem_field, read_form
from server.console.views import staff_only
from server.db import registry
from sync.couch import Conflict

bp = Blueprint("users_console", __name__)
PER_PAGE = 25
DONE = ("created", "saved")   # the confirmations a redirect may ask the user page to show
ROLE_WORDS = (*ROLES, roles.ENTERPRISE)   # roles with words in the catalogue (users.role.*)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _admin_only():
    """Staff read; writing is for admins: a supervisor gets 403, as on the other admin-only console
    actions (server/calendar/console.py, server/accounts/console.py)."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if g.user["role"] != roles.ADMIN:
        abort(403)
    return None


@bp.get("/console/users")
def users_page():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    page_no = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    result = users_service.users_page(g.user, page_no, PER_PAGE)
    return render_template("users.html", result=result, may_manage=g.user["role"] == roles.ADMIN,
                           role_words=ROLE_WORDS)


def _errors_in_words(messages: dict) -> dict[str, str]:
    """marshmallow's errors per field, in the reader's language; a refused role is named in words rather
    than with marshmallow's list of the allowed codes."""
    words = {}
    for field, msgs in translate_errors(messages).items():
        if field == "role":
            words[field] = t("users.error.role")
        elif field in FORM_FIELDS or field == "password":
            words[field] = "；".join(m if isinstance(m, str) else str(m) for m in msgs)
        else:   # a field the form does not have (cannot come from it): one general sentence
            words["form"] = t("error.validation")
    return words


def _shown(form: dict) -> dict:
    """The form's values to show again: never a password, which would then sit in the page's source."""
    return {k: v for k, v in form.items() if k != "password"}


def _new_form(form: dict, errors: dict, status: int):
    return render_template("user_edit.html", doc=None, form=_shown(form), errors=errors, roles_list=ROLES,
                           role_words=ROLE_WORDS, may_manage=True, linked=None, done=None), status


@bp.route("/console/users/new", methods=["GET", "POST"])
def new_user():
    if (refused := _admin_only()) is not None:
        return refused
    if request.method == "GET":
        return _new_form({"active": True}, {}, 200)
    form, errors = read_form(request.form, creating=True)
    data = {k: form[k] for k in ("username", "display_name", "role", "region") if form.get(k) != ""}
    data.update(password=form["password"], active=form["active"])
    # Every box's problem at once (the form's own checks, the link, the schema), not one per attempt.
    data["inspector_id"] = _link_or_error(form, errors)
    try:
        loaded = UserCreateSchema().load(data)
    except ValidationError as exc:
        errors = {**_errors_in_words(exc.messages), **errors}
    if errors:
        return _new_form(form, errors, 422)
    try:
        doc = users_service.create_user(loaded)
    except Problem as exc:   # the password's rules, checked where it is hashed
        return _new_form(form, {problem_field(exc): exc.message()}, 422)
    except Conflict:
        return _new_form(form, {"username": t("users.error.taken")}, 409)
    return redirect(url_for("users_console.user_page", username=doc["username"], done="created"))


def _link_or_error(form: dict, errors: dict) -> str | None:
    """The linked inspector's id, or None with the reason put under the 执法证号 box."""
    if "cert_no" in errors:   # already refused (a role that has no link)
        return None
    try:
        return inspector_for(form)
    except Problem as exc:
        errors["cert_no"] = exc.message()
        return None


def _user_or_404(username: str) -> dict:
    doc = users_service.visible_user(g.user, username)
    if doc is None:   # none, or outside the reader's region: the same answer, nothing to probe
        abort(404)
    return doc


def _user_form(doc: dict, form: dict | None = None, errors: dict | None = None, status: int = 200,
               done: str | None = None):
    editable = g.user["role"] == roles.ADMIN and doc.get("role") != roles.ENTERPRISE
    if form is None:
        form = {"display_name": doc.get("display_name", ""), "role": doc.get("role"), "region": doc.get("region"),
                "active": doc.get("active", True) is not False,
                "may_reveal_reporters": doc.get("may_reveal_reporters") is True,
                "cert_no": (_linked(doc) or {}).get("cert_no", "")}
    return render_template("user_edit.html", doc=doc, form=_shown(form), errors=errors or {}, roles_list=ROLES,
                           role_words=ROLE_WORDS, may_manage=editable, linked=_linked(doc), done=done), status


def _linked(doc: dict) -> dict | None:
    """The inspector record a field account is linked to (shown by name and 执法证号, never its id)."""
    inspector_id = doc.get("inspector_id")
    found = registry().get_or_none(inspector_id) if isinstance(inspector_id, str) and inspector_id else None
    return found if found and found.get("type") == "inspector" else None


@bp.get("/console/users/<username>")
def user_page(username):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _user_or_404(username)
    done = request.args.get("done")
    return _user_form(doc, done=done if done in DONE else None)


def _changes(doc: dict, form: dict, errors: dict) -> dict:
    """Only what differs from the stored user: an unchanged role or region sent back must not end the
    user's sessions (store.update_user does that for any role or region in the changes)."""
    wanted = {k: form[k] for k in ("display_name", "role", "region", "active", "may_reveal_reporters")}
    wanted["inspector_id"] = _link_or_error(form, errors)
    changes = {k: v for k, v in wanted.items() if v != doc.get(k, False if k == "may_reveal_reporters" else None)}
    if form.get("password"):
        changes["password"] = form["password"]
    try:
        return UserUpdateSchema().load(changes)
    except ValidationError as exc:
        errors.update({**_errors_in_words(exc.messages), **errors})
        return {}


@bp.post("/console/users/<username>")
def update_user(username):
    if (refused := _admin_only()) is not None:
        return refused
    doc = _user_or_404(username)
    if doc.get("role") == roles.ENTERPRISE:
        return _user_form(doc, errors={"form": t("users.error.enterprise")}, status=409)
    form, errors = read_form(request.form, creating=False)
    if doc["username"] == g.user["username"] and (form["role"] != roles.ADMIN or not form["active"]):
        # An admin locking themselves out would leave the office without anyone to undo it.
        errors["form"] = t("users.error.self")
    changes = _changes(doc, form, errors)
    if errors:
        return _user_form(doc, form, errors, 422)
    try:
        # Saved even when nothing differs, as the API saves an empty PATCH: every accepted save leaves
        # its user.update entry (server/audit_routes.py checks that it does).
        users_service.update_user(doc, changes)
    except Problem as exc:   # the password's rules, checked where it is hashed
        return _user_form(doc, form, {problem_field(exc): exc.message()}, 422)
    except Conflict:   # someone else changed the user meanwhile: show theirs, ask to do it again
        return _user_form(_user_or_404(username), None, {"form": t("users.error.stale")}, 409)
    return redirect(url_for("users_console.user_page", username=doc["username"], done="saved"))
