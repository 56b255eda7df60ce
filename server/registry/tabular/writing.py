"""Writing the registers out: exports and downloadable templates, every cell text, formula triggers escaped."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from i18n import t
from server.registry.tabular.cells import export_text
from server.registry.tabular.columns import fields_of, written_fields_of

_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_WIDE = {"name": 30, "address": 40, "unit": 30, "uscc": 24, "sectors": 24, "avoid": 30, "enterprise_name": 30,
         "description": 40, "measures": 30, "contingency": 30, "order_number": 26, "opinion_number": 26}


def _language(locale: str) -> str:
    return "zh_CN" if locale.replace("-", "_").lower().startswith("zh") else "en"


def headers(kind: str, locale: str = "zh_CN") -> list[str]:
    """The column headers written for a register, Chinese or English."""
    zh = _language(locale) == "zh_CN"
    return [zh_header if zh else en_header for _, zh_header, en_header, _ in written_fields_of(kind)]


def write_table(rows: list[dict], kind: str, fmt: str, locale: str = "zh_CN") -> bytes:
    """Rows of canonical fields as CSV (UTF-8 with BOM, so Excel reads it) or XLSX, all cells as text.

    Keys that are not columns of the register are left out; lists are joined with 、.
    """
    names = [f for f, *_ in written_fields_of(kind)]
    body = ([export_text(row.get(name)) for name in names] for row in rows)
    if fmt == "csv":
        return _csv(headers(kind, locale), body)
    if fmt == "xlsx":
        return _xlsx(kind, _language(locale), body)
    raise ValueError(f"unknown format {fmt!r}; expected csv or xlsx")


def write_grid(header: list[str], rows, fmt: str, sheet: str) -> bytes:
    """Any table (statistics) as CSV or XLSX: text cells escaped like the registers', numbers kept as numbers
    (a number cannot be read as a formula, and a spreadsheet can then add them up)."""
    def cell(value):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else export_text(value)
    body = ([cell(value) for value in row] for row in rows)
    if fmt == "csv":
        return _csv([export_text(h) for h in header], body)
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        out = book.create_sheet(sheet[:31])
        for index, text in enumerate(header, start=1):
            out.column_dimensions[get_column_letter(index)].width = max(10, min(30, 2 * len(str(text)) + 2))
        out.append([export_text(h) for h in header])
        for values in body:
            out.append(values)
        return _save(book)
    raise ValueError(f"unknown format {fmt!r}; expected csv or xlsx")


def _csv(header: list[str], body) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx(kind: str, locale: str, body) -> bytes:
    # Write-only mode streams rows, so a register of 200,000 rows does not hold every cell object at once.
    # No value reaching here starts with "=" (export_text escapes it), so openpyxl stores each as a string.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t(f"tabular.sheet.{kind}", locale))
    for index, (name, *_) in enumerate(written_fields_of(kind), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDE.get(name, 16)
    sheet.append(headers(kind, locale))
    for row in body:
        sheet.append(row)
    return _save(book)


def template(kind: str, fmt: str, locale: str = "zh_CN") -> bytes:
    """An empty register to fill in: headers only (CSV), or headers plus a sheet of notes per column (XLSX).

    No example row: a sample that got imported by mistake would become a real enterprise or inspector.
    """
    if fmt == "csv":
        return write_table([], kind, "csv", locale)
    if fmt == "xlsx":
        return _template_xlsx(kind, _language(locale))
    raise ValueError(f"unknown format {fmt!r}; expected csv or xlsx")


def _template_xlsx(kind: str, locale: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t(f"tabular.sheet.{kind}", locale)
    for index, ((name, _, _, required), text) in enumerate(zip(fields_of(kind), headers(kind, locale)), start=1):
        cell = sheet.cell(row=1, column=index, value=text)
        cell.font = Font(bold=True)
        if required:
            cell.fill = _REQUIRED_FILL
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = _WIDE.get(name, 16)
        # Text format for the whole column: Excel then keeps typed codes and phone numbers as typed
        # instead of turning 18 digits into 9.11101E+17.
        column.number_format = "@"
    sheet.freeze_panes = "A2"
    _notes_sheet(book.create_sheet(t("tabular.sheet.notes", locale)), kind, locale)
    return _save(book)


def _notes_sheet(sheet, kind: str, locale: str) -> None:
    sheet.append([t("tabular.notes.intro", locale)])
    sheet.append([])
    sheet.append([t("tabular.notes.column", locale), t("tabular.notes.required", locale),
                  t("tabular.notes.description", locale)])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    yes, no = t("tabular.notes.yes", locale), t("tabular.notes.no", locale)
    for (name, _, _, required), text in zip(fields_of(kind), headers(kind, locale)):
        sheet.append([text, yes if required else no, t(f"tabular.note.{kind}.{name}", locale)])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 90
    for row in sheet.iter_rows(min_row=1, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
