"""Document numbers (文书编号): `(济南)应急检记〔2026〕12号`, one sequence per kind, region and year, never reused.

A number is taken once, when its document comes into being, and stored on that document. Taking number n
is creating the document `number:<kind>:<region>:<year>:<n>` in `records`: a document is created once, so
two requests can never both take n, on one server or on an Apache CouchDB 3 cluster alike. The counter
`counter:<kind>:<region>:<year>` is only a hint of where the sequence stands (raised after each number,
never lowered); a request that finds n taken tries n + 1.

Why not a counter updated in place: on a cluster two updates of one document that race can both be
accepted, on different copies (one answered 201, the other 202), and leave the counter with two
revisions; later writers extending one revision or the other could then both write the same next value.
Creation has no such case: a copy accepts a document's creation once, and 201 means a majority of copies
(w) accepted this one, which two requests cannot both have. A creation answered 202 (fewer copies than a
quorum: nodes down, or another request's creation reached the rest) is not issued: that number is skipped.
A failure after taking a number leaves a gap; a gap is honest, a number given twice is not.
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
MAX_ATTEMPTS = 200
NO_QUORUM_TRIES = 3


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


def claim_id(kind: str, region: str, year: int, n: int) -> str:
    return f"number:{kind}:{region}:{year}:{n:06d}"


def next_number(db: Database, kind: str, region: str, year: int | None = None) -> dict:
    """Take the next number of `kind` for `region` in `year` (default: this year in Asia/Shanghai).

    Returns {"number": text, "n": sequence, "kind", "region", "year"}. Raises Unavailable (503 no_quorum)
    when CouchDB confirmed none of NO_QUORUM_TRIES creations in a row at a quorum of copies (nodes down),
    and Conflict if MAX_ATTEMPTS numbers in a row were taken by others.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    regions.validate_region(region)
    year = year or local_year()
    hint = db.get_or_none(counter_id(kind, region, year))
    n, short_of_quorum = int((hint or {}).get("value", 0)) + 1, 0
    for _attempt in range(MAX_ATTEMPTS):
        status = _create(db, {"_id": claim_id(kind, region, year, n), "type": "number_claim", "kind": kind,
                              "region": region, "year": year, "n": n})
        if status == 201:
            _raise_hint(db, kind, region, year, n)
            return {"number": format_number(kind, short_name(region), year, n), "n": n, "kind": kind,
                    "region": region, "year": year}
        if status == 202:
            short_of_quorum += 1
            if short_of_quorum >= NO_QUORUM_TRIES:
                raise Unavailable(503, "no_quorum", f"number {kind}/{region}/{year}: creations reach fewer "
                                                    "copies than a quorum")
        n += 1   # taken by another request, or not confirmed: the next one
    raise Conflict(409, "conflict", f"numbers of {kind}/{region}/{year} stayed contested")


def _create(db: Database, doc: dict) -> int:
    """Create the claim; 201 (confirmed at quorum), 202 (fewer copies) or 409 (exists)."""
    resp = db.server.request("PUT", f"{db.path}/{quote(doc['_id'], safe='')}", json=doc)
    if resp.status_code in (201, 202, 409):
        return resp.status_code
    raise db.server._error(resp)


def _raise_hint(db: Database, kind: str, region: str, year: int, n: int) -> None:
    """Move the counter up to `n` if it is lower; a lost race or an unconfirmed write only leaves the hint
    behind, which costs the next request a few tries, never a number."""
    doc_id = counter_id(kind, region, year)
    for _attempt in range(3):
        doc = db.get_or_none(doc_id) or {"_id": doc_id, "type": "counter", "kind": kind, "region": region,
                                          "year": year, "value": 0}
        if int(doc.get("value", 0)) >= n:
            return
        doc["value"] = n
        try:
            db.put(doc)
            return
        except Conflict:
            continue
