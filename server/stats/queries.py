"""Statistics read from the `records` views: one grouped range query per figure, remembered until records change."""
from __future__ import annotations

import time
from datetime import date

from flask import current_app

from server.stats import scope as sc
from server.stats import tables
from server.stats.cache import SeqCache
from sync.couch import Database, shard_copies

DDOC = "stats"


def init_app(app) -> None:
    app.extensions["stats_cache"] = SeqCache(app.config.get("STATS_CACHE_ENTRIES", 256))
    app.extensions["stats_seq"] = {}


def _cache() -> SeqCache:
    return current_app.extensions["stats_cache"]


def _seq_and_copies(db: Database, every: float) -> tuple[str, int]:
    """The database's update sequence and copies per shard (n), asked at most every STATS_SEQ_CHECK_MS per
    process (a round trip to pouchdb-server is ~8 ms, a third of a remembered answer's cost)."""
    seen = current_app.extensions["stats_seq"].get(db.name)
    if seen is not None and time.monotonic() - seen[2] < every:
        return seen[0], seen[1]
    info = db.info()
    seq, copies = str(info["update_seq"]), shard_copies(info)
    current_app.extensions["stats_seq"][db.name] = (seq, copies, time.monotonic())
    return seq, copies


def remember(db: Database, key: tuple, compute):
    """`compute()`, or what it gave for `key` while `db` has not changed since (on a cluster, for at most
    STATS_CLUSTER_CACHE_S: server/stats/cache.py)."""
    seq, copies = _seq_and_copies(db, current_app.config.get("STATS_SEQ_CHECK_MS", 1000) / 1000)
    max_age = float(current_app.config.get("STATS_CLUSTER_CACHE_S", 10)) if copies > 1 else None
    return _cache().get((db.name, *key), seq, compute, max_age)


def _rows(db: Database, view: str, level: str, query: dict) -> list[dict]:
    return db.view(DDOC, view, timeout_s=current_app.config.get("STATS_QUERY_TIMEOUT_S", 300),
                   group_level=sc.GROUP_LEVEL[level], **query)["rows"]


def _figures(db: Database, scope: str, group: str, period: str, year: int, today: date) -> dict:
    inspections = _rows(db, "inspections", "inspections", sc.year_range(scope, group, year))
    out = {"inspections": tables.fold_inspections(inspections, period)}
    if group != "inspector":
        cases = _rows(db, "cases", "cases", sc.year_range(scope, group, year))
        out["cases"] = tables.fold_cases(cases, period)
        # 检查事项数: items answered, 不适用 and unanswered left out (issue 13); same keys as inspections
        out["items"] = tables.fold_inspections(_rows(db, "items", "inspections", sc.year_range(scope, group, year)),
                                               period)
        out["overdue"] = tables.fold_last(_rows(db, "open_cases", "overdue", sc.overdue_range(scope, group, today)))
        out["supervised"] = tables.fold_last(_rows(db, "open_cases", "supervised", sc.supervised_range(scope, group)))
    return out


def figures(db: Database, scope: str, group: str, period: str, year: int, today: date) -> dict:
    """Folded figures (see tables.fold_*) for a scope, group, period and year; overdue as of `today`."""
    key = ("figures", scope, group, period, year, today.isoformat())
    return remember(db, key, lambda: _figures(db, scope, group, period, year, today))


def _map_rows(db: Database, scope: str, year: int) -> dict:
    return {"sites": _rows(db, "inspections", "sites", sc.year_range(scope, "site", year)),
            "cases": _rows(db, "cases", "enterprises", sc.year_range(scope, "enterprise", year))}


def map_rows(db: Database, scope: str, year: int) -> dict:
    """Rows for the map export: inspections per enterprise and site position, cases per enterprise."""
    return remember(db, ("map", scope, year), lambda: _map_rows(db, scope, year))
