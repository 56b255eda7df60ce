"""Finding internal keys and codes in what a person reads: visible text of HTML pages, PDF text.

Shared by the integration scan (console pages, PDFs) and the e2e scan (field-kit screens). Only text a
person sees is scanned: element text outside <script>/<style>, and the attributes people read (title,
alt, placeholder, aria-label, button values). Links' href and form names are not read by people.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from i18n import catalogue

READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
SKIPPED = {"script", "style", "template", "noscript"}


def _prefixes() -> str:
    firsts = {key.split(".", 1)[0] for key in catalogue("zh_CN") if "." in key}
    return "|".join(sorted(map(re.escape, firsts), key=len, reverse=True))


PATTERNS = [
    ("checklist item id", re.compile(r"(?<![\w-])(?:it|gb|fl|hc|law)-\d+(?:-\d+)*(?:-[a-z])?(?![\w-])")),
    ("message key", re.compile(rf"(?<![\w.])(?:{_prefixes()})\.[a-z0-9_]+(?:\.[a-z0-9_]+)*(?![\w.])")),
    ("snake_case code", re.compile(r"(?<![\w@/.:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@.-])")),
    ("file path", re.compile(r"(?:/(?:work|home|usr|var|tmp|srv|opt|etc|root)/[\w./-]+"
                             r"|(?<![\w/.:])[\w-]+(?:/[\w.-]+)*\.(?:py|js|json|jinja2?|pyc)(?![\w]))")),
    ("document id", re.compile(r"(?<![\w/])(?:task|plan|case|hazard|inspection|order|review|photo|site|enterprise|"
                               r"inspector|checklist|user|opinion|conflict):[\w:.-]{4,}")),
    ("code in brackets", re.compile(r"（[a-z][a-z_]*）|\((?:[a-z]+_)+[a-z]+\)")),
    ("python repr", re.compile(r"Traceback \(most recent call last\)|<[a-z_]+ object at 0x|\{'[a-z_]+': ")),
]


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1
        values = dict(attrs)
        if values.get("type") == "hidden":
            return
        self.parts += [values[a] for a in READ_ATTRIBUTES if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def key_like(text: str) -> list[tuple[str, str]]:
    """(kind, the string found) for every key-like string in `text`."""
    return [(kind, m.group(0)) for kind, pattern in PATTERNS for m in pattern.finditer(text)]
