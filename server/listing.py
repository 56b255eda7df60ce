"""Key-paged lists over the console view (sync/ddocs/records/console): one key range, filters on the rows'
values, and an opaque cursor instead of `skip`, so page 500 costs what page 1 costs."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from i18n import Problem
from schemas.regions import filter_prefix
from sync.couch import Database

DDOC, VIEW = "console", "index"
HIGH = "\ufff0"
SCAN_BUDGET = 1000      # rows read for one page at most when filters drop rows; then the page ends early
MAX_CURSOR = 600
SHANGHAI = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class KeyRange:
    """Rows whose key is `fixed` + [value, doc id], value in [low, high); newest first when descending."""
    fixed: tuple
    low: str = ""
    high: str = HIGH
    descending: bool = False

    def bounds(self) -> tuple[list, list]:
        low, high = [*self.fixed, self.low], [*self.fixed, self.high]
        return (high, low) if self.descending else (low, high)

    def holds(self, key) -> bool:
        """A cursor from this very query: same fixed part, a value inside the range, a short doc id."""
        n = len(self.fixed)
        return (isinstance(key, list) and len(key) == n + 2 and key[:n] == list(self.fixed)
                and all(isinstance(k, str) and len(k) <= 120 for k in key[n:])
                and self.low <= key[n] <= self.high)


def encode_cursor(key: list) -> str:
    raw = json.dumps(key, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None, key_range: KeyRange) -> list | None:
    """The key a cursor stands for; Problem("list.bad_cursor") if it is malformed or from another query
    (a cursor cannot move a reader outside the range, and so outside their region)."""
    if not text:
        return None
    try:
        if len(text) > MAX_CURSOR:
            raise ValueError
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Problem("list.bad_cursor") from None
    if not key_range.holds(key):
        raise Problem("list.bad_cursor")
    return key


def scan(db: Database, key_range: KeyRange, keep: Callable[[list], bool] | None, limit: int,
         cursor: str | None = None, budget: int = SCAN_BUDGET) -> tuple[list[dict], str | None]:
    """Up to `limit` rows of the range that `keep` accepts, and the cursor of the next page (None at the end).

    With filters, at most `budget` rows are read; a page may then hold fewer than `limit` rows and still
    have a cursor, so a very selective filter costs the reader a click, never the server a long scan.
    """
    start, end = key_range.bounds()
    after = decode_cursor(cursor, key_range)
    skip = 0
    if after is not None:
        start, skip = after, 1
    out: list[dict] = []
    read = 0
    batch = limit + 1 if keep is None else min(max(limit * 4, 100), 500)
    while True:
        rows = db.view(DDOC, VIEW, startkey=start, endkey=end, descending=key_range.descending,
                       limit=batch, skip=skip)["rows"]
        for i, row in enumerate(rows):
            read += 1
            if keep is None or keep(row["value"]):
                out.append(row)
                if len(out) == limit:
                    more = i < len(rows) - 1 or len(rows) == batch
                    return out, encode_cursor(row["key"]) if more else None
        if len(rows) < batch:
            return out, None
        start, skip = rows[-1]["key"], 1
        if read >= budget:
            return out, encode_cursor(rows[-1]["key"])


def narrowed_prefix(scope: str, region: str | None) -> str | None:
    """The region prefix to list: the scope, narrowed by a filter inside it; None if the filter lies
    outside the scope (nothing to show). A wider filter never widens the scope."""
    narrow = filter_prefix(region) if region else ""
    if narrow and not narrow.startswith(scope) and not scope.startswith(narrow):
        return None
    return narrow if len(narrow) > len(scope) else scope


def day_bounds(start: date | None, end: date | None) -> tuple[str, str]:
    """Dates as seen in Asia/Shanghai turned into the UTC text stored in keys: [start 00:00, end+1 00:00)."""
    def utc(day: date) -> str:
        moment = datetime.combine(day, time(0), SHANGHAI).astimezone(timezone.utc)
        return moment.isoformat(timespec="seconds")
    return (utc(start) if start else "", utc(end + timedelta(days=1)) if end else HIGH)


def all_rows(db: Database, key_range: KeyRange, keep, page: int = 1000, include_docs: bool = True,
             cap: int = 200_000):
    """Every row of a range that `keep` accepts, with its document, in pages (for exports)."""
    start, end = key_range.bounds()
    skip, given = 0, 0
    while given < cap:
        rows = db.view(DDOC, VIEW, startkey=start, endkey=end, descending=key_range.descending, limit=page,
                       skip=skip, include_docs=include_docs)["rows"]
        for row in rows:
            if keep is None or keep(row["value"]):
                given += 1
                yield row
        if len(rows) < page:
            return
        start, skip = rows[-1]["key"], 1
