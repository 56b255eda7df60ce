"""API documentation at /api/v1/docs: Swagger UI from the pinned `swagger-ui-bundle` package, served by
this server (no CDN: the server may have no internet), reading /api/v1/openapi.json."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("apidocs", __name__, static_folder="static", static_url_path="/api/v1/docs/static")
# Only the files the page loads: the package also holds maps and an index.html with inline script.
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
          "favicon-32x32.png", "favicon-16x16.png"}


@bp.get("/api/v1/docs")
def docs_page():
    """The interactive API reference (Swagger UI) over the server's own OpenAPI document."""
    return render_template("apidocs.html", spec_url=url_for("api-docs.openapi_json"))


@bp.get("/api/v1/docs/assets/<string:name>")
def docs_asset(name: str):
    if name not in ASSETS:
        abort(404)
    resp = send_from_directory(swagger_ui_path, name, max_age=86400)
    return resp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
