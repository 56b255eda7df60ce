"""Long polls of _changes, bounded by the gateway's own clock as well as by CouchDB's `timeout=`; a poll of a
database the board knows is quiet waits on the board instead of in CouchDB (server/gateway/board.py)."""
from __future__ import annotations

import json
import threading
import time

from flask import Response, current_app, jsonify

from i18n import Problem
from server.db import couch
from server.gateway.board import Board
from server.gateway.proxy import CHUNK, RELAYED, cap, db_path, outgoing_headers, upstream_problem
from server.gateway.rules import Route
from sync.couch import TimedOut


def wait_seconds(params: dict) -> float:
    """The gateway's SYNC_LONGPOLL_S, or less if the client asked for less (`timeout` is in milliseconds)."""
    ours = float(current_app.config.get("SYNC_LONGPOLL_S", 25))
    asked = params.get("timeout")
    return max(0.5, min(ours, int(asked) / 1000)) if asked else ours


def last_seq(since: str):
    """`since` as CouchDB would write it back: a number on pouchdb-server, an opaque string on CouchDB 3."""
    return int(since) if since.isdigit() else since


def _current_seq(public_name: str) -> str:
    info = couch().call("GET", db_path(public_name))
    return str(info.get("update_seq", 0))


_boards_lock = threading.Lock()


def board() -> Board | None:
    """This application's board, made at the first long poll; None where SYNC_BOARD is off."""
    app = current_app
    if not app.config.get("SYNC_BOARD", True):
        return None
    found = app.extensions.get("sync_board")
    if found is None:
        with _boards_lock:
            found = app.extensions.setdefault("sync_board", Board(couch(), app.config.get("DB_PREFIX", ""),
                                                                  float(app.config.get("SYNC_BOARD_TRUST_S", 120))))
    return found


def _quiet(known: Board, db: str, since: str, wait: float) -> float | None:
    """Wait on the board while it knows the database is quiet after `since`: None if the wait ran out with
    nothing changed, else the seconds left to ask CouchDB with (all of `wait` when the board cannot tell)."""
    event = known.quiet_since(db, since)
    if event is None:
        return wait
    began = time.monotonic()
    if not event.wait(wait):
        return None
    return max(1.0, wait - (time.monotonic() - began))


def _remember(known: Board, db: str, body: bytes, params: dict, generation: int | None) -> None:
    """Tell the board what CouchDB answered, when the answer holds everything there was."""
    if generation is None:
        return
    try:
        answer = json.loads(body)
        results, seq = answer["results"], answer["last_seq"]
    except (ValueError, KeyError, TypeError):
        return
    limit = params.get("limit")
    if isinstance(results, list) and (not limit or len(results) < int(limit)):
        known.remember(db, str(seq), generation)


def longpoll(public_name: str, route: Route, params: dict, content: bytes | None) -> Response:
    """Wait for the next change at most `wait_seconds`; then answer "nothing yet" the way CouchDB would.

    The answer is read whole before it is passed on, so that a poll cut off by the clock never leaves the
    phone with half a JSON document. Its size is bounded by `limit`, which PouchDB sets to its batch size.
    """
    wait = wait_seconds(params)
    since = params.get("since", "0")
    known, db = board(), current_app.config.get("DB_PREFIX", "") + public_name
    if since == "now":
        since = _current_seq(public_name)
    elif known:   # "nothing after `since`" holds for any filter, doc_ids or body the poll has
        wait = _quiet(known, db, since, wait)
        if wait is None:
            return jsonify({"results": [], "last_seq": last_seq(since)})
    generation = known.generation(db) if known else None
    # No `heartbeat`: on Apache CouchDB a heartbeat overrides `timeout` (the feed stays open until a change),
    # so every idle poll ended by the gateway cutting the connection. Without it CouchDB, and the embedded
    # server (sync/pouchdb_couch_api.js), answer "nothing yet" at the timeout on a connection that is kept.
    upstream_params = {**{k: v for k, v in params.items() if k != "heartbeat"}, "since": since,
                       "timeout": str(max(100, int(wait * 1000) - 1000))}
    limit, _ = cap("body")
    body = bytearray()
    deadline = time.monotonic() + wait + 5
    try:
        with couch().stream(route.method, db_path(public_name) + route.path, params=upstream_params,
                            headers=outgoing_headers(route), content=content, timeout=wait) as upstream:
            if upstream.status_code != 200:
                if upstream.status_code in RELAYED:
                    return Response(upstream.read(), status=upstream.status_code,
                                    content_type=upstream.headers.get("Content-Type", "application/json"))
                raise upstream_problem(upstream)
            for chunk in upstream.iter_raw(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise Problem("gateway.longpoll_too_large")
                if time.monotonic() > deadline:
                    raise TimedOut(504, "timeout", "the long poll outlived the gateway's clock")
    except TimedOut:  # CouchDB quiet, not down (Unavailable passes on)
        return jsonify({"results": [], "last_seq": last_seq(since)})
    if known:
        _remember(known, db, bytes(body), params, generation)
    return Response(bytes(body), status=200, content_type="application/json")
