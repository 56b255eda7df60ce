"""Reading an uploaded register (CSV or XLSX, told apart by content) into rows of canonical fields.

Line numbers are those a person sees in Excel: the header is line 1 and blank lines keep their number. In a
CSV they are records, so a cell holding a line break does not shift the rows after it (as in Excel).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from openpyxl.utils import get_column_letter

from i18n import Problem, current_locale, t
from server.registry.tabular import xlsx
from server.registry.tabular.cells import SCIENTIFIC, clean
from server.registry.tabular.columns import fields_of, map_headers

EXCEL_ROWS = 1_048_576
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, .et, and any password-protected workbook
_OTHER_FORMATS = ((b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
                  (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"RIFF", "RIFF"), (b"Rar!", "RAR"),
                  (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"{\\rtf", "RTF"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RowProblem:
    """A structural problem of one row (line) or one cell (line and field); collected, never raised."""
    line: int
    field: str | None
    code: str
    params: dict = dataclasses.field(default_factory=dict)

    def message(self, locale: str | None = None) -> str:
        return t(self.code, locale, **self.params)


@dataclass
class ParsedTable:
    """Every non-empty row as (line, {field: text}), the problems found, and field → header as written."""
    rows: list[tuple[int, dict[str, str]]]
    problems: list[RowProblem]
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def read_table(data: bytes, filename: str, kind: str, max_bytes: int = 20 * 1024 * 1024,
               max_rows: int = 200_000, locale: str | None = None) -> ParsedTable:
    """Parse an uploaded CSV or XLSX; raises Problem for what makes the whole file unusable.

    `locale` only chooses the language of header names listed in a Problem (default: the request's).
    """
    fields_of(kind)
    locale = locale or current_locale.get()
    if not data:
        raise Problem("tabular.empty")
    if len(data) > max_bytes:
        raise Problem("tabular.too_big", size_mb=f"{len(data) / 1048576:.1f}", max_mb=f"{max_bytes / 1048576:.1f}")
    line_limit = max(EXCEL_ROWS, max_rows + 1)
    if data.startswith(_ZIP):
        with xlsx.open_lines(data, kind, max_rows, line_limit) as lines:
            return assemble(lines, kind, max_rows, locale)
    _refuse_other_formats(data, filename)
    return assemble(csv_lines(decode(data), max_rows, line_limit), kind, max_rows, locale)


def _refuse_other_formats(data: bytes, filename: str) -> None:
    if data.startswith(_OLE2):
        raise Problem("tabular.legacy_xls")
    for magic, name in _OTHER_FORMATS:
        if data.startswith(magic):
            raise Problem("tabular.not_a_table", format=name)
    if filename.lower().endswith((".xlsx", ".xlsm")):  # named a workbook but not a ZIP: damaged
        raise Problem("tabular.xlsx_unreadable")


def decode(data: bytes) -> str:
    """CSV text as Excel in China saves it: UTF-8 (BOM or not), GB18030/GBK, or UTF-16 with its BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in data:  # binary, or UTF-16 without the BOM that would say which byte order
        raise Problem("tabular.encoding")
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):  # decodes, but holds characters no typed table has: binary
            break
        if text.lstrip("\ufeff \t\r\n")[:1] == "<":  # "xls" exports that are really HTML or XML
            raise Problem("tabular.markup")
        return text
    raise Problem("tabular.encoding")


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon, judged on the header line only (data cells may hold any of them)."""
    header = next((line for line in text[:65536].splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=",\t;").delimiter
    except csv.Error:
        return ","


def csv_lines(text: str, max_rows: int, line_limit: int) -> Iterator[xlsx.Line]:
    """The non-empty records of a CSV text as Lines (a CSV holds text only, so nothing lost digits)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    line = 0
    try:
        for record in reader:
            line += 1
            if line > line_limit:
                raise Problem("tabular.too_many_rows", max=max_rows)
            cells = {index: value for index, value in enumerate(map(clean, record)) if value}
            if cells:
                yield line, cells, frozenset()
    except csv.Error:  # an unclosed quote or text after a closing quote: say where, guess nothing
        raise Problem("tabular.csv_malformed", line=line + 1) from None


@dataclass
class _Layout:
    columns: list[str | None]
    written: dict[str, str]
    required: list[str]


def assemble(lines: Iterable[xlsx.Line], kind: str, max_rows: int, locale: str) -> ParsedTable:
    """Header line, then rows; never drops a row: problems are reported beside the rows, not instead."""
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        raise Problem("tabular.empty")
    header_line, header_cells, _ = first
    width = max(header_cells) + 1
    columns, written = map_headers(kind, [header_cells.get(i, "") for i in range(width)], header_line, locale)
    layout = _Layout(columns, written, [f for f, _, _, req in fields_of(kind) if req])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    for line, cells, lossy in lines:
        if len(rows) >= max_rows:
            raise Problem("tabular.too_many_rows", max=max_rows)
        rows.append((line, _row(line, cells, lossy, layout, problems)))
    if not rows:
        raise Problem("tabular.no_rows")
    return ParsedTable(rows, problems, written)


def _column_name(index: int) -> str:
    """The column as Excel names it (A, B, … XFD); past Excel's last column, its number."""
    return get_column_letter(index + 1) if index < 16384 else f"#{index + 1}"


def _row(line: int, cells: dict[int, str], lossy: frozenset[int], layout: _Layout, problems: list) -> dict[str, str]:
    row = {f: "" for f in layout.written}
    stray: list[str] = []
    for index, cell in cells.items():
        field_name = layout.columns[index] if index < len(layout.columns) else None
        if field_name is None:
            stray.append(_column_name(index))
            continue
        row[field_name] = cell
        header = layout.written[field_name]
        if index in lossy:
            problems.append(RowProblem(line, field_name, "tabular.number_precision",
                                       {"header": header, "value": cell}))
        elif ("E" in cell or "e" in cell) and SCIENTIFIC.match(cell):
            problems.append(RowProblem(line, field_name, "tabular.scientific_notation",
                                       {"header": header, "value": cell}))
    if stray:
        problems.append(RowProblem(line, None, "tabular.extra_cells", {"columns": ", ".join(stray[:10])}))
    for name in layout.required:
        if not row[name]:
            problems.append(RowProblem(line, name, "tabular.required_empty", {"header": layout.written[name]}))
    return row
