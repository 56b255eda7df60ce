"""Reading a phone's documents when one of them may be unreadable (nested too deep for the JSON parser).

A list read with `include_docs` fails whole if one document in it cannot be parsed; then each is read on
its own and that one is left out, so a poison document costs the others nothing (sync/worker/quarantine.py
rejects it when its turn comes).
"""
from __future__ import annotations

from sync.couch import Database, NotFound

# What parsing a document's JSON raises: RecursionError (nested too deep), ValueError (a number of more
# than 4,300 digits, broken JSON).
UNREADABLE = (RecursionError, ValueError)


def readable_rows(db: Database, startkey: str, endkey: str) -> list[dict]:
    """The documents between two ids; if one cannot be parsed, each is read alone and that one left out."""
    try:
        return [r["doc"] for r in db.all_docs(include_docs=True, startkey=startkey, endkey=endkey) if r.get("doc")]
    except UNREADABLE:
        docs = []
        for row in db.all_docs(startkey=startkey, endkey=endkey):
            try:
                docs.append(db.get(row["id"]))
            except (NotFound, *UNREADABLE):
                continue
        return docs
