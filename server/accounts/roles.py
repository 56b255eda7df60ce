"""Roles and region scope: the pure rules of who may see and do what."""
from __future__ import annotations

from schemas import regions

ADMIN, SUPERVISOR, INSPECTOR, EXPERT = "admin", "supervisor", "inspector", "expert"
AUDITOR = "auditor"                  # reads the audit log (审计查阅), nothing else
ROLES = (ADMIN, SUPERVISOR, INSPECTOR, EXPERT, AUDITOR)   # the bureau's own people
STAFF = (ADMIN, SUPERVISOR)          # may keep the registers
FIELD = (INSPECTOR, EXPERT)          # work on phones
# An enterprise's own account (企业账号, issue 15): deliberately NOT in ROLES, so that no guard written
# for "any bureau role" lets it through. It reaches only /enterprise/… (server/enterprise_portal/confine.py)
# and, like an unknown region, is in scope of nothing staff functions look at.
ENTERPRISE = "enterprise"
NO_SCOPE = "-"                       # a prefix no region code starts with


def scope_prefix(user: dict) -> str:
    """The region-code prefix a user's view is limited to ('' = everywhere, for admins)."""
    if user["role"] == ADMIN:
        return ""
    if user["role"] == ENTERPRISE:
        return NO_SCOPE
    return regions.scope_prefix(user["region"])


def in_scope(user: dict, region_code: str | None) -> bool:
    """True if `region_code` is the user's region or under it (admins: everything; enterprises: nothing,
    they see only their own documents, checked by their credit code)."""
    if user["role"] == ADMIN:
        return True
    if user["role"] == ENTERPRISE:
        return False
    return bool(region_code) and str(region_code).startswith(scope_prefix(user))
