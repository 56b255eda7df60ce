"""Checkpoints that two workers may move at once (workers on more than one machine, one CouchDB cluster).

Filing is idempotent (a phone revision already filed is recognised by its `source.rev`), so a worker that
files from an older checkpoint only re-reads; what must not happen is that losing the race to write the
checkpoint stops a pass, or that a slower worker moves it back.
"""
from __future__ import annotations

from sync.couch import Conflict, Database, seq_number


def advance(db: Database, checkpoint: dict, seq) -> dict:
    """Store `seq` as the checkpoint's position unless the stored one is already further; return the
    checkpoint as stored. Checkpoints are `_local` documents, whose revision Apache CouchDB does not check
    (the last write wins) while pouchdb-server does (409): so the stored position is read before writing,
    and a conflict is answered by reading it again. Two workers writing in the same instant can still set
    it back by a batch; that only means reading that batch again."""
    stored = db.get_or_none(checkpoint["_id"])
    for _attempt in range(2):
        if stored and seq_number(stored.get("seq")) >= seq_number(seq):
            return stored
        mine = {**(stored or checkpoint), "seq": seq}
        if not stored:
            mine.pop("_rev", None)
        try:
            db.put(mine)
            return mine
        except Conflict:
            stored = db.get_or_none(checkpoint["_id"])
    return stored or checkpoint


def filed_up_to(checkpoint: dict) -> int:
    """The update_seq count up to which the database is filed: the feed's position, or further when the
    worker saw the feed end there (`head`). Apache CouchDB counts writes of `_security` in `update_seq`
    without showing them in `_changes`: a new phone database stands at 2 with a feed that ends at 0, which
    the feed's position alone would count as a backlog that never goes away."""
    return max(seq_number(checkpoint.get("seq")), int(checkpoint.get("head") or 0))


def note_head(db: Database, checkpoint: dict, head: int) -> dict:
    """Remember `head` (update_seq read before a feed that was then read to its end) on the checkpoint, when
    it says more than the feed's position; written only when it changes. A lost race leaves it unnoted,
    which only shows a backlog until the next visit."""
    if head <= filed_up_to(checkpoint):
        return checkpoint
    try:
        mine = {**checkpoint, "head": head}
        db.put(mine)
        return mine
    except Conflict:
        return checkpoint
