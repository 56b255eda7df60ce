"""Columns of the register spreadsheets: canonical fields, their Chinese and English headers, header matching."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from i18n import Problem, t

# (field, Chinese header, English header, required): the headers written on export and in templates.
FIELDS: dict[str, list[tuple[str, str, str, bool]]] = {
    "enterprises": [
        ("name", "企业名称", "Name", True),
        ("uscc", "统一社会信用代码", "USCC", True),
        ("region", "行政区划代码", "Region code", True),
        ("industry", "行业", "Industry", True),
        ("address", "地址", "Address", True),
        ("legal_rep", "法定代表人", "Legal representative", False),
        ("phone", "联系电话", "Phone", False),
        ("lng", "经度", "Longitude", False),
        ("lat", "纬度", "Latitude", False),
        ("risk", "风险等级", "Risk", False),
        ("std_level", "标准化等级", "Standardisation level", False),
        ("credit", "信用等级", "Credit", False),
    ],
    "inspectors": [
        ("name", "姓名", "Name", True),
        ("cert_no", "执法证号", "Certificate number", True),
        ("unit", "单位", "Unit", True),
        ("region", "行政区划代码", "Region code", True),
        ("sectors", "执法领域", "Sectors", True),
        ("mobile", "手机号", "Mobile", False),
        ("avoid", "回避企业", "Avoid", False),
        ("kind", "人员类别", "Kind", False),
    ],
}

# Tables that are only ever written (exports), never imported: no aliases, no notes, no template.
EXPORT_FIELDS: dict[str, list[tuple[str, str, str, bool]]] = {
    "hazards": [   # 隐患台账 (DOMAIN.md: the register's fields)
        ("enterprise_name", "企业名称", "Enterprise", False),
        ("uscc", "统一社会信用代码", "USCC", False),
        ("region", "行政区划", "Region", False),
        ("sector", "行业", "Sector", False),
        ("description", "隐患描述", "Description", False),
        ("location", "隐患部位", "Location", False),
        ("grade", "隐患等级", "Grade", False),
        ("state", "治理状态", "State", False),
        ("found_at", "发现时间", "Found at", False),
        ("found_by", "发现人", "Found by", False),
        ("order_number", "整改指令书编号", "Order number", False),
        ("deadline", "整改期限", "Deadline", False),
        ("measures", "整改措施", "Measures", False),
        ("responsible", "责任人", "Responsible person", False),
        ("funds", "整改资金", "Funds", False),
        ("contingency", "应急预案", "Contingency plan", False),
        ("supervised", "挂牌督办", "Listed for supervision", False),
        ("escalated_to", "逾期上报至", "Escalated to", False),
        ("rectified_at", "整改完成时间", "Rectified at", False),
        ("reinspection", "复查结论", "Re-inspection", False),
        ("opinion_number", "复查意见书编号", "Re-inspection opinion", False),
        ("closed_at", "销号时间", "Closed at", False),
        ("closed_by", "销号人", "Closed by", False),
        ("source", "来源", "Source", False),   # issue 15: inspection, verified report, self-report
    ],
}

# Other spellings seen in bureaus' own sheets. Each must name one field only, or a column would be
# guessed; the canonical field name itself (std_level) is accepted too, for machine-made files.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "enterprises": {
        "name": ("Enterprise name", "单位名称"),
        "uscc": ("Credit code", "社会信用代码", "Unified social credit code"),
        "region": ("行政区划", "Region"),
        "industry": ("所属行业",),
        "legal_rep": ("法人代表",),
        "lng": ("lng",),
        "lat": ("lat",),
        "std_level": ("安全生产标准化等级", "Standardization level"),
    },
    "inspectors": {
        "cert_no": ("执法证编号", "Certificate no"),
        "unit": ("所在单位", "工作单位"),
        "region": ("行政区划", "Region"),
        "mobile": ("手机号码", "手机"),
        "avoid": ("回避单位",),
    },
}

# Spaces of any width, the '*' some templates put on required columns, and _ - in English headers.
_IGNORED = re.compile(r"[\s*_\-]+")
_NOTE = re.compile(r"\([^()]*\)$")  # a trailing note such as (必填) or （WGS-84）, after NFKC


def fields_of(kind: str) -> list[tuple[str, str, str, bool]]:
    """The columns of one register; an unknown kind is a programming error, not a user's mistake."""
    if kind not in FIELDS:
        raise ValueError(f"unknown register kind {kind!r}; expected one of {', '.join(FIELDS)}")
    return FIELDS[kind]


def written_fields_of(kind: str) -> list[tuple[str, str, str, bool]]:
    """The columns written for a register or an export-only table (which can never be read in)."""
    return EXPORT_FIELDS[kind] if kind in EXPORT_FIELDS else fields_of(kind)


def header_key(text: str) -> str:
    """A header reduced to what identifies it: full-width forms folded (NFKC), case and spacing ignored."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=None)
def _index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for field, zh, en, _ in fields_of(kind):
        for name in (field, zh, en, *ALIASES[kind].get(field, ())):
            if index.setdefault(header_key(name), field) != field:
                raise ValueError(f"header {name!r} would name two fields of {kind}")
    return index


def match_header(kind: str, text: str) -> str | None:
    """The canonical field a header names, or None; a trailing note in parentheses is tolerated."""
    index = _index(kind)
    key = header_key(text)
    if key in index:
        return index[key]
    stripped = _NOTE.sub("", key)
    return index.get(stripped) if stripped and stripped != key else None


def header_label(kind: str, field: str, locale: str) -> str:
    for name, zh, en, _ in fields_of(kind):
        if name == field:
            return zh if locale == "zh_CN" else en
    raise ValueError(f"unknown field {field!r}")


def map_headers(kind: str, cells: list[str], line: int, locale: str) -> tuple[list[str | None], dict[str, str]]:
    """Columns (field or None per position) and field → header as written; raises on any header problem.

    Every non-empty header must be recognised: a misspelt header would otherwise drop its column.
    """
    columns: list[str | None] = []
    written: dict[str, str] = {}
    duplicates: list[str] = []
    unknown: list[str] = []
    for cell in cells:
        field = match_header(kind, cell) if cell else None
        if cell and field is None:
            unknown.append(cell)
        elif field in written:
            duplicates += [h for h in (written[field], cell) if h not in duplicates]
            field = None
        elif field:
            written[field] = cell
        columns.append(field)
    sep = t("tabular.separator", locale)
    if not written:
        raise Problem("tabular.no_header", line=line)
    if duplicates:
        raise Problem("tabular.duplicate_header", headers=sep.join(duplicates))
    missing = [header_label(kind, f, locale) for f, _, _, req in fields_of(kind) if req and f not in written]
    if missing and unknown:
        raise Problem("tabular.missing_headers_typo", line=line, missing=sep.join(missing),
                      unknown=sep.join(u[:40] for u in unknown[:20]))
    if missing:
        raise Problem("tabular.missing_headers", line=line, missing=sep.join(missing))
    if unknown:
        raise Problem("tabular.unknown_header", line=line, headers=sep.join(u[:40] for u in unknown[:20]))
    return columns, written
