"""The system under bench/load.py: embedded CouchDB, the `make run` stack (edge + thread pool), the worker,
N inspector accounts with tokens, a supervisor, and a dispatched task whose team is every inspector."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
SUPERVISOR = ("bench.sup", "bench supervisor password 123")


def settings(couch_url: str, tmp: Path) -> dict:
    from server.qr.signing import generate_key_spec
    return {"COUCHDB_URL": couch_url, "DB_PREFIX": "load" + uuid.uuid4().hex[:6] + "_", "SECRET_KEY": "l" * 48,
            "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1", "PUBLIC_BASE_URL": "http://bench.invalid",
            # supervisors sign in again and again from one address: the bench measures sign-in, not its limit
            "LOGIN_RATE_LIMIT": "100000 per minute", "WORKER_NOTIFY_SOCKET": str(tmp / "worker.sock"),
            "WEB_SOCKET": str(tmp / "web.sock")}


def populate(app, phones: int) -> tuple[list[dict], dict]:
    """`phones` inspectors (one password hash shared: hashing 1,000 passwords is not what is measured) with
    a token each, one supervisor, one task with all of them on its team."""
    from server.accounts import passwords, store
    from server.cli import bootstrap_all
    from server.db import registry
    from tests.integration.worker_fixtures import dispatched_task
    accounts = []
    with app.app_context():
        bootstrap_all()
        store.create_user(registry(), {"username": SUPERVISOR[0], "role": "supervisor", "region": "370100",
                                       "display_name": "督查", "password": SUPERVISOR[1]})
        shared_hash = passwords.hash_password("bench inspector password 123")
        users = []
        for _ in range(phones):
            hex_id = uuid.uuid4().hex[:12]
            users.append({"_id": f"user:load{hex_id}", "type": "user", "username": f"load{hex_id}",
                          "role": "inspector", "region": "370102", "display_name": "检查员", "active": True,
                          "inspector_id": f"inspector:{hex_id}", "session_version": 1, "locale": "zh_CN",
                          "password_hash": shared_hash, "created_at": "2026-12-02T00:00:00+00:00"})
        for start in range(0, len(users), 500):
            registry().bulk_docs(users[start:start + 500])
        for user in users:
            accounts.append({"db": f"inspector_{user['inspector_id'].split(':')[1]}",
                             "token": store.issue_token(registry(), user, "phone", 1)["token"],
                             "inspector_id": user["inspector_id"]})
    task = dispatched_task(app, [a["inspector_id"] for a in accounts])
    return accounts, task


def start_processes(env_settings: dict, port: int, log_dir: Path) -> list[subprocess.Popen]:
    """The worker, the thread pool and the edge, as `make run` starts them."""
    from deploy.edge import commands
    from deploy.health_wait import wait_for_health
    env = {**os.environ, **env_settings, "BIND": f"127.0.0.1:{port}", "ACCESS_LOG": ""}
    pool_cmd, edge_cmd = commands(sys.executable, ROOT, env_settings["WEB_SOCKET"])
    procs = []
    for name, cmd in (("worker", [sys.executable, "-m", "sync.worker"]), ("pool", pool_cmd), ("edge", edge_cmd)):
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(log_dir / f"{name}.log", "wb")))
    if wait_for_health(f"http://127.0.0.1:{port}", 90, procs=procs):
        return procs
    stop(procs)
    raise RuntimeError(f"the stack did not start; see {log_dir}")


def drop_databases(couch_url: str, prefix: str) -> None:
    """Delete every database the run made on a server it did not start."""
    from sync.couch import Couch
    couch = Couch(couch_url)
    try:
        for name in couch.all_dbs():
            if name.startswith(prefix):
                couch.delete_db(name)
    finally:
        couch.close()


def stop(procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
