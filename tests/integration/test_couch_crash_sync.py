"""The embedded CouchDB killed in the middle of a phone's replication: restarted, replication resumes,
everything arrives."""
import os
import signal
import uuid

import pytest

from server.accounts import store
from server.db import couch, registry
from sync.couch import CouchError
from sync.embedded import EmbeddedCouch
from sync.phones import ensure_db
from tests.integration.test_gateway import LivePouch, serve, stop, wait_for


@pytest.mark.skipif(bool(os.environ.get("COUCHDB_URL")), reason="kills the embedded server, which COUCHDB_URL replaces")
def test_replication_resumes_after_couchdb_is_killed(tmp_path):
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    embedded = EmbeddedCouch(tmp_path / "couch").start()
    app = create_app({"TESTING": True, "COUCHDB_URL": embedded.url, "DB_PREFIX": "crash_", "SECRET_KEY": "c" * 40,
                      "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1"})
    inspector_id = "inspector:" + uuid.uuid4().hex[:12]
    with app.app_context():
        bootstrap_all()
        user = store.create_user(registry(), {"username": "crashy", "role": "inspector", "region": "370102",
                                              "display_name": "crashy", "password": "correct horse battery 9",
                                              "inspector_id": inspector_id})
        token = store.issue_token(registry(), user, "phone", 1)["token"]
        phone_db = ensure_db(couch(), "crash_", inspector_id)
    server, thread = serve(app)
    remote = f"http://127.0.0.1:{server.server_port}/sync/{phone_db.name[len('crash_'):]}"
    phone = LivePouch({"remote": remote, "authorization": f"Bearer {token}", "direction": "live", "docs": 20,
                       "prefix": "crash"})
    try:
        assert phone.read()["written"] == 20
        assert wait_for(lambda: phone_db.info()["doc_count"] == 20)
        os.kill(embedded.proc.pid, signal.SIGKILL)          # CouchDB dies under the replication
        assert phone.ask({"cmd": "write", "docs": 200})["written"] == 220
        assert wait_for(lambda: embedded.restarts >= 1, 30)
        assert wait_for(lambda: _count(phone_db) == 220, 60)
        result = phone.stop()
        assert result["ok"], result
    finally:
        phone.proc.kill()
        stop(server, thread)
        embedded.stop()


def _count(db) -> int:
    try:
        return db.info()["doc_count"]
    except CouchError:  # the server is restarting: not there yet
        return -1
