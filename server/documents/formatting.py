"""How enforcement documents write dates, times, numbers and free text (pure; no I/O)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

# China Standard Time. A fixed offset is exact: the mainland has kept UTC+8 without daylight saving since
# 1991, and every stored time carries its own offset (DOMAIN.md: store UTC, show Asia/Shanghai).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# The document kinds' words in a number, DOMAIN.md: (区划简称)应急检记〔YYYY〕N号 and the others.
MAX_NUMBER_CHARS = 60

# C0/C1 controls except tab and newline, and the bidirectional overrides/isolates that could make
# printed text read differently from what was stored (a "Trojan Source" style trick).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_time(value) -> datetime | None:
    """An ISO-8601 time with its offset (Z or ±hh:mm); None for anything else (never a guessed zone)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def local_time(value) -> datetime | None:
    moment = parse_time(value)
    return moment.astimezone(SHANGHAI) if moment else None


def as_date(value) -> date | None:
    """A calendar date from a date, 'YYYY-MM-DD', or a time with offset (its day in Asia/Shanghai)."""
    if isinstance(value, datetime):
        moment = local_time(value)
        return moment.date() if moment else None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    moment = local_time(value)
    return moment.date() if moment else None


def date_cn(value) -> str:
    """2026年12月1日 (no leading zeros, as official documents write dates); '' when unknown."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def clock_cn(moment: datetime) -> str:
    """9时05分: to the minute, minutes always two digits."""
    return f"{moment.hour}时{moment.minute:02d}分"


def datetime_cn(value) -> str:
    """2026年12月1日9时05分 in Asia/Shanghai; '' when the time is missing or has no offset."""
    moment = local_time(value)
    return f"{date_cn(moment)}{clock_cn(moment)}" if moment else ""


def period_cn(start, end) -> str:
    """检查时间: '2026年5月6日9时05分至11时20分', the end's date repeated only when it is another day."""
    first, last = local_time(start), local_time(end)
    if not first:
        return ""
    if not last:
        return datetime_cn(first) + "至"
    tail = clock_cn(last) if last.date() == first.date() else datetime_cn(last)
    return f"{datetime_cn(first)}至{tail}"


def clean(value, limit: int | None = None) -> str:
    """Text as it may be printed: invisible and control characters removed, line ends unified,
    Unicode normalised (NFC). Markup stays text: the templates escape it. `limit` cuts overlong names."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text.replace("\t", " ")).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return text


def display_number(stored) -> str | None:
    """A number stored on its source document, typeset with full-width brackets; None if absent or
    not a plausible number (a document without one is a draft: the documents never invent one)."""
    if not isinstance(stored, str):
        return None
    text = clean(stored)
    if not text or len(text) > MAX_NUMBER_CHARS or "\n" in text:
        return None
    return text.replace("(", "（").replace(")", "）").replace("[", "〔").replace("]", "〕")


def grade_label(grade) -> str:
    return {"major": "重大事故隐患", "general": "一般事故隐患"}.get(grade, "")


def coordinates_cn(position) -> str:
    """北纬36.66010°，东经117.05020°（精度约12米，WGS-84） from a phone's fix; '' without one."""
    if not isinstance(position, dict):
        return ""
    try:
        lat, lng = float(position["lat"]), float(position["lng"])
    except (KeyError, TypeError, ValueError):
        return ""
    ns, ew = ("北纬" if lat >= 0 else "南纬"), ("东经" if lng >= 0 else "西经")
    text = f"{ns}{abs(lat):.5f}°，{ew}{abs(lng):.5f}°"
    accuracy = position.get("accuracy_m")
    if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool):
        text += f"（精度约{round(accuracy)}米，WGS-84）"
    return text
