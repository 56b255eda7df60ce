"""A document the worker cannot read or file is set aside, never fatal (issue 16).

One document nested 1,200 levels deep used to stop filing for every inspector: `json.loads` of the change
feed raised RecursionError, the worker died, and a restarted worker died on the same batch because its
checkpoint never passed it. Now a batch that cannot be read or filed is redone one document at a time:
each document is read on its own, filed and written on its own, and the one that fails is rejected with a
reason the phone shows (a sealed `rejection:<id>`, like every other rejection); the checkpoint then moves
past the batch. Only CouchDB's own trouble (down, busy, a write race) is not the document's fault: then
nothing is set aside and the batch is tried again later.
"""
from __future__ import annotations

import logging

from sync.couch import Conflict, CouchError, Database, NotFound, Unavailable
from sync.worker.reading import UNREADABLE
from sync.worker.steps import Context, handle, reject

log = logging.getLogger(__name__)
MARK = "__unreadable__"


def transient(exc: BaseException) -> bool:
    """CouchDB unreachable, failing or racing another writer: try again later, nothing is the document's fault."""
    return isinstance(exc, (Unavailable, Conflict)) or (isinstance(exc, CouchError) and exc.status >= 500)


def counts(outcome: str) -> int:
    """1 if the document was dealt with for good (filed, or rejected with a reason the phone sees)."""
    return int(outcome == "filed" or outcome.startswith("rejected:"))


def read_doc(db: Database, change: dict) -> dict | None:
    """The changed document read on its own; None if it is gone; a stand-in naming it if it cannot be parsed."""
    revs = [c.get("rev") for c in change.get("changes") or [] if isinstance(c, dict)]
    try:
        return db.get(change["id"], conflicts="true")
    except NotFound:
        return None
    except UNREADABLE as exc:
        log.warning("worker: %s in %s cannot be parsed (%s)", change["id"], db.name, type(exc).__name__)
        return {"_id": change["id"], "_rev": revs[0] if revs else None, MARK: True}


def file_one(ctx: Context, doc: dict) -> tuple[str, str | None]:
    """File one document with its own read-ahead and its own write; (outcome, what went wrong or None)."""
    try:
        if doc.get(MARK):
            _prepare(ctx, doc)
            return reject(ctx, doc, "field.unreadable"), "unreadable"
        ctx.prefetch([doc])
        outcome = handle(ctx, doc)
        ctx.flush()
        return outcome, None
    except Exception as exc:  # noqa: BLE001 - anything one document causes must not stop the others
        if transient(exc):
            raise
        discard(ctx)
        log.exception("worker: %s in %s set aside", doc.get("_id"), ctx.source.name)
        return set_aside(ctx, doc, exc), f"{type(exc).__name__}: {str(exc)[:160]}"


def set_aside(ctx: Context, doc: dict, exc: Exception) -> str:
    """Reject a document whose filing failed; if even that fails (not CouchDB's fault), it is only logged."""
    code = "field.too_deep" if isinstance(exc, RecursionError) else "field.unprocessable"
    params = {"limit": ctx.max_depth} if code == "field.too_deep" else {}
    try:
        _prepare(ctx, doc)
        return reject(ctx, doc, code, **params)
    except Exception as again:  # noqa: BLE001
        if transient(again):
            raise
        log.exception("worker: the rejection of %s could not be written", doc.get("_id"))
        return "quarantine_failed"


def file_singly(ctx: Context, changes: list[dict], beat) -> tuple[int, list[str]]:
    """File a batch one document at a time; (documents dealt with, what went wrong with those set aside)."""
    done, problems = 0, []
    for change in changes:
        if not isinstance(change.get("id"), str):
            continue
        doc = read_doc(ctx.source, change)
        if doc is not None:
            outcome, problem = file_one(ctx, doc)
            done += counts(outcome)
            if problem:
                problems.append(f"{change['id']}: {problem}")
        beat()
    return done, problems


def discard(ctx: Context) -> None:
    """Forget the writes queued for a batch that is being redone."""
    ctx.to_write, ctx.pending = [], {}


def _prepare(ctx: Context, doc: dict) -> None:
    """Read the document's current rejection, so that writing it again updates rather than conflicts."""
    rejection_id = f"rejection:{str(doc.get('_id', ''))[:200]}"
    ctx.known = {"registry": {}, "records": {}, "phone_hazards": {},
                 "rejections": ctx.source.docs_by_id([rejection_id])}
