"""One statistics report for the caller: scope checked, figures read, rows labelled (API, export and console)."""
from __future__ import annotations

from datetime import date, timedelta, timezone

from i18n import t
from schemas import regions
from schemas.sectors import codes as sector_codes, label as sector_label
from server import clock
from server.db import database, registry
from server.errors import ApiError
from server.registry.store import scope_selector
from schemas.stats import StatsSchema
from server.stats import queries, scope as sc, tables

SHANGHAI = timezone(timedelta(hours=8))


def today() -> date:
    """Today in Asia/Shanghai: deadlines and months are the bureau's, not UTC's (server/clock.py)."""
    return clock.today()


def resolve_scope(user: dict, region: str | None) -> str:
    found = sc.resolve(user, region)
    if found is None:
        raise ApiError("not_found")
    return found


def region_labels(scope: str, codes) -> dict:
    labels = {}
    for code in codes:
        name = regions.name(code) or code
        labels[code] = t("stats.own_level", name=name) if code == scope else name
    return labels


def sector_labels(codes, locale: str) -> dict:
    return {code: sector_label(code, locale) if code else t("stats.unspecified") for code in codes}


def inspectors_in(scope: str) -> list[dict]:
    """Active inspectors registered in the scope: the workload rows shown even with no inspection."""
    prefix = regions.scope_prefix(scope) if scope else ""
    found = registry().find({"type": "inspector", "region": scope_selector(prefix, None)}, limit=20_000)
    return [p for p in found if p.get("active", True) and p.get("kind", "inspector") == "inspector"]


def inspector_labels(base: list[dict], extra) -> dict:
    labels = {p["_id"]: p["name"] for p in base}
    missing = sorted(set(extra) - set(labels))
    labels.update({doc_id: doc.get("name") or doc_id for doc_id, doc in registry().docs_by_id(missing).items()})
    return labels


def _rows_and_labels(group: str, scope: str, figures: dict, locale: str) -> tuple[list, dict]:
    found = set(figures["inspections"]) | set(figures.get("cases") or {})
    if group == "region":
        base = sc.children(scope)
        return base, region_labels(scope, set(base) | found)
    if group == "sector":
        base = sector_codes()
        return base, sector_labels(set(base) | found, locale)
    people = inspectors_in(scope)
    return [p["_id"] for p in people], inspector_labels(people, found)


def build(user: dict, args: dict, locale: str) -> dict:
    """The report for `args` (StatsArgs) as the caller may see it, as StatsSchema dumps it; 404 for a region
    outside their scope. Kept until `records` changes, except workload, whose names come from the register."""
    scope = resolve_scope(user, args.get("region"))
    now = today()
    year = args.get("year") or now.year
    db = database("records")
    if args["group"] == "inspector":
        return _build(db, scope, args, year, now, locale)
    key = ("report", scope, args["group"], args["period"], year, now.isoformat(), locale)
    return queries.remember(db, key, lambda: _build(db, scope, args, year, now, locale))


def _build(db, scope: str, args: dict, year: int, now: date, locale: str) -> dict:
    figures = queries.figures(db, scope, args["group"], args["period"], year, now)
    base, labels = _rows_and_labels(args["group"], scope, figures, locale)
    report = tables.table(args["group"], args["period"], base, labels, figures)
    report["total"]["label"] = t("stats.total_visits" if args["group"] == "inspector" else "stats.total")
    report.update(year=year, period=args["period"], group=args["group"], region=scope or None,
                  region_name=(regions.name(scope) if scope else t("stats.everywhere")),
                  level=sc.row_level(scope) if args["group"] == "region" else sc.level_of(scope),
                  as_of=now.isoformat(), periods=sc.periods(args["period"]))
    return StatsSchema().dump(report)

