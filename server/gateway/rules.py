"""Which sync requests may pass (同步网关规则): whose database, which endpoint, which method — pure functions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from i18n import Problem

DB_NAME = re.compile(r"inspector_[0-9a-f]{12}")  # used with fullmatch: "$" would let a newline in
INSPECTOR_ID = re.compile(r"inspector:[0-9a-f]{12}")
FIELD_ROLES = ("inspector", "expert")
MAX_SEGMENT = 1024
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The replication endpoints, by their first path segment below the database, and the methods each serves.
SPECIAL = {"_changes": "changes", "_revs_diff": "revs_diff", "_bulk_get": "bulk_get", "_bulk_docs": "bulk_docs",
           "_all_docs": "all_docs", "_ensure_full_commit": "ensure_full_commit"}
METHODS = {
    "info": ("GET", "HEAD"),
    "changes": ("GET", "HEAD", "POST"),
    "revs_diff": ("POST",),
    "bulk_get": ("POST",),
    "bulk_docs": ("POST",),
    "all_docs": ("GET", "HEAD", "POST"),
    "ensure_full_commit": ("POST",),
    "local": ("GET", "HEAD", "PUT", "DELETE"),
    "doc": ("GET", "HEAD", "PUT"),
    "attachment": ("GET", "HEAD", "PUT"),
}
# What a request body is and which cap applies: writes of documents are scanned for design documents.
BODIES = {
    ("bulk_docs", "POST"): ("json_write", "body"),
    ("doc", "PUT"): ("json_write", "doc"),
    ("local", "PUT"): ("json_write", "doc"),
    ("attachment", "PUT"): ("binary", "attachment"),
    ("changes", "POST"): ("changes", "changes"),
    ("revs_diff", "POST"): ("json_read", "read"),
    ("bulk_get", "POST"): ("json_read", "read"),
    ("all_docs", "POST"): ("json_read", "read"),
}


@dataclass(frozen=True)
class Route:
    """A vetted request: what it is, where it goes below the database (percent-encoded), and its body."""
    kind: str
    method: str
    path: str
    body: str = "none"
    cap: str | None = None


def own_db(user: dict) -> str:
    """The public name (without DB_PREFIX) of the one database this user's phone may sync."""
    if user.get("role") not in FIELD_ROLES:
        raise Problem("gateway.role")
    inspector_id = user.get("inspector_id")
    if not isinstance(inspector_id, str) or not INSPECTOR_ID.fullmatch(inspector_id):
        raise Problem("gateway.unlinked")
    return "inspector_" + inspector_id.split(":", 1)[1]


def path_segments(raw_uri: str | None, mount: str, decoded_path: str) -> list[str]:
    """The decoded path segments after `mount` (e.g. "/sync"), read from the raw URI when there is one.

    The raw URI keeps `%2F` apart from `/`, which is the difference between a document id with a slash
    and an attachment; without it (or if it does not match the routed path) the decoded path is used.
    """
    segments = None
    if raw_uri:
        path = raw_uri.split("?", 1)[0]
        if "://" in path:
            path = urlsplit(path).path
        if path.startswith(mount + "/"):
            raw_parts = path[len(mount) + 1:].split("/")
            if any(_BAD_PERCENT.search(part) for part in raw_parts):
                raise Problem("gateway.path")
            try:
                segments = [unquote(part, errors="strict") for part in raw_parts]
            except UnicodeDecodeError as exc:
                raise Problem("gateway.path") from exc
            if mount + "/" + "/".join(segments) != decoded_path:
                segments = None
    if segments is None:
        if not decoded_path.startswith(mount + "/"):
            raise Problem("gateway.path")
        segments = decoded_path[len(mount) + 1:].split("/")
    for segment in segments:
        if segment in (".", "..") or len(segment) > MAX_SEGMENT or _CONTROL.search(segment):
            raise Problem("gateway.path")
    return segments


def classify(method: str, segments: list[str], own: str) -> Route:
    """Decide what a request under /sync/ is, or raise the Problem that says why it may not pass."""
    db = segments[0] if segments else ""
    if not DB_NAME.fullmatch(db):
        raise Problem("gateway.db_name", name=db[:80])
    if db != own:
        raise Problem("gateway.not_yours", name=db, own=own)
    rest = segments[1:]
    if rest in ([], [""]):
        kind, path = "info", ""
    else:
        kind, path = _endpoint(rest)
    if method not in METHODS[kind]:
        raise Problem("gateway.method", method=method[:20], endpoint=_label(kind, rest),
                      allowed=", ".join(METHODS[kind]))
    body, cap = BODIES.get((kind, method), ("none", None))
    return Route(kind=kind, method=method, path=path, body=body, cap=cap)


def _endpoint(rest: list[str]) -> tuple[str, str]:
    first = rest[0]
    if first == "" or any(part == "" for part in rest[1:]):
        raise Problem("gateway.path")
    if first == "_design" or first.startswith("_design/"):
        raise Problem("gateway.design")
    if first == "_local" and len(rest) == 2:
        return "local", "/_local/" + quote(_doc_id(rest[1]), safe="")
    if first.startswith("_local/") and len(rest) == 1 and len(first) > len("_local/"):
        return "local", "/_local/" + quote(_doc_id(first[len("_local/"):]), safe="")
    if first in SPECIAL and len(rest) == 1:
        return SPECIAL[first], "/" + first
    if first.startswith("_"):
        raise Problem("gateway.endpoint", endpoint="/".join(rest)[:80])
    doc_path = "/" + quote(_doc_id(first), safe="")
    if len(rest) == 1:
        return "doc", doc_path
    if rest[1].startswith("_"):
        raise Problem("gateway.attachment_name", name="/".join(rest[1:])[:80])
    return "attachment", doc_path + "/" + "/".join(quote(part, safe="") for part in rest[1:])


def _doc_id(doc_id: str) -> str:
    # Ids made here are `type:uuid`; a slash would only invite a proxy on the way to read it as a path.
    if "/" in doc_id:
        raise Problem("gateway.doc_id", id=doc_id[:80])
    return doc_id


def _label(kind: str, rest: list[str]) -> str:
    if kind in ("doc", "attachment", "local", "info"):
        return {"doc": "<docid>", "attachment": "<docid>/<attachment>", "local": "_local/<id>", "info": "/"}[kind]
    return rest[0]
