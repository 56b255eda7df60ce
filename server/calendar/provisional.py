"""Provisional (暂定) working days for a year whose State Council notice nobody has entered yet.

The statutory holidays (《全国年节及纪念日放假办法》: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆, with the
lunar dates computed) come from the maintained `holidays` package's China calendar, which also moves a
holiday that falls on a weekend to the next weekday the way recent notices did. What no rule can know
are the year's make-up working days (调休上班): they are only in the notice. A deadline counted on these
days is therefore provisional until the notice is entered and the deadline recomputed.
"""
from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache

import holidays

log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset, frozenset]:
    """(rest days, weekend days worked) of `year` by rule; weekends alone if the package cannot say."""
    try:
        china = holidays.China(years=year)
        rest = frozenset(day for day in china if day.year == year)
        worked = frozenset(day for day in china.weekend_workdays if day.year == year)
    except Exception:  # noqa: BLE001 - a year past the lunar tables: weekends are still a sound guess
        log.warning("holidays package has no China calendar for %s; weekends only", year)
        return frozenset(), frozenset()
    return rest, worked


def rest_days(year: int) -> frozenset:
    """The statutory holidays of `year` (including weekday substitutes) as the rule computes them."""
    return _year(year)[0]


def is_working_day(day: date) -> bool:
    """Monday-Friday unless a statutory holiday by rule; a weekend day only if the package lists it worked."""
    rest, worked = _year(day.year)
    if day in worked:
        return True
    return day.weekday() < 5 and day not in rest
