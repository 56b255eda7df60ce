"""How a failed checklist item is stated as a violation (违法情形), for hazards and documents. Pure.

Templates carry each item's `violation` sentence ("…未设置在…区域内"). Versions stored before the field
existed fall back to a sentence that still states the failure ("未做到“…”"), never the bare compliance
sentence, which would put the compliant condition into an order's 存在的问题. The field kit has the same
rule in fieldkit/js/violation.js.
"""
from __future__ import annotations

import re

_NA_HINT = re.compile(r"（[^（）]*不适用[^（）]*）")
_QUOTED_LAW = re.compile(r"法条：.*$", re.S)


def _zh(value) -> str:
    if isinstance(value, dict):
        return str(value.get("zh") or value.get("zh_CN") or "").strip()
    return str(value or "").strip()


def requirement(item: dict) -> str:
    """The compliance sentence without the inspector's hints (不涉及的选“不适用”, the quoted law)."""
    text = _QUOTED_LAW.sub("", _NA_HINT.sub("", _zh((item or {}).get("text")))).strip()
    return text.rstrip("。；;. ")


def violation_of(item: dict) -> str:
    """The item's violation sentence, or the fallback for a template version without one."""
    if (item or {}).get("answer") == "pass_fail":  # a re-checked hazard: its own description
        return _zh(item.get("text"))
    stated = _zh((item or {}).get("violation"))
    if stated:
        return stated
    text = requirement(item)
    return f"未做到“{text}”。" if text else "检查项不符合要求。"


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def found_text(item: dict, value=None) -> str:
    """What was found: the violation, with the reading of a number item (实测 28 kPa)."""
    sentence = violation_of(item)
    if (item or {}).get("answer") == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        sentence = f"{sentence.rstrip('。')}（实测{_number(value)}{(item or {}).get('unit') or ''}）。"
    return sentence
