"""The State Council's holiday notices as an admin enters them: `calendar:<year>` documents in `registry`.

A notice lists the year's holidays (放假) and make-up working days (调休上班). Once saved, its year is
official: working days in it are counted from it (it wins over the package and over the operator's
file for the same year), and deadlines counted by rule are recounted (recount.py). Each process keeps
the stored years for NOTICE_CACHE_S seconds, so that counting a deadline costs no request.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import date

import chinese_calendar
from flask import has_app_context

from i18n import Problem, t
from server import audit
from server.calendar.workdays import add_source, parse_extra
from server.registry.store import now_iso
from sync.couch import Conflict, Database

log = logging.getLogger(__name__)
PREFIX = "calendar:"
NOTICE_CACHE_S = 30
MAX_DATES = 60          # a notice lists a few dozen days; more is a paste gone wrong
_SPLIT = re.compile(r"[\s,，、;；]+")
_cache: dict[str, tuple[float, dict]] = {}


def init_app(app) -> None:
    add_source(stored_years)


def notice_id(year: int) -> str:
    return f"{PREFIX}{year}"


def list_notices(db: Database) -> list[dict]:
    """Every stored notice, by year."""
    rows = db.all_docs(include_docs=True, startkey=PREFIX, endkey=PREFIX + "\ufff0")
    return [r["doc"] for r in rows if r.get("doc") and r["doc"].get("type") == "calendar_notice"]


def stored_years() -> dict:
    """{year: {"holidays", "workdays"}} of the stored notices (cached); none outside an application.
    A notice that no longer parses (edited by hand) is left out and logged, never raised: the status
    page names it, and deadlines in its year are counted by rule meanwhile."""
    if not has_app_context():
        return {}
    from server.db import registry
    db = registry()
    hit = _cache.get(db.name)
    if hit and time.monotonic() - hit[0] < NOTICE_CACHE_S:
        return hit[1]
    years: dict = {}
    for doc in list_notices(db):
        try:
            years.update(parse_extra({str(doc.get("year")): {"holidays": doc.get("holidays", []),
                                                             "workdays": doc.get("workdays", [])}},
                                     t("calendar.notice_source", year=doc.get("year"))))
        except Problem:
            log.warning("calendar notice %s is malformed; its year is counted by rule", doc.get("_id"))
    _cache[db.name] = (time.monotonic(), years)
    return years


def forget() -> None:
    """Drop this process's cache (after a save), so that the next deadline sees the new notice."""
    _cache.clear()


def parse_dates(text: str, field: str) -> list[str]:
    """Dates typed one per line (or separated by commas, 、 or spaces), as sorted unique ISO strings."""
    found = [part for part in _SPLIT.split(text or "") if part]
    if len(found) > MAX_DATES:
        raise Problem("calendar.notice_too_many", field=t(f"ui.calendar.{field}"), max=MAX_DATES)
    days = set()
    for part in found:
        try:
            days.add(date.fromisoformat(part).isoformat())
        except ValueError:
            raise Problem("calendar.notice_bad_date", field=t(f"ui.calendar.{field}"), value=part[:20]) from None
    return sorted(days)


def first_open_year() -> int:
    """The first year the package does not know: notices are for years after its last one."""
    return max(chinese_calendar.holidays).year + 1


def check_notice(year: int, holidays: list[str], workdays: list[str], today: date) -> None:
    """The year is one a notice can be for; dates sit in it, none twice; make-up days are weekends."""
    if not first_open_year() <= year <= today.year + 2:
        raise Problem("calendar.notice_bad_year", year=year, first=first_open_year(), last=today.year + 2)
    if not holidays:
        raise Problem("calendar.notice_no_holidays", year=year)
    parse_extra({str(year): {"holidays": holidays, "workdays": workdays}}, t("calendar.notice_source", year=year))
    weekday = next((d for d in workdays if date.fromisoformat(d).weekday() < 5), None)
    if weekday:
        raise Problem("calendar.notice_workday_weekday", day=weekday)


def save_notice(db: Database, audit_db: Database, actor: str, data: dict, today: date) -> dict:
    """Check and store the year's notice (replacing an earlier entry of it), audited with what changed."""
    year = data["year"]
    holidays, workdays = parse_dates(data["holidays"], "holidays"), parse_dates(data["workdays"], "workdays")
    check_notice(year, holidays, workdays, today)
    old = db.get_or_none(notice_id(year))
    doc = {"_id": notice_id(year), "type": "calendar_notice", "year": year, "holidays": holidays,
           "workdays": workdays, "reference": data["reference"], "entered_by": actor, "entered_at": now_iso()}
    if old:
        doc["_rev"] = old["_rev"]
    try:
        db.put_once(doc)
    except Conflict:
        raise Problem("calendar.notice_conflict", year=year) from None
    forget()
    audit.append(audit_db, actor, "calendar.notice", doc["_id"],
                 {"year": year, "reference": data["reference"], "holidays": holidays, "workdays": workdays,
                  "replaced": bool(old), **({"before": {"holidays": old.get("holidays"),
                                                        "workdays": old.get("workdays")}} if old else {})})
    return doc

