"""`make run`: start the whole system on the embedded default (or COUCHDB_URL), with demo data, and print the URL."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def local_settings() -> dict:
    """Secrets made once on first start and kept in var/ (0600), so restarts keep sessions and QR codes valid."""
    from server.qr.signing import generate_key_spec
    path = VAR / "local-settings.json"
    if path.exists():
        return json.loads(path.read_text())
    settings = {"SECRET_KEY": secrets.token_urlsafe(48), "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1"}
    path.write_text(json.dumps(settings))
    path.chmod(0o600)
    return settings


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
    VAR.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    env = {k: v for k, v in local_settings().items() if not os.environ.get(k)}
    os.environ.update(env)
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
    # The thread pool on a Unix socket, behind the edge (gevent) that owns BIND: deploy/edge.py, decision 0011.
    from deploy.edge import commands
    pool_cmd, edge_cmd = commands(sys.executable, ROOT, os.environ.setdefault("WEB_SOCKET", "var/web.sock"))
    pool = subprocess.Popen(pool_cmd, cwd=ROOT)
    web = subprocess.Popen(edge_cmd, cwd=ROOT)
    worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], cwd=ROOT)
    print(f"\n  现场检查系统已启动 / Field inspection system is up: http://{bind}/\n"
          f"  演示账号 / demo accounts: {VAR / 'demo-accounts.txt'}\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: web.terminate())
    try:
        return web.wait()
    except KeyboardInterrupt:
        web.terminate()
        return web.wait()
    finally:
        pool.terminate()
        pool.wait(30)
        worker.terminate()
        worker.wait(10)
        if couch:
            couch.stop()


if __name__ == "__main__":
    sys.exit(main())
