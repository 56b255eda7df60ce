"""Cell text both ways: numbers and dates to plain text, whitespace trimmed, CSV-injection escapes (OWASP)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

# OWASP "CSV injection": a cell starting with one of these may be run as a formula by a spreadsheet.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = ("=", "+", "-", "@")
# Characters XML 1.0 (and so XLSX) cannot hold; they only ever arrive by accident.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Every character str.strip() removes, plus the zero-width ones pasted from web pages or chat apps:
# invisible, but enough to break a code. One strip() with an explicit set is the fast path.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + _INVISIBLE
# Excel's General format for a long number: 9.11101E+17; the digits beyond the sixth are gone.
SCIENTIFIC = re.compile(r"^-?\d(\.\d+)?[eE][+-]\d{1,3}$")
# Excel keeps 15 significant digits; an integer this long stored as a number has lost its tail.
EXACT_LIMIT = 1e15


def _needs_escape(value: str) -> bool:
    # Apostrophes already in front are skipped so that '=x (an escaped =x) is itself escaped on export
    # and `restore` undoes exactly one level: restore(neutralise(v)) == v for every v.
    bare = value.lstrip("'")
    return bare.startswith(TRIGGERS) or bare.lstrip()[:1] in _FORMULA_START


def neutralise(value: str) -> str:
    """The value with a leading ' when a spreadsheet could read it as a formula (=, +, -, @, tab, CR).

    A leading space does not stop every spreadsheet from evaluating, so the first visible character counts too.
    """
    return "'" + value if _needs_escape(value) else value


def restore(value: str) -> str:
    """Undo `neutralise` on import, so that an exported file read back gives the same values."""
    return value[1:] if value[:1] == "'" and _needs_escape(value) else value


def clean(value: str) -> str:
    """A cell as typed: surrounding spaces (of any width) and invisible characters removed, escape undone."""
    text = value.strip(_SPACE)
    return restore(text).lstrip(_SPACE) if text[:1] == "'" else text


def number_text(value: float | int) -> str:
    """A number as the digits a person typed: 3.70102e5 → 370102, 13800000000.0 → 13800000000."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        # Past 15 digits the binary float has noise Excel never showed (…012032 for …012000): print the
        # shortest decimal that reads back as this float, which is what the person saw.
        return str(int(value)) if abs(value) < EXACT_LIMIT else format(Decimal(repr(value)).to_integral_value(), "f")
    # repr is the shortest text that reads back as the same float; 'f' avoids exponents (1e-05).
    return format(Decimal(repr(value)), "f")


def lost_digits(value) -> bool:
    """True for a float holding a whole number too long for Excel to have kept exactly."""
    return isinstance(value, float) and value.is_integer() and abs(value) >= EXACT_LIMIT


def value_text(value) -> str:
    """Any value openpyxl (or a caller of the export) hands over, as cell text; dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) and not value.tzinfo else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple)):
        return "、".join(value_text(item) for item in value)  # the separator the import splits on
    return str(value)


def export_text(value) -> str:
    """A value as a safe cell for export: text, control characters dropped, formula triggers escaped."""
    return neutralise(CONTROL.sub("", value_text(value)))
