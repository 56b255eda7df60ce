"""Shared fixtures: a real CouchDB-compatible server (COUCHDB_URL, or the embedded pouchdb-server)."""
from __future__ import annotations

import os
import uuid

import pytest

from i18n import current_locale


@pytest.fixture(autouse=True)
def _zh_locale():
    """Every test starts in the default language, whatever the previous one set."""
    token = current_locale.set("zh_CN")
    yield
    current_locale.reset(token)


@pytest.fixture(scope="session")
def couch_url(tmp_path_factory):
    """COUCHDB_URL when set (e.g. Apache CouchDB 3), otherwise a fresh embedded pouchdb-server."""
    if os.environ.get("COUCHDB_URL"):
        yield os.environ["COUCHDB_URL"]
        return
    from sync.embedded import EmbeddedCouch
    server = EmbeddedCouch(tmp_path_factory.mktemp("couch")).start()
    yield server.url
    server.stop()


@pytest.fixture
def db_prefix():
    return "t" + uuid.uuid4().hex[:10] + "_"


@pytest.fixture
def app(couch_url, db_prefix, tmp_path):
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    application = create_app({
        "TESTING": True, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix,
        "AUTH_CACHE_FOLLOW": False,   # one follower thread per test app otherwise; tested on its own
        "SECRET_KEY": "test-secret-key-" + "x" * 32, "QR_KEYS": generate_key_spec("k1"),
        "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "1000 per minute", "PUBLIC_BASE_URL": "http://testserver",
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit-checkpoints"),
    })
    with application.app_context():
        bootstrap_all()
    yield application
    with application.app_context():
        from server.db import couch
        for name in couch().all_dbs():
            if name.startswith(db_prefix):
                couch().delete_db(name)


@pytest.fixture
def client(app):
    return app.test_client()
