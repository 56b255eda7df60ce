"""Where console signatures live: one document per signed document, `signing:<kind>:<uuid>[:<n>]`.

`type: document_signatures`, `kind`, `source` (the order, decision or case id), `n` (an opinion's
re-inspection), `region`, `entries` [{signer inspector|manager, name, at, attachment, refused,
refusal_note, content_sha256, doc_rev, by}], and the PNGs as attachments `console-<k>.png`. The document
itself is never rewritten (the hazard loop and the worker own those); two signatures saved at once each
land: a 409 reads the document again and appends again.
"""
from __future__ import annotations

import base64

from schemas.signed_content import canonical_json, sha256_hex
from sync.couch import Conflict, Database

MAX_ENTRIES = 40
MAX_ATTEMPTS = 20


def signing_id(kind: str, uuid: str, n: int | None = None) -> str:
    return f"signing:{kind}:{uuid}" + (f":{n}" if n else "")


def document_hash(content: dict) -> str:
    """The SHA-256 of a document's signed content (signing/content.py), canonical as in signed_content."""
    return sha256_hex(canonical_json(content))


def entries_of(records: Database, doc_id: str) -> tuple[list[dict], dict[str, bytes], dict | None]:
    """(entries, attachment bytes by name, the document) of a signing document; empty when there is none."""
    doc = records.get_or_none(doc_id)
    if not doc or doc.get("type") != "document_signatures":
        return [], {}, None
    stubs = doc.get("_attachments") or {}
    names = {e.get("attachment") for e in doc.get("entries") or [] if isinstance(e, dict)}
    images = {n: records.get_attachment(doc_id, n) for n in sorted(x for x in names if isinstance(x, str) and x in stubs)}
    return [e for e in doc.get("entries") or [] if isinstance(e, dict)], images, doc


def append(records: Database, doc_id: str, base: dict, entry: dict, png: bytes | None) -> dict:
    """Append one entry (and its PNG); refuses past MAX_ENTRIES. Retries on 409 with the new revision."""
    for _attempt in range(MAX_ATTEMPTS):
        doc = records.get_or_none(doc_id) or {"_id": doc_id, "type": "document_signatures", **base, "entries": []}
        if len(doc["entries"]) >= MAX_ENTRIES:
            raise ValueError("too many signatures")
        item = dict(entry)
        if png is not None:
            item["attachment"] = f"console-{len(doc['entries']) + 1}.png"
            attachments = {k: v for k, v in (doc.get("_attachments") or {}).items()}
            attachments[item["attachment"]] = {"content_type": "image/png", "data": base64.b64encode(png).decode("ascii")}
            doc["_attachments"] = attachments
        doc["entries"] = [*doc["entries"], item]
        try:
            records.put_once(doc)
            return item
        except Conflict:
            continue
    raise Conflict(409, "conflict", f"{doc_id} stayed contested")
