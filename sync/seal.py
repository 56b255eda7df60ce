"""Seals on documents the server writes into an inspector's database, so a phone cannot pass off its own."""
from __future__ import annotations

import hashlib
import hmac
import json

SERVER_PREFIXES = ("task:", "site:", "enterprise:", "checklist:", "rejection:", "review:")


def _body(doc: dict) -> bytes:
    content = {k: v for k, v in doc.items() if not k.startswith("_") and k != "seal"}
    content["_id"] = doc["_id"]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal(doc: dict, secret: bytes) -> dict:
    """Add an HMAC over the document's id and content (CouchDB's own fields left out)."""
    doc["seal"] = hmac.new(secret, _body(doc), hashlib.sha256).hexdigest()
    return doc


def is_sealed(doc: dict, secret: bytes) -> bool:
    given = doc.get("seal")
    return isinstance(given, str) and hmac.compare_digest(given, hmac.new(secret, _body(doc), hashlib.sha256).hexdigest())


def server_owned(doc_id: str) -> bool:
    return isinstance(doc_id, str) and doc_id.startswith(SERVER_PREFIXES)


def seal_key(secret_key: str) -> bytes:
    """A key for seals derived from the server's SECRET_KEY (domain-separated from session signing)."""
    return hashlib.sha256(b"inspector-db-seal/v1\n" + secret_key.encode("utf-8")).digest()
