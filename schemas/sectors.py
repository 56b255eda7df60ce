"""Sector codes (行业 / 执法领域) from data/sectors.json, with their Chinese and English names."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "sectors.json"


@lru_cache(maxsize=1)
def all_sectors() -> list[dict]:
    return json.loads(PATH.read_text(encoding="utf-8"))["sectors"]


@lru_cache(maxsize=1)
def _by_label() -> dict[str, str]:
    labels = {}
    for s in all_sectors():
        for label in (s["code"], s["zh"], s["en"].lower()):
            labels[label] = s["code"]
    return labels


def codes() -> list[str]:
    return [s["code"] for s in all_sectors()]


def to_code(label: str) -> str | None:
    """A sector code from its code, Chinese name or English name; None if unknown."""
    if not isinstance(label, str):
        return None
    text = label.strip()
    return _by_label().get(text) or _by_label().get(text.lower())


def label(code: str, locale: str = "zh_CN") -> str:
    for s in all_sectors():
        if s["code"] == code:
            return s["zh"] if locale == "zh_CN" else s["en"]
    return code
