"""Query parameters and the _changes body the sync gateway accepts, each checked by its form — pure functions."""
from __future__ import annotations

import json
import re

from i18n import Problem

MAX_IDS = 10_000
MAX_ID_LENGTH = 1024
CHANGES_BODY_LIMIT = 2 * 1024 * 1024
_UINT = re.compile(r"[0-9]{1,10}")  # each used with fullmatch ("$" lets a trailing newline in)
# pouchdb-server counts sequences; CouchDB 3 gives opaque "N-base64url" strings.
_SINCE = re.compile(r"now|[0-9]{1,20}(-[A-Za-z0-9_\-]{1,4000})?")
_REV = re.compile(r"[0-9]{1,10}-[0-9A-Za-z]{1,64}")


def _json(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return None


def _str_list(items, item_ok=None) -> bool:
    return (isinstance(items, list) and len(items) <= MAX_IDS
            and all(isinstance(i, str) and 0 < len(i) <= MAX_ID_LENGTH and (item_ok is None or item_ok(i))
                    for i in items))


def _rev_list(value: str) -> bool:
    return _str_list(_json(value), lambda rev: bool(_REV.fullmatch(rev)))


FORMS = {
    "bool": lambda v: v in ("true", "false"),
    "uint": lambda v: bool(_UINT.fullmatch(v)),
    "since": lambda v: bool(_SINCE.fullmatch(v)),
    "rev": lambda v: bool(_REV.fullmatch(v)),
    "style": lambda v: v in ("main_only", "all_docs"),
    "heartbeat": lambda v: v == "true" or bool(_UINT.fullmatch(v)),
    "json_string": lambda v: isinstance(_json(v), str) and len(v) <= MAX_ID_LENGTH + 2,
    "plain_string": lambda v: 0 < len(v) <= MAX_ID_LENGTH,
    "json_ids": lambda v: _str_list(_json(v)),
    "revs": _rev_list,
    "open_revs": lambda v: v == "all" or _rev_list(v),
    "feed": lambda v: v in ("normal", "longpoll"),
    "filter": lambda v: v == "_doc_ids",
}
_ANY = {"_nonce": "uint"}  # PouchDB's cache-buster for old browsers; dropped before forwarding
_CHANGES = {"since": "since", "limit": "uint", "include_docs": "bool", "style": "style", "heartbeat": "heartbeat",
            "timeout": "uint", "seq_interval": "uint", "descending": "bool", "conflicts": "bool",
            "attachments": "bool", "att_encoding_info": "bool", "doc_ids": "json_ids", "filter": "filter",
            "return_docs": "bool", "batch_size": "uint", "feed": "feed", "update_seq": "bool"}
_ALL_DOCS = {"include_docs": "bool", "conflicts": "bool", "attachments": "bool", "att_encoding_info": "bool",
             "descending": "bool", "limit": "uint", "skip": "uint", "startkey": "json_string",
             "endkey": "json_string", "start_key": "json_string", "end_key": "json_string",
             "startkey_docid": "plain_string", "endkey_docid": "plain_string", "key": "json_string",
             "keys": "json_ids", "inclusive_end": "bool", "update_seq": "bool"}
_DOC_GET = {"rev": "rev", "revs": "bool", "revs_info": "bool", "open_revs": "open_revs", "latest": "bool",
            "attachments": "bool", "atts_since": "revs", "att_encoding_info": "bool", "conflicts": "bool",
            "deleted_conflicts": "bool", "local_seq": "bool", "meta": "bool"}
ALLOWED = {
    ("changes", "GET"): _CHANGES, ("changes", "HEAD"): _CHANGES, ("changes", "POST"): _CHANGES,
    ("all_docs", "GET"): _ALL_DOCS, ("all_docs", "HEAD"): _ALL_DOCS, ("all_docs", "POST"): _ALL_DOCS,
    ("bulk_get", "POST"): {"revs": "bool", "latest": "bool", "attachments": "bool", "att_encoding_info": "bool"},
    ("doc", "GET"): _DOC_GET, ("doc", "HEAD"): _DOC_GET, ("doc", "PUT"): {"rev": "rev", "new_edits": "bool"},
    ("local", "GET"): {"rev": "rev"}, ("local", "HEAD"): {"rev": "rev"}, ("local", "PUT"): {"rev": "rev"},
    ("local", "DELETE"): {"rev": "rev"},
    ("attachment", "GET"): {"rev": "rev"}, ("attachment", "HEAD"): {"rev": "rev"},
    ("attachment", "PUT"): {"rev": "rev"},
}
# Not forwarded: the gateway answers these itself (heartbeats are not relayed through a buffered long poll).
DROPPED = ("_nonce", "heartbeat")


def check_query(kind: str, method: str, pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The query parameters to forward, each checked; raise the Problem naming the first one refused."""
    allowed = {**ALLOWED.get((kind, method), {}), **(_ANY if method in ("GET", "HEAD") else {})}
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name in seen:
            raise Problem("gateway.param_repeated", param=name[:40])
        if name == "feed" and value in ("continuous", "eventsource"):
            raise Problem("gateway.feed", feed=value)
        if name == "filter" and value != "_doc_ids":
            raise Problem("gateway.filter", filter=value[:80])
        if name not in allowed:
            shown = ", ".join(sorted(k for k in allowed if not k.startswith("_"))) or "-"
            raise Problem("gateway.param", param=name[:40], allowed=shown)
        if not FORMS[allowed[name]](value):
            raise Problem("gateway.param_value", param=name)
        seen[name] = value
    return {k: v for k, v in seen.items() if k not in DROPPED}


def changes_doc_ids(raw: bytes) -> list[str] | None:
    """The doc_ids of a POST _changes body (None if it has none); anything else (a selector above all) is refused."""
    if len(raw) > CHANGES_BODY_LIMIT:
        raise Problem("gateway.changes_body")
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise Problem("gateway.json") from exc
    if not isinstance(body, dict):
        raise Problem("gateway.changes_body")
    if "selector" in body:
        raise Problem("gateway.filter", filter="_selector")
    if set(body) - {"doc_ids"} or not _str_list(body.get("doc_ids", [])):
        raise Problem("gateway.changes_body")
    return body.get("doc_ids")


def normalise_changes(params: dict[str, str], body_ids: list[str] | None) -> dict[str, str]:
    """doc_ids only filter on CouchDB together with filter=_doc_ids, and a bare filter=_doc_ids crashes
    pouchdb-server (it looks for a design document), so the two always travel together."""
    has_ids = "doc_ids" in params or body_ids is not None
    if params.get("filter") == "_doc_ids" and not has_ids:
        raise Problem("gateway.doc_ids")
    if has_ids:
        params = {**params, "filter": "_doc_ids"}
    return params


def json_body(doc_ids: list[str] | None) -> bytes:
    """The _changes body sent on: only the checked doc_ids, re-encoded by the gateway itself."""
    return json.dumps({"doc_ids": doc_ids} if doc_ids is not None else {}).encode("utf-8")
