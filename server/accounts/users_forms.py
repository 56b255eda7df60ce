"""Reading the user forms of the console (server/accounts/users_console.py) into the values the API's
schemas load: trimmed and capped before anything else looks at them, checkboxes as booleans, the two
password boxes compared, and the inspector link typed as a 执法证号 (what an admin knows) rather than the
record's internal id.

What the schemas already check (name pattern, lengths, known role, known region, password strength) is
left to them, so that the console refuses exactly what the API refuses.
"""
from __future__ import annotations

from i18n import Problem, t
from server.accounts import roles
from server.db import registry
from server.registry.store import inspectors_by_cert

# The fields a form shows and sends back (kept on a refusal, so nobody types them twice; passwords never).
FORM_FIELDS = ("username", "display_name", "role", "region", "active", "may_reveal_reporters", "cert_no")
# Far above every schema limit: long enough that the schema names the real limit in its message, short
# enough that a hostile megabyte is not echoed back into the page.
CAP = 300
# Names the console's own addresses use: a user called "new" could never be opened at /console/users/new.
RESERVED = ("new",)


def _text(form, name: str) -> str:
    return str(form.get(name, ""))[:CAP].strip()


def read_form(form, creating: bool) -> tuple[dict, dict[str, str]]:
    """(values, errors in words) of a posted user form; `creating` adds the username and a required
    password, an edit takes a password only when one was typed (a reset)."""
    values = {
        "display_name": _text(form, "display_name"),
        "role": _text(form, "role"),
        "region": _text(form, "region"),
        "active": form.get("active") == "on",
        "may_reveal_reporters": form.get("may_reveal_reporters") == "on",
        "cert_no": _text(form, "cert_no"),
        "password": str(form.get("password", ""))[:CAP],
    }
    errors: dict[str, str] = {}
    if creating:
        # Usernames are stored lower-case (store.get_user looks them up so): spare the admin a refusal.
        values["username"] = _text(form, "username").lower()
        if values["username"] in RESERVED:
            errors["username"] = t("users.error.reserved")
        if not values["password"]:
            errors["password"] = t("users.error.password_missing")
    if values["password"] and values["password"] != str(form.get("password_confirm", ""))[:CAP]:
        errors["password"] = t("users.error.password_mismatch")
    if values["cert_no"] and values["role"] not in roles.FIELD:
        errors["cert_no"] = t("users.error.cert_not_field")
    return values, errors


def inspector_for(values: dict) -> str | None:
    """The id of the inspector record whose 执法证号 was typed (None when the box is empty); a number no
    record has is refused, since a phone linked to nobody cannot sync (server/gateway/rules.py)."""
    cert_no = values.get("cert_no") or ""
    if not cert_no:
        return None
    found = inspectors_by_cert(registry(), [cert_no]).get(cert_no)
    if not found:
        raise Problem("users.error.cert_unknown")
    return found["_id"]


def problem_field(problem: Problem) -> str:
    """Which box a refusal belongs under: the password's rules (account.*) or the 执法证号."""
    return "password" if problem.code.startswith("account.") else "cert_no"
