"""`make run`'s children under the supervisor (issue 16): after `kill -9` the worker and the web server come
back by themselves, and what a phone sends afterwards is filed."""
import logging
import os
import signal
import time

import httpx

from deploy.run import children
from deploy.supervise import Supervisor
from tests.integration.gateway_fixtures import field_user  # noqa: F401  (fixture)
from tests.integration.process_fixtures import app_env, free_port, wait_until_up
from tests.integration.worker_fixtures import dispatched_task, inspection, records


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_killed_worker_and_web_server_are_restarted_and_filing_resumes(app, couch_url, field_user, tmp_path,
                                                                        caplog):
    caplog.set_level(logging.INFO, logger="supervise")
    alice = field_user("alice")
    task = dispatched_task(app, [alice.inspector_id])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env(app, couch_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=4,
                  WORKER_NOTIFY_SOCKET=str(tmp_path / "worker.sock"), WORKER_POLL_S=1,
                  WEB_SOCKET=str(tmp_path / "web.sock"))
    _pool, web, worker = kids = children(env)
    supervisor = Supervisor(kids, first_s=0.2, max_s=2).start()
    try:
        wait_until_up(base)

        def push() -> dict:
            doc = inspection(app, task)
            res = httpx.put(f"{base}/sync/{alice.db}/{doc['_id']}", json=doc, headers=alice.auth, timeout=10)
            assert res.status_code == 201, res.text
            return doc
        assert httpx.get(f"{base}/sync/{alice.db}/", headers=alice.auth, timeout=10).status_code == 200
        first = push()
        wait_for(lambda: records(app).get_or_none(first["_id"]), 30)

        dead = worker.pid
        os.kill(dead, signal.SIGKILL)
        after_kill = push()                        # sent while no worker runs
        wait_for(lambda: worker.pid != dead, 10)
        wait_for(lambda: records(app).get_or_none(after_kill["_id"]), 30)
        assert any("worker" in r.message and "exit code -9" in r.message for r in caplog.records)

        os.kill(web.pid, signal.SIGKILL)
        dead_web = web.pid
        wait_for(lambda: web.pid != dead_web, 10)
        later = wait_for(lambda: _try(push), 30)   # the old workers may hold the port a moment: back-off
        wait_for(lambda: records(app).get_or_none(later["_id"]), 30)
        assert web.restarts >= 1 and worker.restarts == 1
    finally:
        supervisor.stop(timeout=20)


def _try(push):
    try:
        return push()
    except (httpx.TransportError, AssertionError):
        return None
