"""Bounded JSON nesting, checked without recursion: on raw bytes as they stream (the sync gateway) and on
values already parsed (the worker).

Python's `json.loads` raises RecursionError at about a thousand levels, and everything that walks a parsed
value recursively (marshmallow, `str`, `copy.deepcopy`) fails near there too: one document nested 1,200
levels deep stopped the worker for every inspector (issue 16). Nothing the field kit writes is nested more
than six levels, so a low bound costs nothing and is checked before any parser sees the bytes.
"""
from __future__ import annotations

import re

# A whole JSON string (escapes included), unrolled so that the engine loops in C over plain characters.
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_STRING_END = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)  # the rest of a string already opened
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN_OBJECT = 0x7B
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
        if not chunk:
            return
        pos = self._finish_string(chunk) if self._in_string or self._escaped else 0
        if pos >= len(chunk):
            return
        # Whole strings are cut out in C (a regex without backtracking) up to the chunk's last quote: what
        # follows it is either structure or the inside of a string going on into the next chunk (a photo's
        # megabytes of base64), which is never searched. Only the brackets that remain are walked in Python.
        last = chunk.rfind(b'"', pos)
        rest = _STRING.sub(b"", chunk[pos:last + 1]) if last >= 0 else b""
        after = chunk[last + 1:] if last >= 0 else chunk[pos:]
        opened = rest.find(b'"')
        if opened >= 0:   # a string left open: everything after its quote is inside it
            tail = rest[opened + 1:] + after
            rest, after, self._in_string = rest[:opened], b"", True
            self._escaped = (len(tail) - len(tail.rstrip(b"\\"))) % 2 == 1
        self._walk((rest + after).translate(None, _NOT_BRACKETS))

    def _finish_string(self, chunk: bytes) -> int:
        """Where the string left open by the last chunk ends in this one (len(chunk) if it goes on): memchr
        for the quote, and a backslash matters only before it (a photo is megabytes of base64)."""
        pos, end = (1 if self._escaped else 0), len(chunk)
        self._escaped = False
        quote = chunk.find(b'"', pos)
        quote = end if quote < 0 else quote
        if chunk.find(b"\\", pos, quote) < 0:   # no escapes before the quote: memchr did it all
            self._in_string = quote >= end
            return min(quote + 1, end)
        found = _STRING_END.match(chunk, pos)   # escapes: the regex walks them in C
        if found:
            self._in_string = False
            return found.end()
        run = len(chunk) - len(chunk.rstrip(b"\\"))
        self._escaped = min(run, end - pos) % 2 == 1
        return end

    def _walk(self, brackets: bytes) -> None:
        depth = self.depth
        for char in brackets:
            if char in _OPENERS:
                if char == _OPEN_OBJECT and depth == self.count_at:
                    self.items += 1
                depth += 1
                if depth > self.max_depth:
                    raise TooDeep(f"nested more than {self.max_depth} levels")
            else:
                depth -= 1
        self.depth = depth


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
