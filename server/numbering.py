"""Document numbers (文书编号): `(济南)应急检记〔2026〕12号`, one sequence per kind, region and year, never reused.

A number is taken once, when its document comes into being, and stored on that document. The counter
`counter:<kind>:<region>:<year>` in `records` moves with CouchDB's optimistic concurrency: two requests
that read the same value both try to write value + 1, one gets 409 and tries again with the new value.
A failure after taking a number leaves a gap; a gap is honest, a number given twice is not.

On an Apache CouchDB 3 cluster the counter is read and written by its ID, which CouchDB does at quorum
(r = w = a majority of the copies; views, `_all_docs` and `_changes` read one copy and may lag), so the
next reader sees the last write. A write that reached fewer copies than a quorum (202 Accepted: nodes are
down) could be overtaken by a writer on the other copies; its number is not issued (503, a gap).
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from flask import current_app

from schemas import regions
from sync.couch import Conflict, Database, Unavailable

# kind → the word of the number (DOMAIN.md): 现场检查记录, 现场处理措施决定书, 责令限期整改指令书, 整改复查意见书.
KINDS = {"record": "应急检记", "decision": "应急现决", "order": "应急责改", "reinspection": "应急复查"}
SHANGHAI = timezone(timedelta(hours=8))
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|地区|省|市|区|县|盟|旗)$")
MAX_ATTEMPTS = 100


def counter_id(kind: str, region: str, year: int) -> str:
    return f"counter:{kind}:{region}:{year}"


def default_short_name(region: str) -> str:
    """The region's name without its administrative suffix: 济南市 → 济南, 历下区 → 历下, 平阴县 → 平阴."""
    full = regions.name(region) or region
    short = _SUFFIX.sub("", full)
    return short or full


def short_names() -> dict[str, str]:
    """DOC_REGION_SHORTS (JSON, region code → short name), checked at start-up by Config."""
    raw = current_app.config.get("DOC_REGION_SHORTS") or "{}"
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def short_name(region: str) -> str:
    return short_names().get(region) or default_short_name(region)


def format_number(kind: str, short: str, year: int, n: int) -> str:
    return f"({short}){KINDS[kind]}〔{year}〕{n}号"


def local_year(now: datetime | None = None) -> int:
    return (now or datetime.now(timezone.utc)).astimezone(SHANGHAI).year


def next_number(db: Database, kind: str, region: str, year: int | None = None) -> dict:
    """Take the next number of `kind` for `region` in `year` (default: this year in Asia/Shanghai).

    Returns {"number": text, "n": sequence, "kind", "region", "year"}; raises Conflict only if the counter
    stayed contested for MAX_ATTEMPTS rounds.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    regions.validate_region(region)
    year = year or local_year()
    doc_id = counter_id(kind, region, year)
    for _attempt in range(MAX_ATTEMPTS):
        doc = db.get_or_none(doc_id) or {"_id": doc_id, "type": "counter", "kind": kind, "region": region,
                                          "year": year, "value": 0}
        doc["value"] += 1
        try:
            if _put(db, doc) == 202:
                raise Unavailable(503, "no_quorum", f"counter {doc_id}: written to fewer copies than a quorum")
        except Conflict:
            continue
        short = short_name(region)
        return {"number": format_number(kind, short, year, doc["value"]), "n": doc["value"], "kind": kind,
                "region": region, "year": year}
    raise Conflict(409, "conflict", f"counter {doc_id} stayed contested")


def _put(db: Database, doc: dict) -> int:
    """Write the counter; its status: 201, or 202 when CouchDB could not reach a quorum of copies."""
    resp = db.server.request("PUT", f"{db.path}/{quote(doc['_id'], safe='')}", json=doc)
    if resp.status_code not in (201, 202):
        raise db.server._error(resp)  # Conflict on 409, as Database.put
    doc["_rev"] = resp.json()["rev"]
    return resp.status_code
