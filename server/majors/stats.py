"""Major-hazard statistics: counts by region, sector, source and 督办 level, each split by state, and every
hazard by source (general and major), read as grouped range queries of the `stats` views (one request per
table, remembered until `records` changes) and laid out as one grid for the page and the CSV/XLSX export.

"Found by inspectors" is every source but an enterprise's own self-report (`found_by_inspectors`).
"""
from __future__ import annotations

from collections import Counter

from i18n import t
from schemas.sectors import label as sector_label
from server.stats import queries, report
from server.stats.scope import year_range
from sync.couch import Database

DIMENSIONS = ("source", "region", "sector", "level")
STATES = ("found", "ordered", "rectified", "reinspected", "closed")
SOURCES = ("inspection", "report", "self_report")
LEVELS = ("province", "city", "county", "none")
GROUP_LEVEL = 5   # [scope, dimension, year, value, state]


def _rows(db: Database, view: str, scope: str, dimension: str, year: int, level: int) -> list[dict]:
    def ask():
        return db.view(queries.DDOC, view, group_level=level, **year_range(scope, dimension, year))["rows"]
    return queries.remember(db, ("majors", view, scope, dimension, year), ask)


def fold_states(rows: list[dict]) -> dict[str, Counter]:
    """value → Counter of states, from rows keyed [scope, dimension, year, value, state]."""
    out: dict[str, Counter] = {}
    for row in rows:
        out.setdefault(row["key"][3], Counter())[row["key"][4]] += row["value"]
    return out


def fold_sources(rows: list[dict]) -> dict[str, Counter]:
    """source → Counter of grades and `closed`, from the cases view's source rows
    [scope, 'source', year, source, month, grade, state]."""
    out: dict[str, Counter] = {}
    for row in rows:
        source, grade, state = row["key"][3], row["key"][5], row["key"][6]
        counter = out.setdefault(source, Counter())
        counter[grade] += row["value"]
        counter["closed"] += row["value"] if state == "closed" else 0
    return out


def found_by_inspectors(by_source: dict[str, Counter]) -> Counter:
    """Hazards found by inspectors: on inspection or on verifying a public report, never self-reports."""
    total: Counter = Counter()
    for source, counts in by_source.items():
        if source != "self_report":
            total.update(counts)
    return total


def _label(dimension: str, value: str, scope: str, locale: str) -> str:
    if dimension == "source":
        return t(f"majors.source.{value}", locale)
    if dimension == "level":
        return t(f"majors.level.{value}", locale)
    if dimension == "sector":
        return sector_label(value, locale) if value else t("stats.unspecified", locale)
    return report.region_labels(scope, [value])[value]


def _order(dimension: str, found) -> list[str]:
    base = {"source": SOURCES, "level": LEVELS}.get(dimension, ())
    return list(base) + sorted(set(found) - set(base))


def table(db: Database, scope: str, dimension: str, year: int, locale: str) -> dict:
    """Rows (value, label, count per state, total) and the total row of one dimension."""
    folded = fold_states(_rows(db, "majors", scope, dimension, year, GROUP_LEVEL))
    rows = []
    for value in _order(dimension, folded):
        counts = folded.get(value, Counter())
        rows.append({"key": value, "label": _label(dimension, value, scope, locale),
                     **{s: counts[s] for s in STATES}, "total": sum(counts.values())})
    total = {"key": "", "label": t("majors.stats.total", locale),
             **{s: sum(r[s] for r in rows) for s in (*STATES, "total")}}
    return {"dimension": dimension, "rows": rows, "total": total}


def sources(db: Database, scope: str, year: int, locale: str) -> dict:
    """Every hazard of the year (general and major) by source, and the found-by-inspectors sum."""
    by_source = fold_sources(_rows(db, "cases", scope, "source", year, 7))
    rows = [{"key": s, "label": t(f"majors.source.{s}", locale), "general": by_source.get(s, Counter())["general"],
             "major": by_source.get(s, Counter())["major"], "closed": by_source.get(s, Counter())["closed"]}
            for s in _order("source", by_source)]
    inspectors = found_by_inspectors(by_source)
    return {"rows": rows, "inspectors": {"general": inspectors["general"], "major": inspectors["major"],
                                         "closed": inspectors["closed"]}}


def build(db: Database, scope: str, year: int, locale: str) -> dict:
    return {"year": year, "region": scope, "sources": sources(db, scope, year, locale),
            "tables": [table(db, scope, d, year, locale) for d in DIMENSIONS]}


def grid(built: dict, locale: str) -> tuple[list[str], list[list]]:
    """One sheet: a block per dimension (dimension, region code, name, each state, total)."""
    header = [t("majors.stats.dimension", locale), t("stats.col.key", locale), t("stats.col.label", locale)] + \
        [t(f"hazard.state.{s}", locale) for s in STATES] + [t("majors.stats.total", locale)]
    lines = []
    for block in built["tables"]:
        name = t(f"majors.stats.by.{block['dimension']}", locale)
        for row in block["rows"] + [block["total"]]:
            code = row["key"] if block["dimension"] == "region" else ""   # words, never internal codes
            lines.append([name, code, row["label"], *(row[s] for s in STATES), row["total"]])
    return header, lines
