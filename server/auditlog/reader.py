"""Queries over the audit database: filtered, key-paged (by entry id, which is time-ordered; never `skip`), and CSV rows."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from server import clock
from server.accounts import roles
from server.listing import day_bounds
from sync.couch import Database

AUDITOR = "auditor"
READERS = (roles.ADMIN, AUDITOR)
EXPORT_MAX = 50_000
COLUMNS = ("seq", "at", "actor", "action", "subject", "details", "lane")   # seq counts within its lane (writer)
PREFIX = "audit:"


def may_read(user: dict | None) -> bool:
    return bool(user) and user.get("role") in READERS


def default_period(today: date | None = None) -> tuple[str, str]:
    today = today or clock.today()
    return (today - timedelta(days=30)).isoformat(), today.isoformat()


def selector(args: dict, after: str = "") -> dict:
    """Mango selector: period [since, until] by day as the bureau counts days (Asia/Shanghai; entries store UTC),
    exact actor, subject exact or as a prefix ending '*'."""
    start, end = day_bounds(date.fromisoformat(args["since"]), date.fromisoformat(args["until"]))
    sel: dict = {"_id": {"$gt": PREFIX + after, "$lt": "audit:\ufff0"}, "type": "audit", "at": {"$gte": start, "$lt": end}}
    if args.get("actor"):
        sel["actor"] = args["actor"]
    if args.get("action"):
        sel["action"] = args["action"]
    subject = args.get("subject")
    if subject and subject.endswith("*"):
        sel["subject"] = {"$gte": subject[:-1], "$lt": subject[:-1] + "\ufff0"}
    elif subject:
        sel["subject"] = subject
    return sel


def page(db: Database, args: dict) -> dict:
    """Oldest first inside the period; `next` is the cursor to continue after (None at the end): the last
    entry's id without its prefix. Ids begin with the entry's time, so their order is the log's order."""
    rows = db.find(selector(args, args.get("after") or ""), limit=args["per_page"] + 1)
    rows.sort(key=lambda e: e["_id"])
    items = rows[:args["per_page"]]
    more = len(rows) > args["per_page"]
    return {"items": [_public(e) for e in items],
            "next": items[-1]["_id"][len(PREFIX):] if more and items else None}


def _public(entry: dict) -> dict:
    return {**{k: entry.get(k) for k in COLUMNS}, "lane": entry.get("lane") or ""}


def export_rows(db: Database, args: dict):
    """Every matching entry (up to EXPORT_MAX), fetched a page at a time."""
    after, sent = "", 0
    while sent < EXPORT_MAX:
        got = page(db, {**args, "after": after, "per_page": 500})
        yield from got["items"]
        sent += len(got["items"])
        if got["next"] is None:
            return
        after = got["next"]


def to_csv(entries) -> str:
    """CSV with a BOM (Excel opens it as UTF-8); details as JSON; cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe."""
    import json
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in entries:
        row = [e["seq"], e["at"], e["actor"], e["action"], e["subject"],
               json.dumps(e.get("details") or {}, ensure_ascii=False, sort_keys=True), e["lane"]]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value) -> str:
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
