"""A module-scoped application and signed-in clients, for document tests that render once and check much."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

from server.accounts import store as accounts
from server.db import couch, registry

PASSWORD = "correct horse battery 9"


@contextmanager
def module_app(couch_url: str):
    """An application with its own databases, for a module that renders once and checks many things."""
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    prefix = "d" + uuid.uuid4().hex[:10] + "_"
    app = create_app({"TESTING": True, "COUCHDB_URL": couch_url, "DB_PREFIX": prefix,
                      "SECRET_KEY": "test-secret-key-" + "x" * 32, "QR_KEYS": generate_key_spec("k1"),
                      "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "1000 per minute",
                      "PUBLIC_BASE_URL": "http://testserver"})
    with app.app_context():
        bootstrap_all()
    from server.documents import pdf_guard
    pdf_guard.warm(app).result(120)  # as the web pool does at start (deploy/edge.py)
    try:
        yield app
    finally:
        with app.app_context():
            for name in couch().all_dbs():
                if name.startswith(prefix):
                    couch().delete_db(name)


def signed_in(app, role: str, region: str = "370102", username: str | None = None, **extra):
    """A test client with a session of a new user of that role and region (the console's cookie login)."""
    name = username or f"{role}{region}"
    with app.app_context():
        if accounts.get_user(registry(), name) is None:
            accounts.create_user(registry(), {"username": name, "role": role, "region": region, "display_name": name,
                                              "password": PASSWORD, **extra})
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    res = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD},
                      headers={"X-CSRFToken": token})
    assert res.status_code == 200, res.get_json()
    return client
