"""`make run`: start the whole system on the embedded default (or COUCHDB_URL), with demo data, and print the URL.

The web server (gunicorn) and the worker run under deploy/supervise.py: either one that dies is started
again with a growing pause, and the log says so; the embedded CouchDB is kept running by sync/embedded.py.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from deploy.supervise import Child, Supervisor

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def local_settings() -> dict:
    """Secrets made once on first start and kept in var/ (0600), so restarts keep sessions and QR codes valid."""
    from server.qr.signing import generate_key_spec
    path = VAR / "local-settings.json"
    settings = json.loads(path.read_text()) if path.exists() else {}
    fresh = {"SECRET_KEY": secrets.token_urlsafe(48), "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1",
             # The audit log's key (docs/decisions/0011): in var/, never in CouchDB.
             "AUDIT_KEYS": generate_key_spec("a1"), "AUDIT_ACTIVE_KEY": "a1"}
    if all(k in settings for k in fresh):
        return settings
    settings = {**fresh, **settings}
    path.write_text(json.dumps(settings))
    path.chmod(0o600)
    return settings


def reporter_key() -> None:
    """The reporters' identity key (举报人信息, server/reports/protect.py) in var/ unless REPORTER_KEY_FILE names
    another file: made once, 0600, never in CouchDB."""
    from server.reports.protect import create_key_file
    create_key_file(Path(os.environ.setdefault("REPORTER_KEY_FILE", str(VAR / "reporter.key"))))


def prepare(env: dict) -> list[dict]:
    """Bootstrap the databases and load the demo city on first start; returns new demo accounts."""
    from server import create_app
    from server.cli import bootstrap_all
    from server.db import registry
    from server.demo.load import load_demo
    app = create_app()
    with app.app_context():
        bootstrap_all()
        result = load_demo(registry(), force=False)
    return result.get("accounts", [])


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    VAR.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    env = {k: v for k, v in local_settings().items() if not os.environ.get(k)}
    os.environ.update(env)
    reporter_key()
    couch = None
    if not os.environ.get("COUCHDB_URL"):
        from sync.embedded import EmbeddedCouch
        port = int(os.environ.get("EMBEDDED_COUCH_PORT", "5985"))
        couch = EmbeddedCouch(VAR / "couch", port=port).start()
        os.environ["COUCHDB_URL"] = couch.url
    accounts = prepare(os.environ)
    if accounts:
        lines = [f"{a['username']}\t{a['password']}\t{a['role']}\t{a['region']}" for a in accounts]
        (VAR / "demo-accounts.txt").write_text("\n".join(lines) + "\n")
        (VAR / "demo-accounts.txt").chmod(0o600)
    bind = os.environ.setdefault("BIND", "127.0.0.1:8000")
    # The gateway tells the worker of each phone's push on this socket (relative: both run in ROOT).
    os.environ.setdefault("WORKER_NOTIFY_SOCKET", "var/worker.sock")
    from deploy.metrics_dir import clear as clear_metrics
    clear_metrics()                         # a fresh start: no samples of processes from an earlier run
    supervisor = Supervisor(children()).start()
    print(f"\n  现场检查系统已启动 / Field inspection system is up: http://{bind}/\n"
          f"  演示账号 / demo accounts: {VAR / 'demo-accounts.txt'}\n", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        supervisor.wait(stop)
    finally:
        supervisor.stop()
        if couch:
            couch.stop()
    return 0


def children(env: dict | None = None) -> list[Child]:
    """The thread pool on a Unix socket, the edge (gevent) that owns BIND in front of it (deploy/edge.py,
    decision 0015), and the worker (with `env`, or the launcher's environment), each restarted if it dies."""
    from deploy.edge import commands
    source = env if env is not None else os.environ
    pool_cmd, edge_cmd = commands(sys.executable, ROOT, source.setdefault("WEB_SOCKET", "var/web.sock"))
    return [Child("web thread pool (gunicorn)", pool_cmd, cwd=ROOT, env=env),
            Child("web edge (gunicorn, gevent)", edge_cmd, cwd=ROOT, env=env),
            Child("worker", [sys.executable, "-m", "sync.worker"], cwd=ROOT, env=env)]


if __name__ == "__main__":
    sys.exit(main())
