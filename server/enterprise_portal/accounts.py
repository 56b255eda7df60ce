"""Enterprise accounts (企业账号): one per credit code, opened by the bureau, closed with the enterprise.

A claim document `enterprise_account:<uscc>` in the registry is created before the user: one of two racing
creations wins (`Database.create`, on pouchdb-server and on a cluster alike), so a second account for the same
enterprise is refused even when two supervisors press the button at once. The initial password is made
here, shown once to the bureau, and must be changed at the first sign-in (PASSWORD_CHANGE_REQUIRED)."""
from __future__ import annotations

import re
import secrets
from contextlib import suppress

from flask import current_app

from i18n import t
from server import audit_trail
from server.accounts import guard, roles, store
from server.db import registry
from server.errors import ApiError
from sync.couch import Conflict, NotFound

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
# No 0/O, 1/l/I: the bureau reads the password out or writes it on paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def claim_id(uscc: str) -> str:
    return f"enterprise_account:{uscc}"


def suggested_username(uscc: str) -> str:
    return "e" + uscc.lower()


def initial_password() -> str:
    """Four groups of five random characters (about 110 bits): strong by any measure, easy to copy."""
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)


def account_of(uscc: str) -> dict | None:
    """{claim, user} of the enterprise's account, or None if it has none."""
    claim = registry().get_or_none(claim_id(uscc))
    if not claim or claim.get("type") != "enterprise_account":
        return None
    return {"claim": claim, "user": store.get_user(registry(), claim["username"])}


def may_manage(user: dict | None, enterprise: dict) -> bool:
    """Admins, or a supervisor whose region covers the enterprise."""
    return bool(user) and user["role"] in roles.STAFF and roles.in_scope(user, enterprise.get("region"))


def _checked(username: str, display_name: str) -> tuple[str, str]:
    username, display_name = (username or "").strip().lower(), (display_name or "").strip()
    errors = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = [t("ep.account.bad_username")]
    if not 1 <= len(display_name) <= 60:
        errors["display_name"] = [t("ep.account.bad_name")]
    if errors:
        raise ApiError("validation", errors=errors)
    return username, display_name


def create_account(actor: dict, enterprise: dict, username: str, display_name: str) -> tuple[dict, str]:
    """Open the enterprise's account; returns the user and the initial password (shown once, never stored)."""
    if enterprise.get("active") is False:
        raise ApiError("conflict", message=t("ep.account.deregistered"))
    username, display_name = _checked(username, display_name)
    uscc = enterprise["uscc"]
    claim = {"_id": claim_id(uscc), "type": "enterprise_account", "uscc": uscc, "username": username,
             "region": enterprise["region"], "created_at": store.now_iso(), "created_by": actor["username"]}
    try:
        registry().create(claim)
    except Conflict:
        raise ApiError("conflict", message=t("ep.account.exists")) from None
    password = initial_password()
    try:
        user = store.create_user(registry(), {
            "username": username, "display_name": display_name, "role": roles.ENTERPRISE,
            "region": enterprise["region"], "password": password, "locale": "zh_CN",
            "must_change_password": current_app.config["PASSWORD_CHANGE_REQUIRED"]})
    except Conflict:
        with suppress(NotFound, Conflict):
            registry().delete(claim["_id"], claim["_rev"])
        raise ApiError("validation", errors={"username": [t("ep.account.username_taken")]}) from None
    user["enterprise"] = uscc
    registry().put(user)
    audit_trail.record("enterprise_account.create", user["_id"], {"enterprise": uscc, "region": enterprise["region"]})
    return user, password


def disable_for(uscc: str, reason: str) -> bool:
    """The enterprise left the register: its account stops working (sessions and tokens end with it)."""
    found = account_of(uscc)
    user = (found or {}).get("user")
    if not user or user.get("active") is False:
        return False
    store.update_user(registry(), user, {"active": False})
    guard.auth_cache().clear()
    audit_trail.record("enterprise_account.disable", user["_id"], {"enterprise": uscc, "reason": reason})
    return True


def follow_region(uscc: str, region: str) -> None:
    """The enterprise moved to another region: its account's region follows (the bureau that reviews it)."""
    user = (account_of(uscc) or {}).get("user")
    if user and user.get("region") != region:
        store.update_user(registry(), user, {"region": region})
        guard.auth_cache().clear()
