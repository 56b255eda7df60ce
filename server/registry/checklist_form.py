"""The checklist editor's form as a template document, and its errors as sentences (pure).

Each item is a row of fields named `item-<n>-<field>`; the row after the last is blank for a new item.
Only the Chinese wording is edited on screen: an item's English text is kept while its Chinese is
unchanged. Item keys are the template's internal identifiers, carried in hidden fields, never shown.
"""
from __future__ import annotations

import re

from i18n import t
from schemas.checklist import MAX_ITEMS

EDITED = ("text", "violation", "basis", "answer", "unit", "min", "max", "sector", "group")
FLAGS = ("major_if_failed", "photo_required")
NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,6})?$")


def _number(raw: str):
    """'' → None; a plain decimal → int or float; anything else as typed, for the schema to refuse."""
    raw = raw.strip()
    if not raw:
        return None
    if NUMBER.match(raw):
        return float(raw) if "." in raw else int(raw)
    return raw


def _bilingual(zh: str, before: dict | None) -> dict:
    before = before or {}
    return {"zh": zh, "en": before.get("en", "") if before.get("zh") == zh else ""}


def row_count(form) -> int:
    raw = form.get("rows", "0")
    return min(int(raw), MAX_ITEMS + 1) if raw.isdigit() and len(raw) < 5 else 0


def item_from_row(form, n: int, base: dict[str, dict]) -> dict | None:
    """One item from row n; None for a removed row or the blank row left empty."""
    get = lambda name: str(form.get(f"item-{n}-{name}", ""))  # noqa: E731 - one short accessor
    if get("remove") or not any(get(name).strip() for name in ("text", "violation", "basis")):
        return None
    key = get("key").strip() or f"x-{n + 1}"
    before = base.get(key, {})
    answer = get("answer") or "yes_no_na"
    item = {"key": key, "text": _bilingual(get("text").strip(), before.get("text")),
            "violation": _bilingual(get("violation").strip(), before.get("violation")),
            "basis": get("basis").strip(), "answer": answer,
            "photo_required": bool(get("photo_required")), "major_if_failed": bool(get("major_if_failed")),
            "sector": get("sector") or "*",
            "group": _bilingual(get("group").strip() or "通用", before.get("group"))}
    if answer == "number":
        item.update(unit=get("unit").strip() or None, min=_number(get("min")), max=_number(get("max")))
    return item


def template_body(form, base: dict) -> dict:
    """What publish_version takes: the base version's header with the edited items."""
    by_key = {i["key"]: i for i in base.get("items", [])}
    items = [item for n in range(row_count(form)) if (item := item_from_row(form, n, by_key))]
    return {"key": base["key"], "title": base["title"], "sectors": base["sectors"], "basis": base["basis"],
            "effective_from": str(form.get("effective_from", "")).strip() or base["effective_from"],
            "status": "active", "items": items}


def _flat(messages, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        return [line for key, value in messages.items() for line in _flat(value, f"{prefix}{key}.")]
    if isinstance(messages, list):
        return [line for value in messages for line in _flat(value, prefix)]
    return [f"{prefix}|{messages}"]


def error_lines(messages: dict, items: list[dict]) -> list[str]:
    """The schema's errors as '第3项 · 违法情形表述：…' sentences (never a field name or key)."""
    lines = []
    for entry in _flat(messages):
        path, message = entry.split("|", 1)
        parts = [p for p in path.split(".") if p]
        if parts[:1] == ["items"] and len(parts) > 1 and parts[1].isdigit():
            field = parts[2] if len(parts) > 2 else ""
            label = t(f"ui.records.editor.{field}") if field in (*EDITED, *FLAGS, "key") else ""
            lines.append(t("ui.records.editor.item_error", n=int(parts[1]) + 1, field=label, message=message))
        else:
            lines.append(message)
    return lines
