"""Bounded JSON nesting, checked without recursion: on raw bytes as they stream (the sync gateway) and on
values already parsed (the worker).

Python's `json.loads` raises RecursionError at about a thousand levels, and everything that walks a parsed
value recursively (marshmallow, `str`, `copy.deepcopy`) fails near there too: one document nested 1,200
levels deep stopped the worker for every inspector (issue 16). Nothing the field kit writes is nested more
than six levels, so a low bound costs nothing and is checked before any parser sees the bytes.
"""
from __future__ import annotations

import re

# Outside a string only quotes and brackets matter; inside one only the closing quote and backslashes. A
# regex finds the next of them, so a megabyte of base64 (a photo) is one search, not a loop per byte.
_OUTSIDE = re.compile(rb'["\[\]{}]')
_INSIDE = re.compile(rb'["\\]')
_QUOTE, _BACKSLASH, _OPEN_OBJECT = 0x22, 0x5C, 0x7B
_OPENERS = (0x5B, 0x7B)


class TooDeep(ValueError):
    """The JSON text nests arrays and objects deeper than allowed."""


class NestingScanner:
    """Follows the nesting of a JSON text fed in chunks (split anywhere); raises TooDeep past `max_depth`.

    `count_at`: objects opened at that depth are counted in `items` (2: the documents of a `_bulk_docs`
    body `{"docs": [{…}, {…}]}`), so their number is known without parsing the body.
    """

    def __init__(self, max_depth: int, count_at: int | None = None):
        self.max_depth = max_depth
        self.count_at = count_at
        self.depth = 0
        self.items = 0
        self._in_string = False
        self._escaped = False  # the last chunk ended on a backslash inside a string

    def feed(self, chunk: bytes) -> None:
        pos, end = 0, len(chunk)
        if self._escaped and end:
            pos, self._escaped = 1, False
        while pos < end:
            if self._in_string:
                found = _INSIDE.search(chunk, pos)
                if found is None:
                    return
                at = found.start()
                if chunk[at] == _BACKSLASH:
                    if at + 1 >= end:
                        self._escaped = True
                        return
                    pos = at + 2
                    continue
                self._in_string, pos = False, at + 1
                continue
            found = _OUTSIDE.search(chunk, pos)
            if found is None:
                return
            char, pos = chunk[found.start()], found.end()
            if char == _QUOTE:
                self._in_string = True
            elif char in _OPENERS:
                if char == _OPEN_OBJECT and self.depth == self.count_at:
                    self.items += 1
                self.depth += 1
                if self.depth > self.max_depth:
                    raise TooDeep(f"nested more than {self.max_depth} levels")
            else:
                self.depth -= 1


def check_text(data: bytes, max_depth: int) -> None:
    """Raise TooDeep if the JSON text `data` nests deeper than `max_depth` (call before `json.loads`)."""
    NestingScanner(max_depth).feed(data)


def depth_of(value, limit: int) -> int:
    """How deeply a parsed value nests (a scalar: 0), counted without recursion; stops at `limit` + 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
