"""Checks a request body chunk by chunk as it streams through the gateway: its size, and no design documents.

A design document written into a phone database would run its JavaScript inside pouchdb-server, so a write
whose body names `"_id": "_design…"` is refused. JSON could hide that name behind `\\u` escapes of plain ASCII
letters; JSON.stringify never writes those, so a body that contains one is refused too. Both checks look at
raw bytes (no parsing: a 20 MB batch of photos passes at memory speed) and carry a few bytes from one chunk to
the next so that a name cut in two by the network is still seen. The nesting of the JSON is followed too
(sync/jsondepth.py): a body nested deeper than SYNC_MAX_JSON_DEPTH, or a `_bulk_docs` with more documents than
SYNC_MAX_DOCS, is refused before the chunk that shows it leaves.
"""
from __future__ import annotations

import re

from i18n import Problem
from sync.jsondepth import NestingScanner, TooDeep

_DESIGN_ID = re.compile(rb'"_id"\s*:\s*"_design')
_ESCAPED_ASCII = re.compile(rb"\\u00[2-7][0-9A-Fa-f]")
# The start of either pattern at the very end of a chunk. JSON whitespace in a carried tail is squeezed to
# one space, so the carry stays a few bytes long however much whitespace a client sends.
_PARTIAL_ID = re.compile(rb'"(?:_(?:i(?:d(?:"\s*(?::\s*(?:"(?:_(?:d(?:e(?:s(?:i(?:g)?)?)?)?)?)?)?)?)?)?)?)?\Z')
_PARTIAL_ESCAPE = re.compile(rb"\\(?:u(?:0(?:0(?:[2-7])?)?)?)?\Z")
_SPACE = re.compile(rb"\s+")


class BodyGuard:
    """Counts the bytes of one request body against `limit` and, if `scan`, refuses design documents.

    `max_depth`: the JSON may nest at most this deep; `max_docs`: a `_bulk_docs` body may carry at most this
    many documents (objects in its `docs` array, counted as the bytes pass).
    """

    def __init__(self, limit: int, problem: str, scan: bool = False, max_depth: int | None = None,
                 max_docs: int | None = None):
        self.limit = limit
        self.problem = problem
        self.scan = scan
        self.seen = 0
        self._carry = b""
        self.max_docs = max_docs
        self.nesting = None if max_depth is None else NestingScanner(max_depth, 2 if max_docs else None)

    def check(self, chunk: bytes) -> bytes:
        """Pass `chunk` on, or raise the Problem that stops the body (before this chunk leaves)."""
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise Problem(self.problem, limit=self.limit // (1024 * 1024))
        if self.scan and chunk:
            self._scan(self._carry + chunk)
        if self.nesting is not None:
            self._nest(chunk)
        return chunk

    def _nest(self, chunk: bytes) -> None:
        try:
            self.nesting.feed(chunk)
        except TooDeep:
            raise Problem("gateway.too_deep", limit=self.nesting.max_depth) from None
        if self.max_docs is not None and self.nesting.items > self.max_docs:
            raise Problem("gateway.too_many_docs", limit=self.max_docs)

    def _scan(self, data: bytes) -> None:
        # The patterns run only where one could match: a batch of photos is megabytes of base64, which has
        # no `_` and no backslash, and a one-byte search is memchr (0.06 ms a megabyte; each regex pass
        # over the whole chunk took 1-1.5 ms, 5 % of the gateway's CPU in a replication with photos).
        if _has(data, b"_design") and _DESIGN_ID.search(data):
            raise Problem("gateway.design_in_body")
        if b"\\" in data and _ESCAPED_ASCII.search(data):
            raise Problem("gateway.escaped_ascii")
        self._carry = _SPACE.sub(b" ", _tail(data))


def _has(data: bytes, word: bytes, tries: int = 64) -> bool:
    """False if `word` is surely not in `data`, looked for at each of the first `tries` occurrences of its
    first byte; True where it may be (then the pattern decides: a body full of that byte costs no more)."""
    at = data.find(word[:1])
    for _ in range(tries):
        if at < 0:
            return False
        if data.startswith(word, at):
            return True
        at = data.find(word[:1], at + 1)
    return True


def _tail(data: bytes) -> bytes:
    """The end of `data` that may be the first part of a pattern, found from the last few quotes backwards
    (a regex search over the whole chunk would cost more than everything else the gateway does)."""
    starts, end = [], len(data)
    for _ in range(3):  # `"_id" : "_desig` holds three quotes
        end = data.rfind(b'"', 0, end)
        if end < 0:
            break
        starts.append(end)
    for start in reversed(starts):
        found = _PARTIAL_ID.match(data, start)
        if found:
            return found.group(0)
    slash = data.rfind(b"\\", max(0, len(data) - 5))
    found = _PARTIAL_ESCAPE.match(data, slash) if slash >= 0 else None
    return found.group(0) if found else b""
