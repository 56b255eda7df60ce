"""Message catalogues (zh-CN first, English second), shared by the server and the field kit.

Catalogues are JSON files `i18n/<locale>/<domain>.json` of flat keys, merged per locale. The field kit
loads the same files, which is why gettext catalogues (compiled .mo, Python only) were not used.
"""
from __future__ import annotations

import contextvars
import json
from functools import lru_cache
from pathlib import Path

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
_HERE = Path(__file__).resolve().parent
current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=None)
def catalogue(locale: str) -> dict[str, str]:
    """All messages of one locale, merged from its domain files."""
    merged: dict[str, str] = {}
    for path in sorted((_HERE / locale).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice ({path.name})")
            merged[key] = text
    return merged


def t(key: str, locale: str | None = None, /, **params) -> str:
    """The message for `key` in the given (or current) locale, with {params} filled in.

    Falls back to zh-CN, then to the key itself, so a missing translation never hides an error.
    """
    loc = locale or current_locale.get()
    text = catalogue(loc).get(key) or catalogue(DEFAULT_LOCALE).get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def negotiate(accept_language: str | None, requested: str | None = None) -> str:
    """Pick a supported locale: an explicit request wins, then the Accept-Language header, then zh-CN."""
    for candidate in [requested] + _accepted(accept_language):
        if not candidate:
            continue
        norm = candidate.replace("-", "_").lower()
        for loc in LOCALES:
            if norm == loc.lower() or norm.split("_")[0] == loc.split("_")[0].lower():
                return loc
    return DEFAULT_LOCALE


def _accepted(header: str | None) -> list[str]:
    if not header:
        return []
    langs = []
    for part in header.split(",")[:20]:
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        langs.append((weight, lang.strip()))
    return [lang for weight, lang in sorted(langs, key=lambda x: -x[0]) if weight > 0]


class Problem(ValueError):
    """A rule that input broke, named by a stable message key with its parameters.

    Pure cores raise it; the edges turn it into the user's language with `message()`.
    """

    def __init__(self, code: str, /, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, locale: str | None = None) -> str:
        return t(self.code, locale, **self.params)
