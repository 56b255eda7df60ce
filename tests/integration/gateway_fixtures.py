"""Fixtures for the sync gateway: field users with phone databases and tokens, a real HTTP server, the Node client."""
from __future__ import annotations

import json
import secrets
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server.accounts import store
from server.db import couch, registry

ROOT = Path(__file__).resolve().parents[2]
POUCH_CLIENT = Path(__file__).resolve().parent / "pouch_client.js"


class FieldUser:
    """An inspector (or expert) account with its phone database name and a bearer token."""

    def __init__(self, app, make_user, username: str, role: str = "inspector"):
        self.hex = secrets.token_hex(6)
        self.inspector_id = f"inspector:{self.hex}"
        self.db = f"inspector_{self.hex}"
        self.full_db = app.config["DB_PREFIX"] + self.db
        self.user = make_user(username, role, "370102", inspector_id=self.inspector_id)
        with app.app_context():
            self.token = store.issue_token(registry(), self.user, "phone", 1)["token"]
        self.auth = {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def field_user(app, make_user):
    """Make a field account: `field_user("alice")`, `field_user("eve", role="expert")`."""
    def create(username: str, role: str = "inspector") -> FieldUser:
        return FieldUser(app, make_user, username, role)
    return create


@pytest.fixture
def live_server(app):
    """The app on a real HTTP port (werkzeug, threaded), for clients outside pytest such as Node PouchDB."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gateway-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def run_pouch(job: dict, timeout: float = 120) -> dict:
    """Run tests/integration/pouch_client.js with one job; its JSON result (raises if it failed)."""
    proc = subprocess.run(["node", str(POUCH_CLIENT)], input=json.dumps(job), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"pouch_client.js failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def server_db(app, user: FieldUser):
    """The phone database as the server sees it (straight to CouchDB, for checking what arrived)."""
    with app.app_context():
        return couch().db(user.full_db)
