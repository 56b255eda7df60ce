"""Checkpoints that two workers may move at once (workers on more than one machine, one CouchDB cluster).

Filing is idempotent (a phone revision already filed is recognised by its `source.rev`), so a worker that
files from an older checkpoint only re-reads; what must not happen is that losing the race to write the
checkpoint stops a pass. The further of the two positions is kept.
"""
from __future__ import annotations

from sync.couch import Conflict, Database, seq_number


def advance(db: Database, checkpoint: dict, seq) -> dict:
    """Store `seq` as the checkpoint's position and return the checkpoint as stored. If another worker
    moved it meanwhile, keep whichever position is further (theirs when it is; ours written on their
    revision otherwise); a second race in a row leaves theirs, which only means reading a batch again."""
    checkpoint["seq"] = seq
    try:
        db.put(checkpoint)
        return checkpoint
    except Conflict:
        theirs = db.get_or_none(checkpoint["_id"]) or {"_id": checkpoint["_id"], "seq": "0"}
    if seq_number(theirs.get("seq")) >= seq_number(seq):
        return theirs
    try:
        db.put({**theirs, "seq": seq})
    except Conflict:
        return db.get_or_none(checkpoint["_id"]) or theirs
    return db.get_or_none(checkpoint["_id"]) or {**theirs, "seq": seq}
