"""The embedded CouchDB: pouchdb-server started on 127.0.0.1, given an admin, and restarted when it dies."""
from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "node_modules" / "pouchdb-server" / "bin" / "pouchdb-server"
GUARD = Path(__file__).resolve().parent / "pouchdb_guard.js"
# Map functions compiled once per view update, not once per document (why: in the file).
VIEWS = Path(__file__).resolve().parent / "pouchdb_views.js"
# CouchDB's POST /_dbs_info and long-poll `timeout=`, which pouchdb-server lacks (why: in the file).
COUCH_API = Path(__file__).resolve().parent / "pouchdb_couch_api.js"


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when its supervisor dies, so no orphaned server keeps the port."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedCouch:
    """Runs pouchdb-server as a child process and keeps it running.

    Data and the generated admin credentials live under `data_dir` (0600), so a restart keeps both.
    """

    def __init__(self, data_dir: Path, port: int | None = None, in_memory: bool = False,
                 admin_user: str = "admin", compiled_views: bool = True):
        self.data_dir = Path(data_dir)
        self.compiled_views = compiled_views  # False: pouchdb's own map evaluation (benchmark baseline)
        self.port = port or free_port()
        self.in_memory = in_memory
        self.admin_user = admin_user
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self.log_path = self.data_dir / "pouchdb-server.log"

    # -- credentials -------------------------------------------------------
    def _admin_password(self) -> str:
        cred_file = self.data_dir / "admin.json"
        if cred_file.exists():
            return json.loads(cred_file.read_text())["password"]
        password = secrets.token_urlsafe(24)
        cred_file.write_text(json.dumps({"user": self.admin_user, "password": password}))
        cred_file.chmod(0o600)
        return password

    @property
    def url(self) -> str:
        return f"http://{self.admin_user}:{self._admin_password()}@127.0.0.1:{self.port}"

    # -- process -----------------------------------------------------------
    def _spawn(self) -> None:
        if not BIN.exists():
            raise RuntimeError(f"pouchdb-server is not installed at {BIN}; run `make deps`")
        preload = [GUARD, COUCH_API, VIEWS] if self.compiled_views else [GUARD, COUCH_API]
        args = ["node", *[arg for path in preload for arg in ("-r", str(path))], str(BIN),
                "--host", "127.0.0.1", "--port", str(self.port), "--dir", str(self.data_dir / "db"),
                "--config", str(self.data_dir / "config.json"), "--no-stdout-logs"]
        if self.in_memory:
            args.append("--in-memory")
        (self.data_dir / "db").mkdir(parents=True, exist_ok=True)
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, cwd=self.data_dir, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        logf.close()
        self._wait_ready()
        self._ensure_admin()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"pouchdb-server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"pouchdb-server did not answer on port {self.port} within {timeout}s")

    def _ensure_admin(self) -> None:
        password = self._admin_password()
        base = f"http://127.0.0.1:{self.port}"
        with_auth = httpx.get(f"{base}/_session", auth=(self.admin_user, password), timeout=5)
        roles = with_auth.json().get("userCtx", {}).get("roles", [])
        anon = httpx.get(f"{base}/_session", timeout=5).json().get("userCtx", {}).get("roles", [])
        if "_admin" in anon:
            # Admin party: nobody is admin yet, so create ours (first start, or in-memory mode).
            httpx.put(f"{base}/_config/admins/{self.admin_user}", json=password, timeout=5).raise_for_status()
        elif "_admin" not in roles:
            raise RuntimeError("the embedded CouchDB has an admin whose password is not in admin.json")

    def start(self) -> "EmbeddedCouch":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="pouchdb-supervisor", daemon=True)
        self._watcher.start()
        log.info("embedded CouchDB (pouchdb-server) on 127.0.0.1:%s, data in %s", self.port, self.data_dir)
        return self

    def _watch(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            proc = self.proc
            if proc is None or proc.poll() is None:
                self._stopping.wait(0.2)
                continue
            if self._stopping.is_set():
                return
            log.error("pouchdb-server died with exit code %s; restarting (see %s)", proc.returncode, self.log_path)
            try:
                self._spawn()
                self.restarts += 1
                backoff = 0.2
            except RuntimeError as exc:
                log.error("restart failed: %s", exc)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def stop(self) -> None:
        self._stopping.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._watcher:
            self._watcher.join(5)


def main() -> None:
    """Run the embedded server in the foreground (for `make couch`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    data = Path(os.environ.get("EMBEDDED_COUCH_DIR", ROOT / "var" / "couch"))
    port = int(os.environ.get("EMBEDDED_COUCH_PORT", "5985"))
    couch = EmbeddedCouch(data, port=port).start()
    print(f"COUCHDB_URL=http://{couch.admin_user}:***@127.0.0.1:{couch.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        couch.stop()


if __name__ == "__main__":
    main()
