"""行政区划代码 (GB/T 2260): the region table as data, with lookups, parents and scope prefixes."""
from __future__ import annotations

import csv
import io
import os
import re
from functools import lru_cache
from pathlib import Path

from i18n import Problem

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "regions" / "gbt2260.csv"
LEVELS = ("province", "prefecture", "county")
# Province codes start at 11; a leading 0 would make "000000" a scope that contains everything.
_FORMAT = re.compile(r"[1-9][0-9]{5}")
_MAX_FILE_BYTES = 5_000_000  # the national table is ~80 KB; anything far larger is the wrong file


def table_path() -> Path:
    """The table in use: `REGIONS_FILE` when an operator set it, else the shipped file."""
    configured = os.environ.get("REGIONS_FILE", "").strip()
    return Path(configured) if configured else DEFAULT_PATH


def table() -> dict[str, tuple[str, str]]:
    """code → (name, level) of the table in use, read once per file and kept."""
    return _load(str(table_path()))


def pattern_level(code: str) -> str:
    """The level a well-formed code's shape implies: 370000 province, 370100 prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, tuple[str, str]]:
    try:
        raw = Path(path).read_bytes()[:_MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise Problem("region.file_missing", path=path) from exc
    if len(raw) > _MAX_FILE_BYTES:
        raise Problem("region.file_unreadable", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem("region.file_unreadable", path=path) from exc
    try:
        return _parse(path, text)
    except csv.Error as exc:  # e.g. a field past csv's size limit: not a region table
        raise Problem("region.file_unreadable", path=path) from exc


def _parse(path: str, text: str) -> dict[str, tuple[str, str]]:
    """Rows of `code,name[,level]`; the level column is optional (derived from the code's shape)."""
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:2] != ["code", "name"] or header[2:] not in ([], ["level"]):
        raise Problem("region.file_header", path=path)
    rows: dict[str, tuple[str, str]] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [cell.strip() for cell in cells] + [""] * 3
        code, label, kind = cells[0], cells[1], cells[2] or pattern_level(cells[0])
        if not _FORMAT.fullmatch(code) or not label or kind not in LEVELS or code in rows:
            raise Problem("region.file_row", path=path, line=line, text=",".join(cells[:3])[:60])
        rows[code] = (label, kind)
    if not rows:
        raise Problem("region.file_header", path=path)
    return rows


def _well_formed(code) -> bool:
    return isinstance(code, str) and bool(_FORMAT.fullmatch(code))


def validate_region(code) -> str:
    """The code itself if it is six digits and in the table; else Problem region.format / region.unknown."""
    if not _well_formed(code):
        shown = code[:20] if isinstance(code, str) else type(code).__name__
        raise Problem("region.format", code=shown)
    if code not in table():
        raise Problem("region.unknown", code=code)
    return code


def is_known(code) -> bool:
    return _well_formed(code) and code in table()


def name(code) -> str | None:
    """The region's name (历下区), or None for a code not in the table."""
    entry = table().get(code) if _well_formed(code) else None
    return entry[0] if entry else None


def level(code) -> str | None:
    """province, prefecture or county; None for a code not in the table."""
    entry = table().get(code) if _well_formed(code) else None
    return entry[1] if entry else None


def parent(code) -> str | None:
    """The nearest enclosing region in the table.

    Counties governed directly by a province (429004 仙桃市) and the districts of municipalities
    (110101 东城区) have no prefecture row in the table, so their parent is the province.
    """
    if not _well_formed(code):
        return None
    for candidate in (code[:4] + "00", code[:2] + "0000"):
        if candidate != code and candidate in table():
            return candidate
    return None


def scope_prefix(code) -> str:
    """The prefix every code under `code` starts with: 370000 → 37, 370100 → 3701, 370102 → 370102."""
    if not _well_formed(code):
        raise Problem("region.format", code=code[:20] if isinstance(code, str) else type(code).__name__)
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def filter_prefix(text: str) -> str:
    """A region filter as a prefix: a full code covers what lies under it (370100 → 3701); a shorter run
    of digits is already a prefix (37 = all of Shandong)."""
    return scope_prefix(text) if len(text) == 6 else text


def within(code, scope_code) -> bool:
    """True if `code` is `scope_code` or lies under it; False for anything malformed (never widens)."""
    if not (_well_formed(code) and _well_formed(scope_code)):
        return False
    return code.startswith(scope_prefix(scope_code))


def under(scope_code, level_name: str | None = None) -> list[str]:
    """Known codes under `scope_code` (itself excluded), optionally of one level, in code order."""
    prefix = scope_prefix(scope_code)
    return sorted(code for code, (_, lvl) in table().items()
                  if code != scope_code and code.startswith(prefix) and level_name in (None, lvl))
