"""Statistics read from the `records` views: one grouped range query per figure, remembered until records change."""
from __future__ import annotations

from datetime import date

from flask import current_app

from server.stats import scope as sc
from server.stats import tables
from server.stats.cache import SeqCache
from sync.couch import Database

DDOC = "stats"


def init_app(app) -> None:
    app.extensions["stats_cache"] = SeqCache(app.config.get("STATS_CACHE_ENTRIES", 256))


def _cache() -> SeqCache:
    return current_app.extensions["stats_cache"]


def _rows(db: Database, view: str, level: str, query: dict) -> list[dict]:
    return db.view(DDOC, view, group_level=sc.GROUP_LEVEL[level], **query)["rows"]


def _figures(db: Database, scope: str, group: str, period: str, year: int, today: date) -> dict:
    inspections = _rows(db, "inspections", "inspections", sc.year_range(scope, group, year))
    out = {"inspections": tables.fold_inspections(inspections, period)}
    if group != "inspector":
        cases = _rows(db, "cases", "cases", sc.year_range(scope, group, year))
        out["cases"] = tables.fold_cases(cases, period)
        out["overdue"] = tables.fold_last(_rows(db, "open_cases", "overdue", sc.overdue_range(scope, group, today)))
        out["supervised"] = tables.fold_last(_rows(db, "open_cases", "supervised", sc.supervised_range(scope, group)))
    return out


def figures(db: Database, scope: str, group: str, period: str, year: int, today: date) -> dict:
    """Folded figures (see tables.fold_*) for a scope, group, period and year; overdue as of `today`."""
    key = ("figures", db.name, scope, group, period, year, today.isoformat())
    return _cache().get(key, db.update_seq(), lambda: _figures(db, scope, group, period, year, today))


def _map_rows(db: Database, scope: str, year: int) -> dict:
    return {"sites": _rows(db, "inspections", "sites", sc.year_range(scope, "site", year)),
            "cases": _rows(db, "cases", "enterprises", sc.year_range(scope, "enterprise", year))}


def map_rows(db: Database, scope: str, year: int) -> dict:
    """Rows for the map export: inspections per enterprise and site position, cases per enterprise."""
    key = ("map", db.name, scope, year)
    return _cache().get(key, db.update_seq(), lambda: _map_rows(db, scope, year))
