"""The statistics views are incremental: a filed, changed or removed record moves the figures on the next request."""
from __future__ import annotations

import copy
import time
import uuid
from datetime import datetime, timedelta, timezone

from server.db import database
from server.stats import queries
from server.stats.cache import seq_count
from server.stats.report import today
from tests.integration.lag import read_until
from tests.integration.stats_fixtures import load


def _figures(session, region="370102") -> dict:
    body = session.get("/api/v1/stats?group=region&period=month").get_json()
    row = next(r for r in body["rows"] if r["key"] == region)
    return {k: row[k] for k in ("inspections", "major", "closed", "overdue", "supervised")}


def _figures_when(session, expected: dict, wait_s: float = 15.0) -> dict:
    """The figures once they are `expected`, or as they stand after `wait_s`: on a CouchDB cluster a view
    reads one copy of each shard, which can lag the last writes by a moment."""
    deadline = time.monotonic() + wait_s
    while (got := _figures(session)) != expected and time.monotonic() < deadline:
        time.sleep(0.3)
    return got


def _new_records(generated: dict) -> tuple[dict, dict]:
    """A new approved inspection in 历下区 finished now, and one open major hazard case of it, overdue."""
    now = datetime.now(timezone.utc)
    record = copy.deepcopy(next(d for d in generated["docs"]
                                if d["type"] == "inspection" and d["status"] == "finished"))
    record.update(_id=f"inspection:{uuid.uuid4()}", region="370102", review_status="approved",
                  finished_at=now.isoformat(timespec="seconds"))
    record.pop("_rev", None)
    case = copy.deepcopy(next(d for d in generated["docs"] if d["type"] == "hazard_case"))
    case.update(_id=f"case:{uuid.uuid4()}", inspection=record["_id"], region="370102", grade="major",
                state="ordered", supervised=True, found_at=now.isoformat(timespec="seconds"),
                deadline=(today() - timedelta(days=1)).isoformat())
    case.pop("_rev", None)
    return record, case


def test_adding_changing_and_removing_records_moves_the_figures(app, login):
    app.config.update(STATS_SEQ_CHECK_MS=0, STATS_CLUSTER_CACHE_S=0)   # ask records every time: no grace
    generated = load(app, inspections=30, seed=11)
    session = login("supervisor", "370100")
    before = _figures(session)
    for _ in range(20):                      # settled: two reads 0.5 s apart agree (a cluster's copies catch up)
        time.sleep(0.5)
        if (again := _figures(session)) == before:
            break
        before = again
    record, case = _new_records(generated)
    with app.app_context():
        for doc in (record, case):
            database("records").put(doc)   # sets each _rev, for the changes below
    after = _figures_when(session, {**before, "inspections": before["inspections"] + 1, "major": before["major"] + 1,
                                     "overdue": before["overdue"] + 1, "supervised": before["supervised"] + 1})
    assert after == {**before, "inspections": before["inspections"] + 1, "major": before["major"] + 1,
                     "overdue": before["overdue"] + 1, "supervised": before["supervised"] + 1}

    case.update(state="closed", closed_at=datetime.now(timezone.utc).isoformat())
    record["review_status"] = "rejected"
    with app.app_context():
        for doc in (record, case):
            database("records").put(doc)
    closed = _figures_when(session, {**before, "major": before["major"] + 1, "closed": before["closed"] + 1})
    assert closed == {**before, "major": before["major"] + 1, "closed": before["closed"] + 1}

    with app.app_context():
        database("records").delete(case["_id"], case["_rev"])
    assert _figures_when(session, before) == before


def test_an_answer_is_computed_once_until_records_change(app, login, monkeypatch):
    app.config["STATS_SEQ_CHECK_MS"] = 0
    load(app, inspections=10, seed=12)
    session = login("supervisor", "370100")
    with app.app_context():   # on a cluster the copies count the load's writes alike only once they have them all
        records = database("records")
        read_until(lambda: {seq_count(records.info()["update_seq"]) for _ in range(4)}, lambda counts: len(counts) == 1)
    calls = []
    original = queries._figures
    monkeypatch.setattr(queries, "_figures", lambda *a: calls.append(a) or original(*a))
    def computes() -> int:   # computations one more request made
        before = len(calls)
        session.get("/api/v1/stats")
        return len(calls) - before
    session.get("/api/v1/stats")
    if records.info().get("cluster", {}).get("n", 1) > 1:
        # a request may still read a count the copies have not agreed on and compute again; within seconds one is kept
        read_until(computes, lambda made: made == 0, 10)
    assert computes() == 0
    del calls[1:]
    session.get("/api/v1/stats?period=quarter")
    assert len(calls) == 2
    with app.app_context():
        database("records").put({"_id": "note:unrelated", "type": "note"})
    # On a CouchDB cluster the copy that answers the sequence may not have the write for a moment (it is
    # then still the same data to the views, which read one copy too): the change shows within seconds.
    import time
    deadline = time.monotonic() + 10
    session.get("/api/v1/stats")
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        session.get("/api/v1/stats")
    assert len(calls) == 3


def test_a_change_shows_within_the_check_interval(app, login):
    """With the default interval the process asks records at most once a second: a change shows after it."""
    import time
    app.config["STATS_SEQ_CHECK_MS"] = 300
    generated = load(app, inspections=10, seed=13)
    session = login("supervisor", "370100")
    before = _figures(session)["inspections"]
    record, _ = _new_records(generated)
    with app.app_context():
        database("records").put(record)
    time.sleep(0.35)
    assert _figures(session)["inspections"] == before + 1
