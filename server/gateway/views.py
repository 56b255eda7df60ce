"""The sync gateway's routes (/sync/...): who may pass, to which database, and the refusals in one error shape."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request, session

import i18n
from i18n import Problem, t
from server.errors import error_response
from server.gateway import limits, livelimit, longpoll, proxy, query, rules, seen

bp = Blueprint("gateway", __name__, url_prefix="/sync")
# Every method is routed here so that each one gets the gateway's own answer (401, 403, 405), not a bare 404.
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "COPY", "PATCH", "OPTIONS", "MOVE", "PROPFIND", "MKCOL"]
REFUSALS = {
    "gateway.unauthenticated": ("unauthenticated", 401),
    "gateway.method": ("method_not_allowed", 405),
    "gateway.param": ("bad_request", 400), "gateway.param_value": ("bad_request", 400),
    "gateway.param_repeated": ("bad_request", 400), "gateway.doc_ids": ("bad_request", 400),
    "gateway.changes_body": ("bad_request", 400), "gateway.json": ("bad_request", 400),
    "gateway.escaped_ascii": ("bad_request", 400), "gateway.upstream_refused": ("bad_request", 400),
    "gateway.body_too_large": ("too_large", 413), "gateway.doc_too_large": ("too_large", 413),
    "gateway.attachment_too_large": ("too_large", 413), "gateway.longpoll_too_large": ("too_large", 413),
    "gateway.upstream_too_large": ("too_large", 413),
    "gateway.too_many_ids": ("too_large", 413), "gateway.too_many_docs": ("too_large", 413),
    "gateway.too_deep": ("bad_request", 400), "gateway.body_cut": ("bad_request", 400),
    "gateway.content_encoding": ("unsupported_media_type", 415),
    "gateway.content_type": ("unsupported_media_type", 415),
    "gateway.attachment_type": ("unsupported_media_type", 415),
    "gateway.too_many_longpolls": ("rate_limited", 429),
    "gateway.upstream_auth": ("internal", 500), "gateway.upstream_error": ("internal", 500),
}  # every other gateway.* refusal is 403 forbidden


@bp.errorhandler(Problem)
def _refused(problem: Problem):
    code, status = REFUSALS.get(problem.code, ("forbidden", 403))
    resp = error_response(code, status, problem.message(), {"code": problem.code})
    if status == 405:
        resp.headers["Allow"] = problem.params.get("allowed", "")
    return resp


def refuse_anonymous():
    """Runs before the global CSRF check: a sync request with no credentials at all is told to sign in
    (401), not that its page expired (403 csrf), so a phone knows to ask for a new token."""
    if not request.path.startswith(bp.url_prefix + "/") or request.headers.get("Authorization") or "u" in session:
        return None
    i18n.current_locale.set(i18n.negotiate(request.headers.get("Accept-Language"), request.args.get("lang")))
    return error_response("unauthenticated", 401, t("gateway.unauthenticated"), {"code": "gateway.unauthenticated"})


def _own_db() -> str:
    if g.get("user") is None:
        raise Problem("gateway.unauthenticated")
    return rules.own_db(g.user)


@bp.route("/", methods=METHODS)
def server_root():
    """What PouchDB asks of the "server" to name a replication; nothing about CouchDB is told."""
    _own_db()
    if request.method not in ("GET", "HEAD"):
        raise Problem("gateway.method", method=request.method, endpoint="/sync/", allowed="GET, HEAD")
    return jsonify({"couchdb": "Welcome", "gateway": "fieldinspect sync"})


@bp.route("/<path:rest>", methods=METHODS)
def relay(rest: str) -> Response:
    """Pass one replication request through to the caller's own phone database, or refuse it."""
    own = _own_db()
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    segments = rules.path_segments(raw_uri, request.script_root + bp.url_prefix, request.script_root + request.path)
    route = rules.classify(request.method, segments, own)
    seen.note(own, route.kind, route.method, g.user)
    params = query.check_query(route.kind, route.method, list(request.args.items(multi=True)))
    limits.check_query_ids(params)
    if route.kind == "ensure_full_commit":
        return jsonify({"ok": True, "instance_start_time": "0"}), 201
    proxy.check_request_headers(route)
    content = None
    if route.kind == "changes":
        body_ids = None
        if route.method == "POST":
            body_ids = query.changes_doc_ids(request.stream.read(query.CHANGES_BODY_LIMIT + 1))
            limits.too_many(len(body_ids or []), limits.max_ids())
            content = query.json_body(body_ids)
        params = query.normalise_changes(params, body_ids)
        if params.get("feed") == "longpoll":
            with livelimit.slot(own, int(current_app.config.get("SYNC_LONGPOLLS_PER_ACCOUNT", 4))):
                return longpoll.longpoll(own, route, params, content)
    return proxy.forward(own, route, params, content)
