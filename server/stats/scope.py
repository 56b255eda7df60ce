"""What a statistics query covers (pure): the caller's region scope, the rows' level, periods, view key ranges.

The views (sync/ddocs/records/stats) emit each record once for every region scope above it: '' (the whole
country), its province, its prefecture and its county (codes padded to six digits, repeats dropped), and
under each scope the child region one level down. A query for scope S reads the keys that start with S.
"""
from __future__ import annotations

from datetime import date

from schemas import regions
from server.accounts import roles

EVERYWHERE = ""   # the scope of an admin who names no region
BELOW = {"province": "prefecture", "prefecture": "county", "county": "county"}
# group_level that keeps every key part up to the one that is summed over.
GROUP_LEVEL = {"inspections": 6, "cases": 7, "sites": 10, "enterprises": 6, "overdue": 5, "supervised": 4}


def resolve(user: dict, requested: str | None) -> str | None:
    """The scope code of a query: the named region if the user may see it (None if not: a 404, since
    what lies outside one's scope is not shown to exist), else the user's own region ('' for admins)."""
    if requested is None:
        return EVERYWHERE if user["role"] == roles.ADMIN else user["region"]
    return requested if roles.in_scope(user, requested) else None


def level_of(scope: str) -> str | None:
    """The level of the scope itself (None for the whole country), by the code's shape as the views use it."""
    return regions.pattern_level(scope) if scope else None


def row_level(scope: str) -> str:
    """The level of the rows when grouping by region: the one below the scope (a county is its own row)."""
    return "province" if scope == EVERYWHERE else BELOW[regions.pattern_level(scope)]


def child_code(scope: str, code: str) -> str:
    """The row a record of region `code` counts in under `scope` (the views' `child`)."""
    if scope == EVERYWHERE:
        return code[:2] + "0000"
    return code[:4] + "00" if scope.endswith("0000") else code


def children(scope: str) -> list[str]:
    """The known regions one level below the scope, in code order: the rows shown even when empty."""
    if scope == EVERYWHERE:
        return sorted(code for code, (_, level) in regions.table().items() if level == "province")
    if regions.pattern_level(scope) == "county":
        return [scope]
    level = row_level(scope)
    return sorted(code for code in regions.under(scope) if regions.pattern_level(code) == level
                  and child_code(scope, code) == code)


def periods(period: str) -> list[int]:
    return list(range(1, 13)) if period == "month" else [1, 2, 3, 4]


def period_of(month: int, period: str) -> int:
    return month if period == "month" else (month - 1) // 3 + 1


def year_range(scope: str, dimension: str, year: int) -> dict:
    return {"startkey": [scope, dimension, year], "endkey": [scope, dimension, year, {}]}


def overdue_range(scope: str, dimension: str, today: date) -> dict:
    """Deadlines before today: the range ends at today's date, which itself is left out."""
    return {"startkey": [scope, dimension, "overdue"], "endkey": [scope, dimension, "overdue", today.isoformat()],
            "inclusive_end": False}


def supervised_range(scope: str, dimension: str) -> dict:
    return {"startkey": [scope, dimension, "supervised"], "endkey": [scope, dimension, "supervised", {}]}
