"""One error shape for the whole API: {code, status, message, errors}, with stable codes from one catalogue."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from server.metrics import count_couch_error
from sync.couch import Conflict, CouchError, NotFound, Unavailable

log = logging.getLogger(__name__)

# Stable code → HTTP status. Messages live in i18n/<locale>/errors.json under the same code.
CATALOGUE = {
    "bad_request": 400,
    "validation": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "csrf": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "couch_unavailable": 503,
    "internal": 500,
    "import_rejected": 422,
    "login_failed": 401,
    "password_change_required": 403,
    "document_not_numbered": 409,
    "opinion_without_order": 409,
    "opinion_without_reinspection": 409,
}

_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "validation", 429: "rate_limited"}


class ApiError(Exception):
    """An error the API reports to its caller; `code` must be in CATALOGUE."""

    def __init__(self, code: str, errors=None, message: str | None = None, **params):
        super().__init__(code)
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.status = CATALOGUE[code]
        self.errors = errors
        self.message = message or t(f"error.{code}", **params)


def error_response(code: str, status: int, message: str, errors=None):
    body = {"code": code, "status": status, "message": message}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _wants_html() -> bool:
    return not request.path.startswith(("/api/", "/sync/", "/healthz")) and \
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.code, exc.status, exc.message, exc.errors)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        return error_response("validation", 422, t("error.validation"), translate_errors(exc.messages))

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return error_response("validation", 422, exc.message(), {"code": exc.code})

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        code = _HTTP_CODES.get(status, "internal" if status >= 500 else "bad_request")
        data = getattr(exc, "data", None) or {}
        errors = data.get("messages") if isinstance(data, dict) else None
        if errors:
            errors = translate_errors(errors.get("json", errors.get("query", errors.get("form", errors))))
        if _wants_html() and status in (401, 403, 404):
            from flask import render_template
            return render_template("error.html", status=status, message=t(f"error.{code}")), status
        return error_response(code, status, t(f"error.{code}"), errors)

    @app.errorhandler(Unavailable)
    def _couch_down(exc: Unavailable):
        log.error("CouchDB unavailable: %s", exc.reason)
        count_couch_error(exc)
        return error_response("couch_unavailable", 503, t("error.couch_unavailable"))

    @app.errorhandler(NotFound)
    def _couch_missing(exc: NotFound):
        return error_response("not_found", 404, t("error.not_found"))

    @app.errorhandler(Conflict)
    def _couch_conflict(exc: Conflict):
        return error_response("conflict", 409, t("error.conflict"))

    @app.errorhandler(CouchError)
    def _couch_other(exc: CouchError):
        log.error("CouchDB error: %s", exc)
        count_couch_error(exc)
        return error_response("internal", 500, t("error.internal"))
