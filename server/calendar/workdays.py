"""Working days by the official holiday calendar (调休 included) and deadlines counted from a start date.

The `chinese_calendar` package knows the years announced up to its release. The State Council
announces the next year each autumn, before any package update reaches a server; an admin then enters
that year's notice on the console (系统状态 → 节假日安排, stored in CouchDB, see notices.py), or an
operator adds it to `data/calendar/extra_days.json` (path overridable with CALENDAR_EXTRA_FILE):
`{"2027": {"holidays": ["2027-01-01", …], "workdays": ["2027-02-07", …]}}`. Dates listed there
override the package; a year listed there is known even if the package has never heard of it.

A year nobody knows officially is never refused: its days come from the statutory holidays computed
by rule (provisional.py), and a deadline that counted any of them is provisional (暂定, `deadline()`).
"""
from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, NamedTuple

import chinese_calendar

from i18n import Problem
from server.calendar import provisional

DEFAULT_EXTRA_FILE = Path(__file__).resolve().parents[2] / "data" / "calendar" / "extra_days.json"
UNITS = ("working", "calendar")
MAX_DAYS = 3660  # ten years: any longer "deadline" is a typo or hostile input
_cache: dict[tuple[str, float], dict] = {}
# Further sources of official years (the notices stored in CouchDB), registered by the application.
_sources: list[Callable[[], dict]] = []
log = logging.getLogger(__name__)


class Deadline(NamedTuple):
    """A counted deadline and whether it rests on days counted by rule rather than by a notice (暂定)."""
    day: date
    provisional: bool


def extra_file() -> Path:
    return Path(os.environ.get("CALENDAR_EXTRA_FILE") or DEFAULT_EXTRA_FILE)


def parse_extra(data, source: str = "extra") -> dict[int, dict[str, frozenset]]:
    """Check an operator's calendar (`{"2027": {"holidays": [...], "workdays": [...]}}`), keys starting
    with "_" being comments, and return {year: {"holidays": dates, "workdays": dates}}."""
    if not isinstance(data, dict):
        raise Problem("calendar.bad_extra", path=source, detail="{…}")
    years: dict[int, dict[str, frozenset]] = {}
    for key, entry in data.items():
        if str(key).startswith("_"):
            continue
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4) or not isinstance(entry, dict) \
                or not set(entry) <= {"holidays", "workdays"}:
            raise Problem("calendar.bad_extra", path=source, detail=str(key)[:20])
        year = int(key)
        days = {kind: frozenset(_dates(entry.get(kind, []), year, source)) for kind in ("holidays", "workdays")}
        both = days["holidays"] & days["workdays"]
        if both:
            raise Problem("calendar.bad_extra_both", path=source, day=min(both).isoformat())
        years[year] = days
    return years


def _dates(values, year: int, source: str) -> list[date]:
    if not isinstance(values, list) or len(values) > 366:
        raise Problem("calendar.bad_extra", path=source, detail=str(year))
    out = []
    for value in values:
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise Problem("calendar.bad_extra", path=source, detail=str(value)[:20]) from None
        if day.year != year:
            raise Problem("calendar.bad_extra_year", path=source, day=day.isoformat(), year=year)
        out.append(day)
    return out


def load_extra(path: Path | str | None = None) -> dict[int, dict[str, frozenset]]:
    """The operator's calendar from its file (none if the file does not exist), re-read when it changes."""
    path = Path(path) if path else extra_file()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return {}
    key = (str(path), mtime)
    if key not in _cache:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Problem("calendar.bad_extra", path=path.name, detail=type(exc).__name__) from exc
        _cache.clear()
        _cache[key] = parse_extra(data, path.name)   # the file's name, never its server path, in messages
    return _cache[key]


def add_source(source: Callable[[], dict]) -> None:
    """Register another source of official years ({year: {"holidays", "workdays"}}); later ones win."""
    if source not in _sources:
        _sources.append(source)


def official_years(strict: bool = False) -> dict[int, dict[str, frozenset]]:
    """The file's years merged with the registered sources'. A broken file counts as absent unless
    `strict` (the status page shows why): a typo in it must not take every deadline page down."""
    try:
        years = dict(load_extra())
    except Problem:
        if strict:
            raise
        log.warning("the calendar file is malformed: its years are counted by rule until it is fixed")
        years = {}
    for source in _sources:
        years.update(source())
    return years


def _as_date(day) -> date:
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise Problem("calendar.bad_date", value=str(day)[:30])
    return day


def is_working_day(day: date, extra: dict | None = None) -> bool:
    """True on a working day: Monday-Friday unless a holiday, plus the weekend make-up days (调休上班).

    `extra` is a parsed operator calendar (see parse_extra); None reads the file and the stored notices.
    A year known to neither nor to the package is counted by rule (provisional.py), never refused.
    """
    day = _as_date(day)
    years = official_years() if extra is None else extra
    own = years.get(day.year)
    if own is not None:
        if day in own["workdays"]:
            return True
        if day in own["holidays"]:
            return False
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if own is not None:  # a year only the operator knows: what it does not list is an ordinary day
            return day.weekday() < 5
        return provisional.is_working_day(day)


def known_until(extra: dict | None = None, strict: bool = False) -> date:
    """The last day working days are counted officially: 31 December of the last year of the unbroken run
    of years the package or the operator's calendar knows. A deadline past it is provisional (暂定)."""
    years = official_years(strict) if extra is None else extra
    last = max(chinese_calendar.holidays).year
    while last + 1 in years:
        last += 1
    return date(last, 12, 31)


def add_days(start: date, n: int, unit: str = "working", extra: dict | None = None, *,
             roll_forward: bool = False) -> date:
    """The date n days after `start`; counting starts the day after `start` (n = 0 gives `start`).

    unit "working" counts only working days. unit "calendar" counts every day; with roll_forward a
    period whose last day is a rest day ends on the next working day instead (民法典 art. 203).
    """
    start = _as_date(start)
    if unit not in UNITS:
        raise Problem("calendar.bad_unit", unit=str(unit)[:20])
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_DAYS:
        raise Problem("calendar.bad_count", value=str(n)[:20], max=MAX_DAYS)
    years = official_years() if extra is None else extra
    if unit == "calendar":
        end = start + timedelta(days=n)
        while roll_forward and not is_working_day(end, years):
            end += timedelta(days=1)
        return end
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, years):
            counted += 1
    return day


def deadline(start: date, n: int, unit: str = "working", extra: dict | None = None, *,
             roll_forward: bool = False) -> Deadline:
    """add_days, and whether the result is provisional: working days counted, or a period rolled
    forward, past the last officially known day (a year counted by rule)."""
    years = official_years() if extra is None else extra
    end = add_days(start, n, unit, years, roll_forward=roll_forward)
    counted = unit == "working" or roll_forward
    return Deadline(end, counted and end > known_until(years))
