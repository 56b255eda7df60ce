"""Roles and region scope: the pure rules of who may see and do what."""
from __future__ import annotations

from schemas import regions

ADMIN, SUPERVISOR, INSPECTOR, EXPERT = "admin", "supervisor", "inspector", "expert"
AUDITOR = "auditor"                  # reads the audit log (审计查阅), nothing else
ROLES = (ADMIN, SUPERVISOR, INSPECTOR, EXPERT, AUDITOR)
STAFF = (ADMIN, SUPERVISOR)          # may keep the registers
FIELD = (INSPECTOR, EXPERT)          # work on phones


def scope_prefix(user: dict) -> str:
    """The region-code prefix a user's view is limited to ('' = everywhere, for admins)."""
    if user["role"] == ADMIN:
        return ""
    return regions.scope_prefix(user["region"])


def in_scope(user: dict, region_code: str | None) -> bool:
    """True if `region_code` is the user's region or under it (admins: everything)."""
    if user["role"] == ADMIN:
        return True
    return bool(region_code) and str(region_code).startswith(scope_prefix(user))
