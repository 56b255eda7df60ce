"""XLSX uploads read safely: archive limits and an XML check before openpyxl sees the file, then rows of text."""
from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from itertools import compress, repeat
from operator import is_not
from typing import Iterator

import openpyxl

from i18n import LOCALES, Problem, t
from server.registry.tabular.cells import clean, lost_digits, value_text
from server.registry.tabular.columns import header_key
from server.registry.tabular.deadline import import_deadline

MAX_UNZIPPED = 100 * 1024 * 1024
MAX_MEMBERS = 1000
# openpyxl holds every shared string in memory, even read-only: a 3.4 MB file whose sharedStrings.xml
# unpacked to 100 MB took 243 s and 420 MB (issue 17). A register of 200,000 rows of text needs far less.
MAX_SHARED_STRINGS = 24 * 1024 * 1024
# Every markup construct that lets XML expand or fetch (entities, external DTDs) needs a DOCTYPE, and
# Excel never writes one; refusing it outright does not depend on which XML parser openpyxl ends up using
# (defusedxml is not installed; the standard library's expat 2.4+ also caps entity expansion).
_DOCTYPE = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_CHUNK = 1 << 20
_BLANK = frozenset((None, ""))

# (line number, {column index: text} for the non-empty cells, indexes of numbers that lost digits)
Line = tuple[int, dict[int, str], frozenset[int]]


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def check_archive(data: bytes, max_unzipped: int = MAX_UNZIPPED, max_members: int = MAX_MEMBERS) -> None:
    """Refuse a ZIP that would unpack too large or too many parts, is not a workbook, or carries a DTD.

    Sizes come from the central directory, checked before anything is unpacked; zipfile never yields more
    than a member's declared size, so the declared total bounds the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > max_members or sum(m.file_size for m in members) > max_unzipped:
                raise Problem("tabular.xlsx_too_large", max_mb=_mb(max_unzipped), max_parts=max_members)
            if any(m.filename.lower().endswith("sharedstrings.xml") and m.file_size > MAX_SHARED_STRINGS
                   for m in members):
                raise Problem("tabular.xlsx_strings_too_large", max_mb=_mb(MAX_SHARED_STRINGS))
            if "[Content_Types].xml" not in {m.filename for m in members}:
                raise Problem("tabular.not_xlsx")
            # Every part, whatever its name: relationships decide what openpyxl parses as XML.
            if any(_has_doctype(archive, m) for m in members):
                raise Problem("tabular.xlsx_unsafe")
    except Problem:
        raise
    except Exception:  # noqa: BLE001 - hostile input: any failure of the ZIP layer means "unreadable"
        raise Problem("tabular.xlsx_unreadable") from None


def _has_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DOCTYPE):
                return True
            tail = window[-32:]
    return False


def _pick_sheet(book, kind: str):
    """The sheet named for the register (企业 / 检查人员, or the English name), else the first visible one."""
    wanted = {header_key(t(f"tabular.sheet.{kind}", loc)) for loc in LOCALES}
    sheets = book.worksheets
    for sheet in sheets:
        if header_key(sheet.title) in wanted:
            return sheet
    visible = [s for s in sheets if s.sheet_state == "visible"] or sheets
    if not visible:
        raise Problem("tabular.empty")
    return visible[0]


@contextmanager
def open_lines(data: bytes, kind: str, max_rows: int, line_limit: int) -> Iterator[Iterator[Line]]:
    """The non-empty rows of the register's sheet as Lines, numbered as Excel numbers its rows."""
    check_archive(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many types on a damaged or crafted file
        raise Problem("tabular.xlsx_unreadable") from None
    try:
        sheet = _pick_sheet(book, kind)
        # The <dimension> a file declares is not trusted: it would make openpyxl pad every row to it.
        sheet.reset_dimensions()
        yield _lines(sheet, max_rows, line_limit)
    finally:
        book.close()


def _lines(sheet, max_rows: int, line_limit: int) -> Iterator[Line]:
    # Rows are as wide as their right-most cell, so a stray cell at column XFD makes a row 16,384 wide;
    # a budget of cells keeps a crafted sheet from costing minutes while nothing is silently cut off.
    budget = max(50 * max_rows, 1_000_000)
    deadline = import_deadline()
    try:
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            budget -= len(values)
            if line % 1000 == 0:
                deadline.check(line)
            if line > line_limit:
                raise Problem("tabular.too_many_rows", max=max_rows)
            if budget < 0:
                raise Problem("tabular.too_wide")
            if _BLANK.issuperset(values):
                continue
            cells, lossy = _row(values)
            if cells:
                yield line, cells, lossy
    except Problem:
        raise
    except Exception:  # noqa: BLE001 - a part that breaks halfway is as unreadable as one that never opens
        raise Problem("tabular.xlsx_unreadable") from None


def _row(values: tuple) -> tuple[dict[int, str], frozenset[int]]:
    # Positions of the cells that hold something, found at C speed: a sparse row 16,384 wide costs
    # little more than the few cells it really has.
    present = compress(range(len(values)), map(is_not, values, repeat(None)))
    cells = {}
    lossy = []
    for index in present:
        value = values[index]
        text = clean(value if value.__class__ is str else value_text(value))
        if text:
            cells[index] = text
            if lost_digits(value):
                lossy.append(index)
    return cells, frozenset(lossy)
