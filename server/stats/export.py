"""A statistics report as a table for CSV/XLSX, and the inspected enterprises as GeoJSON (pure, no I/O).

GeoJSON (RFC 7946): one Point feature per enterprise inspected in the year, at the registered WGS-84
position of its most inspected site (`site_position` on the records, longitude first as the RFC orders
it), with counts of its inspections by review state and of its hazards by grade and loop state. Hazard
cases carry the enterprise, not the site (decision 0005), so the counts are the enterprise's; the
feature lists how many of its sites were inspected. RFC 7946 dropped the `crs` member (WGS-84 only); the
file still names it in the 2008 spec's `crs` member as OGC CRS84 (WGS-84 longitude/latitude, the one
value that agrees with RFC 7946), which GDAL and QGIS read and RFC 7946 readers ignore as a foreign member.
"""
from __future__ import annotations

from collections import Counter

from i18n import t
from server.stats.tables import DONE

STATES = ("found", "ordered", "rectified", "reinspected", "closed")
PERIOD_COLUMNS = ("inspections", "general", "major", "hazards", "closed", "closure_rate")
COLUMNS = ("inspections", "approved", "pending", "returned", "general", "major", "hazards", "closed",
           "closure_rate", "overdue", "supervised", "items_checked")  # added last: earlier columns keep their place


def _percent(value):
    return None if value is None else round(value * 100, 1)


def grid(report: dict) -> tuple[list[str], list[list]]:
    """Header and rows: each group's year line (with today's overdue and supervised), then its periods."""
    header = [t("stats.col.key"), t("stats.col.label"), t("stats.col.period")] + \
        [t(f"stats.col.{name}") for name in COLUMNS]
    rows = []
    for line in report["rows"] + [report["total"]]:
        year_cells = [_percent(line[c]) if c == "closure_rate" else line[c] for c in COLUMNS]
        rows.append([line["key"] or "", line["label"], t("stats.whole_year", year=report["year"])] + year_cells)
        for cell in line["by_period"]:
            name = t(f"stats.{report['period']}_n", n=cell["period"])
            values = {c: _percent(cell[c]) if c == "closure_rate" else cell[c] for c in PERIOD_COLUMNS}
            rows.append([line["key"] or "", line["label"], name] + [values.get(c) for c in COLUMNS])
    return header, [[("" if v is None else v) for v in r] for r in rows]


def _best_sites(site_rows: list[dict]) -> dict:
    """enterprise → review-state counts, inspected sites, and the most inspected (site, lat, lng, name, region).

    A site's position or the enterprise's name may differ between records (the register changed between
    filings): each variant is a key of its own, and the one with most inspections wins.
    """
    per_site: dict = {}
    for row in site_rows:
        enterprise, *where, review = row["key"][3:10]
        per_site.setdefault((enterprise, *where), Counter())[review] += row["value"]
    best: dict = {}
    for (enterprise, *where), counts in sorted(per_site.items(), key=lambda kv: str(kv[0])):
        merged = best.setdefault(enterprise, {"reviews": Counter(), "sites": set(), "top": None, "top_n": -1})
        merged["reviews"].update(counts)
        merged["sites"].add(where[0])
        done = sum(counts[state] for state in DONE)
        if done > merged["top_n"]:
            merged["top"], merged["top_n"] = tuple(where), done
    return best


def _case_counts(case_rows: list[dict]) -> dict:
    out: dict = {}
    for row in case_rows:
        enterprise, grade, state = row["key"][3:6]
        counts = out.setdefault(enterprise, Counter())
        counts[grade] += row["value"]
        counts[state] += row["value"]
    return out


def geojson(rows: dict, year: int, scope: str | None, region_names: dict) -> dict:
    """The FeatureCollection of `rows` (queries.map_rows); rejected inspections are not counted."""
    cases = _case_counts(rows["cases"])
    features = []
    for enterprise, entry in sorted(_best_sites(rows["sites"]).items()):
        site, lat, lng, name, region = entry["top"]
        reviews, found = entry["reviews"], cases.get(enterprise, Counter())
        done = sum(reviews[state] for state in DONE)
        if not done:
            continue
        features.append({"type": "Feature", "id": enterprise,
                         "geometry": {"type": "Point", "coordinates": [lng, lat]},
                         "properties": {"uscc": enterprise, "name": name, "site": site,
                                        "sites_inspected": len(entry["sites"]), "region": region,
                                        "region_name": region_names.get(region, ""), "inspections": done,
                                        "approved": reviews["approved"], "pending": reviews["pending"],
                                        "returned": reviews["returned"], "hazards_general": found["general"],
                                        "hazards_major": found["major"],
                                        **{f"hazards_{state}": found[state] for state in STATES}}})
    return {"type": "FeatureCollection", "name": t("stats.geojson_name", year=year),
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "year": year, "region": scope or None, "features": features}
