"""View rows into the statistics table (pure): figures per row and period, totals, closure rates.

Definitions (also shown on the console page, docs/decisions/0008-statistics.md):
- inspections done: finished inspections filed, by the month they were finished (Asia/Shanghai), whose
  review is pending, approved or returned; rejected records and drafts are not counted;
- hazards found: hazard cases by the month found, general and major, void cases left out; cases an
  enterprise self-reported (source self_report) are not found by inspectors and count only by source;
- closure rate: closed ÷ all non-void cases found in the period (closed by now, whenever closed);
- overdue (today): cases still found or ordered whose rectification deadline is before today;
- supervised (today): major hazards listed for supervision (挂牌督办) and not yet closed;
- workload: inspections per team member (person-visits; a team of two counts once for each);
- items checked (检查事项数): checklist items answered in those inspections; 不适用 and unanswered items
  are not counted, as in the published 检查事项数.
"""
from __future__ import annotations

from collections import Counter

from server.stats.scope import period_of, periods

DONE = ("pending", "approved", "returned")
HAZARD_FIGURES = ("general", "major", "hazards", "closed", "closure_rate")


def fold_inspections(rows: list[dict], period: str) -> dict:
    """value → period → Counter of review states, from rows keyed [scope, dim, year, value, month, review]."""
    out: dict = {}
    for row in rows:
        value, month, review = row["key"][3], row["key"][4], row["key"][5]
        out.setdefault(value, {}).setdefault(period_of(month, period), Counter())[review] += row["value"]
    return out


def fold_cases(rows: list[dict], period: str) -> dict:
    """value → period → Counter of grades and `closed`; rows keyed [scope, dim, year, value, month, grade, state]."""
    out: dict = {}
    for row in rows:
        value, month, grade, state = row["key"][3:7]
        counter = out.setdefault(value, {}).setdefault(period_of(month, period), Counter())
        counter[grade] += row["value"]
        if state == "closed":
            counter["closed"] += row["value"]
    return out


def fold_last(rows: list[dict]) -> Counter:
    """value (the last key part) → count: overdue rows [.., deadline, value], supervised rows [.., value]."""
    out: Counter = Counter()
    for row in rows:
        out[row["key"][-1]] += row["value"]
    return out


def rate(closed: int, found: int) -> float | None:
    return round(closed / found, 4) if found else None


def _inspection_figures(counter: Counter) -> dict:
    return {"inspections": sum(counter[s] for s in DONE), "approved": counter["approved"],
            "pending": counter["pending"], "returned": counter["returned"]}


def _hazard_figures(counter: Counter | None) -> dict:
    if counter is None:
        return dict.fromkeys(HAZARD_FIGURES)
    found = counter["general"] + counter["major"]
    return {"general": counter["general"], "major": counter["major"], "hazards": found,
            "closed": counter["closed"], "closure_rate": rate(counter["closed"], found)}


def items_checked(counter: Counter | None) -> int | None:
    """Items checked in the inspections counted (pending, approved, returned); None without the figure."""
    return None if counter is None else sum(counter[s] for s in DONE)


def row(key, label: str, period: str, inspections: dict, cases: dict | None, overdue, supervised,
        items: dict | None = None) -> dict:
    """One row: the year's figures, then each period's. `cases` None: a row without hazard figures."""
    year_inspections, year_cases, year_items = Counter(), Counter(), Counter()
    by_period = []
    for p in periods(period):
        seen = inspections.get(p, Counter())
        found = None if cases is None else cases.get(p, Counter())
        year_inspections.update(seen)
        year_items.update((items or {}).get(p, Counter()))
        if found is not None:
            year_cases.update(found)
        by_period.append({"period": p, "inspections": _inspection_figures(seen)["inspections"],
                          **_hazard_figures(found)})
    return {"key": key, "label": label, **_inspection_figures(year_inspections),
            "items_checked": None if items is None else items_checked(year_items),
            **_hazard_figures(None if cases is None else year_cases),
            "overdue": overdue, "supervised": supervised, "by_period": by_period}


def ordered_keys(base: list, found, group: str, counts: dict) -> list:
    """The rows always shown (`base`), then any other value the views returned; workload by size."""
    keys = list(base) + sorted(set(found) - set(base))
    if group == "inspector":
        keys.sort(key=lambda k: -sum(_inspection_figures(c)["inspections"] for c in counts.get(k, {}).values()))
    return keys


def table(group: str, period: str, base: list, labels: dict, figures: dict) -> dict:
    """Rows and total from folded figures: {'inspections', 'cases', 'overdue', 'supervised'} (see fold_*)."""
    inspections, cases, items = figures["inspections"], figures.get("cases"), figures.get("items")
    overdue, supervised = figures.get("overdue"), figures.get("supervised")
    with_hazards = group != "inspector"
    keys = ordered_keys(base, set(inspections) | set(cases or {}), group, inspections)
    rows = [row(k, labels.get(k) or str(k), period, inspections.get(k, {}),
                cases.get(k, {}) if with_hazards else None,
                overdue[k] if with_hazards else None, supervised[k] if with_hazards else None,
                None if items is None else items.get(k, {})) for k in keys]
    return {"rows": rows, "total": total(rows, period, with_hazards)}


def total(rows: list[dict], period: str, with_hazards: bool) -> dict:
    """The sum of the rows (for workload, person-visits), with the closure rate of the sums."""
    summed = {name: sum(r[name] for r in rows) for name in ("inspections", "approved", "pending", "returned")}
    counted = [r["items_checked"] for r in rows if r.get("items_checked") is not None]
    summed["items_checked"] = sum(counted) if with_hazards else None
    if with_hazards:
        summed.update({name: sum(r[name] for r in rows) for name in ("general", "major", "hazards", "closed",
                                                                      "overdue", "supervised")})
        summed["closure_rate"] = rate(summed["closed"], summed["hazards"])
    else:
        summed.update(dict.fromkeys(HAZARD_FIGURES + ("overdue", "supervised")))
    by_period = []
    for index, p in enumerate(periods(period)):
        cells = [r["by_period"][index] for r in rows]
        figure = {"period": p, "inspections": sum(c["inspections"] for c in cells)}
        if with_hazards:
            figure.update({n: sum(c[n] for c in cells) for n in ("general", "major", "hazards", "closed")})
            figure["closure_rate"] = rate(figure["closed"], figure["hazards"])
        else:
            figure.update(dict.fromkeys(HAZARD_FIGURES))
        by_period.append(figure)
    return {"key": None, "label": "", **summed, "by_period": by_period}
