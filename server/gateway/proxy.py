"""The gateway's pipe: forwards a vetted request to CouchDB with the server's credentials and streams both ways."""
from __future__ import annotations

import json
import logging
import re
from contextlib import ExitStack
from urllib.parse import quote

from flask import Response, current_app, jsonify, request

from i18n import Problem
from server.db import couch, ensure_inspector_db
from server.gateway import limits
from server.gateway.body import BodyGuard
from server.gateway.readahead import read_ahead
from server.gateway.rules import Route
from sync.couch import CouchError
from sync.pipe import PipeResponse

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# An answer up to this size is read whole and sent with its length in one write: a phone's photo (200-400 KB
# after downsizing) then costs one Response instead of a generator and a write per 64 KB.
WHOLE_ANSWER = 512 * 1024
# Request bodies are read in gunicorn's largest recv(): a smaller read makes gunicorn copy the rest of
# what it received once per read (13 MB of photos read 64 KB at a time cost 60 ms of CPU, 1 MB at a time 15).
BODY_CHUNK = 1024 * 1024
MB = 1024 * 1024
# CouchDB protocol answers PouchDB acts on (missing checkpoint, conflict, …): relayed as CouchDB wrote them.
RELAYED = {200, 201, 202, 304, 404, 409, 412}
RESPONSE_HEADERS = ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Content-Encoding", "Content-MD5")
CONDITIONAL_HEADERS = ("If-None-Match", "If-Match")
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}(\s*;[ -~]{0,120})?$")
_JSON_TYPE = re.compile(r"^application/json\s*(;\s*charset=\"?utf-8\"?\s*)?$", re.IGNORECASE)
_FORM_TYPES = ("multipart/", "application/x-www-form-urlencoded")
WRITES = {("bulk_docs", "POST"), ("doc", "PUT"), ("attachment", "PUT")}  # what the worker files
CAPS = {"body": ("SYNC_MAX_BODY_MB", 20, "gateway.body_too_large"),
        "doc": ("SYNC_MAX_DOC_MB", 8, "gateway.doc_too_large"),
        "attachment": ("SYNC_MAX_ATTACHMENT_MB", 12, "gateway.attachment_too_large"),
        # _revs_diff, _bulk_get, POST _all_docs: read whole and counted (server/gateway/limits.py)
        "read": ("SYNC_MAX_READ_MB", 2, "gateway.body_too_large")}


def cap(name: str) -> tuple[int, str]:
    """(bytes, problem code) of the cap called `name`."""
    setting, default, problem = CAPS[name]
    return int(current_app.config.get(setting, default)) * MB, problem


def outgoing_headers(route: Route) -> dict:
    """Only what CouchDB needs: never the caller's Authorization or Cookie, nor anything else of theirs."""
    attachment = route.kind == "attachment"
    headers = {"Accept": "*/*" if attachment and route.method != "PUT" else "application/json",
               "Accept-Encoding": "identity"}
    for name in CONDITIONAL_HEADERS:
        value = request.headers.get(name)
        if value and len(value) <= 200:
            headers[name] = value
    if route.body in ("json_write", "json_read", "changes"):
        headers["Content-Type"] = "application/json"  # UTF-8 JSON and nothing else (no multipart, no UTF-16)
    elif route.body == "binary":
        headers["Content-Type"] = request.headers.get("Content-Type") or "application/octet-stream"
    return headers


def check_request_headers(route: Route) -> None:
    """Refuse before reading a byte: compressed bodies (they would slip past the caps), wrong types, too long."""
    if route.body == "none":
        return
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise Problem("gateway.content_encoding")
    content_type = request.headers.get("Content-Type", "")
    if route.body == "binary":
        if content_type and (not _CONTENT_TYPE.match(content_type) or content_type.lower().startswith(_FORM_TYPES)):
            raise Problem("gateway.attachment_type")
    elif content_type and not _JSON_TYPE.match(content_type):
        raise Problem("gateway.content_type")
    if route.cap in CAPS:
        limit, problem = cap(route.cap)
        if request.content_length is not None and request.content_length > limit:
            raise Problem(problem, limit=limit // MB)
        request.max_content_length = limit + BODY_CHUNK  # our own count below stops it first, with our message


def request_body(route: Route):
    """The body to send on: streamed through a BodyGuard, or None. A body that ends before its
    Content-Length (the phone hung up mid-upload) raises `gateway.body_cut`: the pipe then closes its
    connection to CouchDB at once, instead of CouchDB waiting 30 s for the bytes that never come."""
    if route.body == "none" or route.cap not in CAPS:
        return None
    limit, problem = cap(route.cap)
    guard = BodyGuard(limit, problem, scan=route.body == "json_write", max_depth=limits.max_depth(),
                      max_docs=limits.max_docs() if route.kind == "bulk_docs" else None)
    stream, expected = request.stream, request.content_length
    if route.body != "json_read" and (expected is None or expected > BODY_CHUNK):
        return _whole(read_ahead(stream.read, guard.check, BODY_CHUNK), expected)
    # A small body (_revs_diff, _bulk_get, a checkpoint) is read whole: the pipe can send it again if a
    # kept-alive connection turns out closed or CouchDB no longer knows the gateway's session.
    parts = []
    while chunk := stream.read(BODY_CHUNK):
        parts.append(guard.check(chunk))
    body = b"".join(parts)
    _check_length(len(body), expected)
    if route.body == "json_read":
        limits.check_read_body(route.kind, body)
    return body


def _whole(chunks, expected: int | None):
    """Pass the chunks on, then make sure as many bytes came as the phone announced."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        yield chunk
    _check_length(seen, expected)


def _check_length(seen: int, expected: int | None) -> None:
    if expected is not None and seen != expected:
        log.info("sync gateway: upload cut after %d of %d bytes", seen, expected)
        raise Problem("gateway.body_cut", seen=seen, expected=expected)


def db_path(public_name: str) -> str:
    """The CouchDB path of a phone database: the name the phone knows plus this system's DB_PREFIX."""
    return "/" + quote(current_app.config.get("DB_PREFIX", "") + public_name, safe="")


def forward(public_name: str, route: Route, params: dict, content: bytes | None = None) -> Response:
    """Send the request on and relay the answer; the first sight of a missing phone database creates it."""
    headers = outgoing_headers(route)
    if content is None:
        content = request_body(route)
        if content is not None and request.content_length is not None:
            headers["Content-Length"] = str(request.content_length)
    path = db_path(public_name)
    stack = ExitStack()
    # _bulk_docs goes with the password: refused, it is not a plain 401 on pouchdb-server (sync/pipe.py).
    upstream = stack.enter_context(couch().stream(route.method, path + route.path, params=params,
                                                  headers=headers, content=content,
                                                  session=route.kind != "bulk_docs"))
    if route.kind == "info" and upstream.status_code == 404:
        stack.close()
        ensure_inspector_db("inspector:" + public_name.split("_", 1)[1])
        upstream = stack.enter_context(couch().stream(route.method, path, headers=headers))
    if route.kind == "info" and upstream.status_code == 200 and route.method == "GET":
        return _db_info(upstream, stack, public_name)
    if (route.kind, route.method) in WRITES and upstream.status_code in (201, 202):
        tell_worker(public_name)
    return relay(upstream, stack)


def tell_worker(public_name: str) -> None:
    """A phone's write reached CouchDB: name its database to the worker, which files it at once. One
    non-blocking datagram; a lost one (no worker, a full queue) waits for the worker's sweep."""
    config = current_app.config
    current_app.extensions["worker_notify"].changed(config.get("WORKER_NOTIFY_SOCKET", ""),
                                                    config.get("DB_PREFIX", "") + public_name)


def relay(upstream: PipeResponse, stack: ExitStack) -> Response:
    """Stream CouchDB's answer to the caller, or turn an answer that must not reach it into a gateway error."""
    if upstream.status_code not in RELAYED:
        try:
            raise upstream_problem(upstream)
        finally:
            stack.close()
    headers = {name: upstream.headers[name] for name in RESPONSE_HEADERS if name in upstream.headers}
    first = b""
    if request.method != "HEAD" and upstream.status_code not in (204, 304):
        # Most answers are a few kilobytes, photos a few hundred: read whole, sent with their length.
        first = upstream.read(WHOLE_ANSWER)
        if upstream.complete:
            stack.close()
            return Response(first, status=upstream.status_code, headers=headers)

    def pipe():
        try:
            if first:
                yield first
            yield from upstream.iter_raw(CHUNK)
        except CouchError as exc:  # the caller gets a cut body, which PouchDB retries
            log.warning("sync gateway: CouchDB answer cut short: %s", type(exc).__name__)
        finally:
            stack.close()
    response = Response(pipe(), status=upstream.status_code, headers=headers, direct_passthrough=True)
    response.call_on_close(stack.close)
    return response


def upstream_problem(upstream: PipeResponse) -> Problem:
    """CouchDB refused the gateway itself, or failed: say so without its words, URLs or credentials."""
    status = upstream.status_code
    if status in (401, 403):
        log.error("sync gateway: CouchDB refused the server's own credentials (HTTP %s)", status)
        return Problem("gateway.upstream_auth")
    if status in (400, 413, 415):
        reason = _reason(upstream)
        code = {400: "gateway.upstream_refused", 413: "gateway.upstream_too_large",
                415: "gateway.content_type"}[status]
        return Problem(code, reason=reason)
    log.error("sync gateway: CouchDB answered HTTP %s", status)
    return Problem("gateway.upstream_error")


def _reason(upstream: PipeResponse) -> str:
    """CouchDB's short reason for refusing a request, with anything that looks like a URL or path removed."""
    try:
        body = json.loads(upstream.read(4096))
        reason = str(body.get("reason") or body.get("error") or "")
    except (ValueError, AttributeError, CouchError):
        return "-"
    reason = re.sub(r"\S*(://|/)\S*", "…", reason)
    return reason[:160] or "-"


def _db_info(upstream: PipeResponse, stack: ExitStack, public_name: str) -> Response:
    """Database info, named as the phone knows it (without DB_PREFIX)."""
    try:
        info = json.loads(upstream.read())
    finally:
        stack.close()
    if isinstance(info, dict):
        info["db_name"] = public_name
        info.pop("host", None)
    return jsonify(info)
