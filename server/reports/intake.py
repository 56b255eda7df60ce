"""The public report form's fields: checked into a clean dict, or a message per field (pure, no I/O).

Every field is bounded and stripped of control characters; text is kept as typed (the templates escape
it), so a script in it is stored as words and shown as words. The form is re-rendered with what was typed
on any refusal, so the checks may be strict without costing the reporter their text.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from schemas import regions

LIMITS = {"enterprise_name": 100, "text": 5000, "location": 200, "name": 50, "contact": 100}
MIN_TEXT = 10
MAX_AGE_DAYS = 5 * 366
FIELDS = ("region", "enterprise_name", "text", "location", "happened_on", "name", "contact")
FLAGS = ("anonymous", "insider")
_CONTACT = re.compile(r"^[0-9+()\- ]{5,30}$|^[^@\s]{1,64}@[^@\s]{1,120}$")


def clean_text(value, limit: int) -> str:
    """Trimmed text without control or format characters (a newline or tab stays), cut at nothing:
    too long is an error the caller reports, not a silent cut."""
    if not isinstance(value, str):
        return ""
    kept = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.replace("\r", "").strip()[: limit * 4]


def typed(form) -> dict:
    """What the reporter typed, bounded, to put back into the form (never trusted)."""
    values = {name: clean_text(form.get(name, ""), LIMITS.get(name, 20)) for name in FIELDS}
    values.update({flag: form.get(flag) in ("1", "on", "true") for flag in FLAGS})
    return values


def check(values: dict, today: date, offered_regions: set[str] | None) -> tuple[dict, dict]:
    """(clean report fields, {field: message key}) for typed values. `offered_regions`: the regions the
    standalone form may name (None when the site fixes the region)."""
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            errors[name] = "report.too_long"
    text = values.get("text", "")
    if len(text) < MIN_TEXT:
        errors.setdefault("text", "report.text_short")
    if offered_regions is not None:
        region = values.get("region", "")
        if region not in offered_regions or not regions.is_known(region):
            errors["region"] = "report.region_required"
        if not values.get("enterprise_name"):
            errors.setdefault("enterprise_name", "report.enterprise_required")
    happened = _day(values.get("happened_on", ""), today)
    if happened is False:
        errors["happened_on"] = "report.date_bad"
    if not values.get("anonymous"):
        if not values.get("name"):
            errors.setdefault("name", "report.name_required")
        if not _CONTACT.fullmatch(values.get("contact", "")):
            errors.setdefault("contact", "report.contact_bad")
    clean = {"enterprise_name": values.get("enterprise_name", ""), "text": text,
             "location": values.get("location", ""), "happened_on": happened or None,
             "insider": bool(values.get("insider")), "anonymous": bool(values.get("anonymous")),
             "region": values.get("region", "")}
    return clean, errors


def _day(text: str, today: date):
    """A date in [today - MAX_AGE_DAYS, today]; "" → None; anything else → False."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return False
    if not today - timedelta(days=MAX_AGE_DAYS) <= day <= today or len(text) != 10:
        return False
    return day.isoformat()


def region_choices(root: str) -> list[tuple[str, str]]:
    """(code, name) of the root region and every known region under it, for the standalone form."""
    if not regions.is_known(root):
        return []
    return [(root, regions.name(root))] + [(code, regions.name(code)) for code in regions.under(root)]
