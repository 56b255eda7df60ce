"""Issue 16, all at once: while a device (Node PouchDB, the field kit's batch size) pushes 30 inspections with
photos through gunicorn, others push poison documents, cut their uploads and send the largest allowed
requests, and the worker is killed with SIGKILL. Every valid document ends filed exactly once, and /healthz
showed the outage while it lasted."""
import base64
import contextlib
import hashlib
import io
import os
import signal
import threading
import time

import httpx
from PIL import Image

from deploy.run import children
from deploy.supervise import Supervisor
from tests.integration.gateway_fixtures import field_user, run_pouch, server_db  # noqa: F401  (fixture)
from tests.integration.process_fixtures import app_env, free_port, wait_until_up
from tests.integration.test_gateway_limits import IDS, cut_upload, deep
from tests.integration.test_worker_quarantine import put_raw
from tests.integration.worker_fixtures import dispatched_task, inspection, now, records

STALE_S = 3


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (seed * 7 % 255, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


def device_docs(app, task, count: int = 30) -> list[dict]:
    """What a phone holds after a day: finished inspections, each with a photo (attachment inline)."""
    docs = []
    for n in range(count):
        record = inspection(app, task)
        data = jpeg(n)
        docs += [record, {"_id": f"photo:{record['_id'][11:]}", "type": "photo", "task": task["_id"],
                          "inspection": record["_id"], "sha256": hashlib.sha256(data).hexdigest(), "taken_at": now(),
                          "position": {"lat": 36.66, "lng": 117.05, "accuracy_m": 8, "at": now()},
                          "_attachments": {"photo.jpg": {"content_type": "image/jpeg",
                                                         "data": base64.b64encode(data).decode()}}}]
    return docs


class Chaos:
    """The other actors, each on its own thread until `stop`; what they saw is kept for the asserts."""

    def __init__(self, base: str, attacker, stop: threading.Event):
        self.base, self.attacker, self.stop = base, attacker, stop
        self.health: list[tuple[float, int, str]] = []
        self.heavy: list[int] = []

    def watch_health(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(httpx.HTTPError):   # the web server restarting: look again
                res = httpx.get(self.base + "/healthz", timeout=10)
                # The public answer is the status alone ("failing" while the worker is dead or stuck).
                self.health.append((time.monotonic(), res.status_code, res.json()["status"]))
            time.sleep(0.4)

    def largest_requests(self) -> None:
        url, ids = f"{self.base}/sync/{self.attacker.db}", [f"inspection:{i:05d}" for i in range(IDS)]
        bodies = [("_revs_diff", {i: [f"{n}-{'a' * 32}" for n in range(1, 5)] for i in ids}),
                  ("_bulk_get", {"docs": [{"id": i} for i in ids]}), ("_all_docs", {"keys": ids})]
        for _ in range(2):                       # two rounds: each alone must leave CouchDB to the others
            for path, body in bodies:
                if self.stop.is_set():
                    return
                self.heavy.append(httpx.post(f"{url}/{path}", json=body, headers=self.attacker.auth,
                                             timeout=30).status_code)
            time.sleep(0.5)

    def cut_uploads(self) -> None:
        for _ in range(4):
            if self.stop.is_set():
                return
            cut_upload(self.base, f"/sync/{self.attacker.db}/hazard:cut", self.attacker.token, 2_000_000, 900_000)
            time.sleep(0.5)


def test_chaos_ends_with_every_valid_document_filed_once_and_the_outage_shown(app, couch_url, field_user,
                                                                             tmp_path):
    device, attacker = field_user("device"), field_user("attacker")
    task = dispatched_task(app, [device.inspector_id])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env(app, couch_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=8,
                  WORKER_NOTIFY_SOCKET=str(tmp_path / "w.sock"), WEB_SOCKET=str(tmp_path / "web.sock"), WORKER_POLL_S=1, WORKER_HEARTBEAT_S=1,
                  WORKER_STALE_S=STALE_S, HEALTH_BACKLOG_CACHE_S=0)
    _pool, web, worker = kids = children(env)
    supervisor = Supervisor(kids, first_s=STALE_S + 1).start()   # the worker stays down long enough to be seen
    stop = threading.Event()
    try:
        wait_until_up(base)
        for user in (device, attacker):
            assert httpx.get(f"{base}/sync/{user.db}/", headers=user.auth, timeout=10).status_code == 200
        chaos = Chaos(base, attacker, stop)
        threads = [threading.Thread(target=f, daemon=True)
                   for f in (chaos.watch_health, chaos.largest_requests, chaos.cut_uploads)]
        for thread in threads:
            thread.start()
        refused = httpx.put(f"{base}/sync/{device.db}/hazard:deep", headers=device.auth, timeout=10,
                            content='{"type": "hazard", "x": ' + deep(1200) + "}")
        assert refused.status_code == 400 and refused.json()["errors"]["code"] == "gateway.too_deep"
        put_raw(app, server_db(app, device), "hazard:poison", '{"type": "hazard", "x": ' + deep(1200) + "}")
        docs = device_docs(app, task)
        pushed: dict = {}
        pusher = threading.Thread(target=lambda: pushed.update(run_pouch(
            {"remote": f"{base}/sync/{device.db}", "authorization": f"Bearer {device.token}", "direction": "push",
             "write": docs, "batch_size": 20, "keep_alive": True}, timeout=150)))
        pusher.start()
        time.sleep(1.0)
        killed_at, dead = time.monotonic(), worker.pid
        os.kill(dead, signal.SIGKILL)
        pusher.join(160)
        assert pushed.get("ok") and pushed["docs_written"] >= len(docs), pushed
        wanted = [d["_id"] for d in docs]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(records(app).docs_by_id(wanted)) < len(wanted):
            time.sleep(0.5)
        time.sleep(1.5)                                        # one more health look after the recovery
        stop.set()
        for thread in threads:
            thread.join(40)
    finally:
        stop.set()
        supervisor.stop(timeout=20)
    filed = records(app).docs_by_id(wanted)
    assert sorted(filed) == sorted(wanted)
    assert all(r["_rev"].startswith("1-") for r in filed.values()), "a document was filed twice"
    assert server_db(app, device).get("rejection:hazard:poison")["code"] == "field.unreadable"
    assert worker.restarts == 1 and worker.pid != dead
    assert chaos.heavy and set(chaos.heavy) == {200}
    assert server_db(app, attacker).get_or_none("hazard:cut") is None
    outage = [(at, status) for at, status, state in chaos.health if at > killed_at and state == "failing"]
    assert outage and all(status == 503 for _, status in outage), "/healthz never showed the dead worker"
    assert chaos.health[-1][1:] == (200, "ok"), chaos.health[-5:]
