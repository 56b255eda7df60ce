"""Who issues a document and where it may be appealed, per region (DOC_AUTHORITIES, with defaults)."""
from __future__ import annotations

import json

from schemas import regions
from server.config import ConfigError

FIELDS = ("name", "reconsideration", "court")


def parse(raw: str) -> dict[str, dict]:
    """DOC_AUTHORITIES: JSON {region code: {name, reconsideration, court}}, every part optional.
    Refused at start-up with a message naming the bad entry, never half-applied."""
    if not raw or not raw.strip():
        return {}
    try:
        table = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"DOC_AUTHORITIES must be JSON ({exc.msg} at position {exc.pos})") from exc
    if not isinstance(table, dict):
        raise ConfigError("DOC_AUTHORITIES must be a JSON object of region code → {name, reconsideration, court}")
    for code, entry in table.items():
        if not regions.is_known(code):
            raise ConfigError(f"DOC_AUTHORITIES: {code!r} is not a region code of the table in use")
        if not isinstance(entry, dict) or set(entry) - set(FIELDS) or not all(
                isinstance(v, str) and 0 < len(v.strip()) <= 60 for v in entry.values()):
            raise ConfigError(f"DOC_AUTHORITIES[{code!r}] must have only {', '.join(FIELDS)}, "
                              "each a name of at most 60 characters")
    return table


def full_name(code: str) -> str:
    """济南市历下区 for 370102: the region's name behind its prefecture's (provinces are not repeated)."""
    own = regions.name(code) or ""
    parent = regions.parent(code)
    if parent and regions.level(parent) == "prefecture" and regions.level(code) == "county":
        return (regions.name(parent) or "") + own
    return own


def authority(code: str | None, table: dict[str, dict]) -> dict[str, str]:
    """The issuing bureau and the appeal bodies for a document of region `code`.

    `name` and `reconsideration` come from the entry of `code` itself (a county's bureau is not its
    city's); `court` from the nearest entry at or above it, since a city often sends all administrative
    cases to one court (集中管辖). Defaults: the region's bureau (…应急管理局), its people's government
    (which hears reconsideration of its departments' acts under the 2023 行政复议法) and its basic court."""
    known = regions.is_known(code)
    own = table.get(code, {}) if known else {}
    court, cursor = "", code if known else None
    while cursor and not court:
        court = table.get(cursor, {}).get("court", "").strip()
        cursor = regions.parent(cursor)
    place = full_name(code) if known else ""
    return {"name": own.get("name", "").strip() or (place + "应急管理局" if place else "应急管理部门"),
            "reconsideration": own.get("reconsideration", "").strip() or (place + "人民政府" if place else ""),
            "court": court or (place + "人民法院" if place else "")}
