"""The field kit's files under /app/: the whole shell and nothing else, a strict CSP, a versioned service worker."""
from __future__ import annotations

import json
import re

import pytest

from server.fieldkit import assets


def precached(client) -> tuple[str, list[str]]:
    body = client.get("/app/sw.js").get_data(as_text=True)
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', body).group(1)
    files = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body, re.S).group(1))
    return version, files


def test_every_precached_file_is_served_with_the_kits_policy(client):
    version, files = precached(client)
    assert "./" in files and "vendor/pouchdb.min.js" in files and "vendor/jsQR.js" in files
    assert {"config.json", "i18n/zh_CN.json", "i18n/en.json", "manifest.webmanifest"} <= set(files)
    for name in files:
        res = client.get("/app/" + (name if name != "./" else ""))
        assert res.status_code == 200, name
        csp = res.headers["Content-Security-Policy"]
        assert "script-src" not in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "default-src 'self'" in csp and res.headers["Cache-Control"] == "no-cache"
    sw = client.get("/app/sw.js")
    assert sw.headers["Service-Worker-Allowed"] == "/app/" and sw.mimetype == "text/javascript"


def test_the_version_follows_the_shell_and_its_settings(app, client):
    first, _ = precached(client)
    assert precached(client)[0] == first
    app.config["FIELDKIT_PHOTO_LONG_EDGE"] = 1280
    assert precached(client)[0] != first


@pytest.mark.parametrize("path", [
    "/app/../server/config.py", "/app/%2e%2e/server/config.py", "/app/js/../../server/config.py",
    "/app/tests/rules.test.js", "/app/package.json", "/app/sw.js/x", "/app/i18n/de.json", "/app/i18n/..%2fzh_CN.json",
    "/app/" + "a" * 5000, "/app/js/%00.js", "/app/.git/config", "/app/vendor/pouchdb.js",
])
def test_nothing_outside_the_shell(client, path):
    assert client.get(path).status_code == 404


def test_settings_and_catalogues_tell_nothing_secret(app, client):
    settings = client.get("/app/config.json").get_json()
    assert set(settings) == {"public_base_url", "photo", "sync", "locales"}
    assert settings["photo"] == {"long_edge": 1600, "quality": 0.82}
    text = client.get("/app/config.json").get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in text and app.config["QR_KEYS"].split(":")[1] not in text
    zh = client.get("/app/i18n/zh_CN.json").get_json()
    assert zh["fk.app.title"] == "现场检查" and all(k.startswith(("fk.", "ui.app_name")) for k in zh)
    assert client.get("/app/i18n/en.json").get_json()["fk.app.title"] == "Field inspection"


def test_the_shell_is_every_kit_file_and_only_those():
    names = set(assets.shell())
    on_disk = {p.relative_to(assets.FIELDKIT).as_posix() for p in assets.FIELDKIT.rglob("*")
               if p.is_file() and p.suffix in assets.SHELL_SUFFIXES and "tests" not in p.parts} - {"sw.js"}
    assert on_disk <= names and names - on_disk == set(assets.VENDOR)


def test_a_signed_in_session_is_not_rewritten_by_the_shells_files(app, login):
    """A response that does not change the session sends no cookie: a slow one (the service worker
    precaching) can never put back an older session over a newer one holding the CSRF token."""
    inspector = login("inspector", "370102")
    for path in ("/app/", "/app/js/main.js", "/app/config.json", "/app/sw.js", "/healthz"):
        assert inspector.client.get(path).headers.getlist("Set-Cookie") == [], path
    first = inspector.client.get("/api/v1/auth/me").get_json()["csrf_token"]
    inspector.client.get("/app/vendor/jsQR.js")
    assert inspector.client.get("/api/v1/auth/me").get_json()["csrf_token"] == first
