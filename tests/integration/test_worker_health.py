"""/healthz and the status page tell the truth about the worker (issue 16): a killed worker, a stuck one and
a poisoned one each show as they are, with the backlog counted live. The public /healthz says only the
status (503 "failing" while the worker fails, for monitors); admins get the worker's detail (issue 14)."""
import os
import signal
import subprocess
import sys
import time
import uuid

from sync.worker.__main__ import build
from tests.integration.process_fixtures import app_env
from tests.integration.test_worker_quarantine import deep, put_raw
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records

A = "inspector:cdecdecdecde"


def health(client) -> tuple[int, dict]:
    res = client.get("/healthz")
    return res.status_code, res.get_json()


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def quick(app, stale: int = 3, lag: int = 300) -> None:
    app.config.update(WORKER_STALE_S=stale, WORKER_LAG_S=lag, HEALTH_BACKLOG_CACHE_S=0)


def test_a_killed_worker_shows_as_failing_with_the_live_backlog_until_it_is_back(app, client, login, couch_url):
    quick(app)
    admin = login("admin")
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    env = app_env(app, couch_url, WORKER_HEARTBEAT_S=1, WORKER_STALE_S=3, WORKER_POLL_S=1)
    worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: health(admin)[1]["worker"]["state"] == "ok", 30)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        db.bulk_docs([inspection(app, task) for _ in range(20)])
        status, body = wait_for(lambda: (h := health(admin))[0] == 503 and h, 10)
        assert health(client) == (503, {"status": "failing"})         # the public sees the outage, no detail
        assert body["status"] == "failing" and body["worker"]["state"] == "failing"
        assert [r["code"] for r in body["worker"]["reasons"]] == ["stale"]
        assert body["worker"]["backlog"] == 20 and body["worker"]["heartbeat_age_s"] > 3
        worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env, stderr=subprocess.DEVNULL)
        status, body = wait_for(lambda: (h := health(admin))[0] == 200 and h[1]["worker"]["backlog"] == 0 and h, 30)
        assert health(client) == (200, {"status": "ok"})
        assert body["status"] == "ok" and body["worker"]["state"] == "ok"
    finally:
        worker.terminate()
        worker.wait(10)


def test_a_worker_alive_but_not_filing_shows_as_failing_once_the_oldest_change_waited_too_long(app, client, login):
    quick(app, stale=60, lag=2)
    admin = login("admin")
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    with app.app_context():
        worker = build(app)
        worker.run_once()                                      # seen, nothing waiting
        db.put(inspection(app, task))
        assert health(admin)[1]["worker"]["backlog"] == 1
        worker.backlog()                                       # it notices the change, and files nothing
        worker.beat(force=True)
        time.sleep(2.5)
        worker.beat(force=True)                                # its heartbeat is fresh
    status, body = health(admin)
    assert status == 503 and [r["code"] for r in body["worker"]["reasons"]] == ["lagging"]
    assert health(client) == (503, {"status": "failing"})
    assert body["worker"]["lag_s"] > 2 and body["worker"]["heartbeat_age_s"] < 2
    with app.app_context():
        worker.run_once()
    assert health(admin)[1]["worker"]["state"] == "ok"


def test_a_poisoned_worker_keeps_filing_and_says_what_it_set_aside(app, client, login):
    quick(app, stale=60)
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    poison_id = f"hazard:{uuid.uuid4()}"
    put_raw(app, db, poison_id, '{"type": "hazard", "x": ' + deep(1200) + "}")
    valid = inspection(app, task)
    db.put(valid)
    with app.app_context():
        build(app).run_once()
    assert records(app).get(valid["_id"])
    assert health(client) == (200, {"status": "ok"})                 # the public: no error text, no database names
    admin = login("admin")
    status, body = health(admin)
    worker = body["worker"]
    assert status == 200 and worker["state"] == "ok" and worker["backlog"] == 0
    assert worker["quarantined"] == 1 and poison_id in worker["last_error"]
    assert worker["by_db"] == {} and worker["pid"] == os.getpid()
    page = admin.get("/console/status").get_data(as_text=True)
    assert 'data-state="ok"' in page and poison_id in page


def test_the_status_page_shows_a_dead_worker_as_failing(app, login):
    quick(app)
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    db.put(inspection(app, task))                              # waiting, and no worker ever ran
    admin = login("admin")
    page = admin.get("/console/status").get_data(as_text=True)
    assert 'data-state="failing"' in page and "后台处理程序从未运行" in page
    assert admin.get("/healthz").status_code == 503
