"""Routes of the field kit under /app/: the shell's files, the service worker, settings and catalogues."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, current_app, redirect, send_file

from i18n import LOCALES, catalogue
from server.fieldkit import assets

bp = Blueprint("fieldkit", __name__, url_prefix="/app")
# The kit shows photos and signatures from blob: URLs and the camera from a MediaStream; nothing else
# beyond the console's own policy. No inline scripts anywhere.
CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
       "style-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'")
CATALOGUE_PREFIXES = ("fk.", "ui.app_name")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.after_request
def _headers(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "no-cache"  # the service worker caches, not the HTTP cache
    return resp


def settings() -> dict:
    """What the phone needs to know of the server's settings (nothing secret)."""
    cfg = current_app.config
    return {"public_base_url": cfg["PUBLIC_BASE_URL"],
            "photo": {"long_edge": cfg["FIELDKIT_PHOTO_LONG_EDGE"], "quality": cfg["FIELDKIT_PHOTO_QUALITY"] / 100},
            "sync": {"batch_size": cfg["FIELDKIT_SYNC_BATCH"], "max_retry_s": cfg["FIELDKIT_RETRY_MAX_S"]},
            "locales": list(LOCALES)}


def kit_catalogue(locale: str) -> dict[str, str]:
    return {k: v for k, v in catalogue(locale).items() if k.startswith(CATALOGUE_PREFIXES)}


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def generated() -> dict[str, bytes]:
    """The shell's files that the server writes: its settings and one catalogue per language."""
    out = {"config.json": _json_bytes(settings())}
    for loc in LOCALES:
        out[f"i18n/{loc}.json"] = _json_bytes(kit_catalogue(loc))
    return out


def precache_list() -> tuple[list[str], str]:
    made = generated()
    names = sorted(set(assets.shell()) | set(made))
    version = assets.version(b"".join(made[n] for n in sorted(made)))
    return ["./"] + [n for n in names if n != "index.html"], version


@bp.get("")
def root_redirect():
    return redirect("/app/")


@bp.get("/")
def index():
    return send_file(assets.shell()["index.html"].path, mimetype="text/html")


@bp.get("/sw.js")
def service_worker():
    names, version = precache_list()
    resp = Response(assets.service_worker(names, version), mimetype="text/javascript")
    resp.headers["Service-Worker-Allowed"] = "/app/"
    return resp


@bp.get("/config.json")
@bp.get("/i18n/<string:locale>.json")
def generated_file(locale: str | None = None):
    name = "config.json" if locale is None else f"i18n/{locale}.json"
    body = generated().get(name)
    if body is None:
        abort(404)
    return Response(body, mimetype="application/json")


@bp.get("/<path:name>")
def shell_file(name: str):
    asset = assets.shell().get(name)
    if asset is None:
        abort(404)
    return send_file(asset.path, mimetype=asset.content_type)
