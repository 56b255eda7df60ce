"""The worker's safety-net sweep is cheap at many inspector databases (issue 17): the slice of a pass is read
in one `_dbs_info` request per 100 databases, and a change the notification missed is still filed."""
from __future__ import annotations

import secrets
import time

from server.db import couch
from sync.couch import seq_number
from sync.worker import feed
from sync.worker.__main__ import build
from sync.worker.sweep import MIN_SLICE
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records

PHONES = 120


class Counting:
    """The worker's CouchDB, counting the requests it makes (the real server answers them)."""

    def __init__(self, server):
        self.server, self.count = server, 0
        self.request = self._counted(server.request)
        self.call = self._counted(server.call)

    def _counted(self, func):
        def counted(*args, **kwargs):
            self.count += 1
            return func(*args, **kwargs)
        return counted

    def __getattr__(self, name):
        return getattr(self.server, name)

    def db(self, name: str):
        from sync.couch import Database
        return Database(self, name)


def test_a_quiet_sweep_costs_one_request_per_database_spread_over_passes(app):
    ids = [f"inspector:{secrets.token_hex(6)}" for _ in range(PHONES)]
    for inspector_id in ids:
        phone_db(app, inspector_id)
    task = dispatched_task(app, ids[:1])
    with app.app_context():
        worker = build(app)
        worker.limits["poll_s"] = 2
        worker.sweep.every_s, worker.sweep.poll_s = 4, 2   # half the databases (or MIN_SLICE) per pass
        counting = Counting(couch())
        worker.server = counting
        for _ in range(4):   # two rounds: everything filed once
            worker.run_once()
        while worker.purge_queue:   # the purge round the first pass began, done a slice a pass: finish it
            worker.purge_if_due()
        counting.count = 0
        passes = 0
        while passes == 0 or worker.sweep.queue:   # one more quiet round
            worker.run_once()
            passes += 1
        assert passes == 2 and PHONES // 2 >= MIN_SLICE
        # one listing, and per pass one _dbs_info for its slice (60 databases) and the status, reviews and
        # checkpoint of reviews; it was one GET per database
        assert counting.count <= 1 + (1 + 6) * passes, counting.count
        assert worker.backlog() == {}

        # a push whose notification was lost: found within one round, filed, and counted as backlog before
        doc = inspection(app, task)
        phone_db(app, ids[0]).put(doc)
        for _ in range(passes):
            worker.run_once()
        assert records(app).get_or_none(doc["_id"]) is not None
        assert worker.backlog() == {}


def test_a_notified_push_is_filed_in_the_middle_of_a_long_sweep_pass(app):
    """A pass of the sweep files every database that changed since the worker last looked (after a restart:
    all of them); a push notified meanwhile is filed between two of them, not after the pass (issue 17)."""
    import threading
    from sync.worker.wake import Wake
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(12))   # the last is visited last
    task = dispatched_task(app, ids)
    for inspector_id in ids:
        phone_db(app, inspector_id).put(inspection(app, task))
    pushed = inspection(app, task)
    with app.app_context():
        worker = build(app)
        worker.sweep.every_s = worker.sweep.poll_s = 2    # the whole round in one pass
        worker.wake = Wake(threading.Event())
        prefix = app.config["DB_PREFIX"]
        late = prefix + "inspector_" + ids[-1].split(":")[1]
        order, original = [], worker.process_db

        def process_db(name, head=None):
            order.append(name)
            if len(order) == 2:   # the pass has begun: the last phone pushes and the gateway says so
                phone_db(app, ids[-1]).put(pushed)
                worker.wake.pending.add({late})
            return original(name, head)
        worker.process_db = process_db
        worker.run_once()
    assert records(app).get_or_none(pushed["_id"]) is not None
    assert order.index(late) == 2, order      # filed right after the database being filed when it came


def _inspector_db_name(app, inspector_id: str) -> str:
    return app.config["DB_PREFIX"] + "inspector_" + inspector_id.split(":")[1]


def _following_worker(app, make: list[str]):
    """A worker following `_db_updates` that has listed and swept once; then the phone databases of `make`
    are made (after its listing: names it has never seen). Inside an app context."""
    worker = build(app)
    worker.follows_updates = True
    worker.run_once()
    for inspector_id in make:
        phone_db(app, inspector_id)
    return worker


def test_a_push_named_with_a_flood_of_new_databases_is_filed(app):
    """While `_db_updates` is followed the worker knows databases from one listing and the names since; the
    names of databases made after that listing, in one wake-up with many others (1,000 phones' first syncs),
    were checked 20 at a time and the rest dropped, and a push to one of those was never filed (issue 17)."""
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(30))
    task = dispatched_task(app, ids)
    with app.app_context():
        worker = _following_worker(app, ids)   # listed and swept before any of the 30 existed
        time.sleep(feed.RELIST_MIN_S)
        pushed = inspection(app, task)
        phone_db(app, ids[-1]).put(pushed)      # the name that sorts last among the new ones
        worker.visit({_inspector_db_name(app, i) for i in ids})
    assert records(app).get_or_none(pushed["_id"]) is not None


def test_names_that_come_too_soon_after_a_listing_are_held_not_dropped(app):
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(3))
    task = dispatched_task(app, ids)
    with app.app_context():
        worker = _following_worker(app, ids[:1])
        pushed = inspection(app, task)
        phone_db(app, ids[0]).put(pushed)
        worker._listed_at = time.monotonic()    # as if it had listed a moment ago (a busy machine is slower)
        worker.visit({_inspector_db_name(app, ids[0]), app.config["DB_PREFIX"] + "inspector_" + "0" * 12})
        assert _inspector_db_name(app, ids[0]) in worker.held  # within RELIST_MIN_S of the last listing
        worker._listed_at -= feed.RELIST_MIN_S
        worker.run_once()                       # the next pass lists again and files it
        assert not worker.held                  # the name of no database is dropped at that listing
    assert records(app).get_or_none(pushed["_id"]) is not None


def test_what_was_pushed_while_no_worker_ran_is_filed_by_the_first_round_while_following(app):
    """At start `_db_updates` is read from "now": pushes made while no worker ran are named by no feed. The
    first round sweeps every database, not only its first slice (it stopped after MIN_SLICE databases)."""
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(MIN_SLICE + 8))
    task = dispatched_task(app, ids[-3:])
    for inspector_id in ids:
        phone_db(app, inspector_id)
    pushed = [inspection(app, task) for _ in range(3)]
    for inspector_id, doc in zip(ids[-3:], pushed):     # beyond the first slice
        phone_db(app, inspector_id).put(doc)
    with app.app_context():
        worker = build(app)
        worker.follows_updates = True
        worker.sweep.every_s, worker.sweep.poll_s = 60, 2  # MIN_SLICE databases a pass
        for _ in range(3):
            worker.run_once()
    assert all(records(app).get_or_none(doc["_id"]) is not None for doc in pushed)


def test_a_flood_of_new_empty_databases_costs_a_look_per_hundred(app):
    """A thousand phones' first syncs name a thousand new, empty databases at once: they are looked at 100 a
    request and none is filed (no checkpoint read, no change feed), while the one with a push is."""
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(150))
    task = dispatched_task(app, ids[:1])
    with app.app_context():
        worker = _following_worker(app, ids)
        pushed = inspection(app, task)
        phone_db(app, ids[0]).put(pushed)
        time.sleep(feed.RELIST_MIN_S)
        counting = Counting(couch())
        worker.server = counting
        worker.visit({_inspector_db_name(app, i) for i in ids})
        # one listing, two _dbs_info, and the one database with a document filed (a handful of requests)
        assert counting.count <= 3 + 8, counting.count
    assert records(app).get_or_none(pushed["_id"]) is not None


def test_a_database_whose_documents_were_all_deleted_is_not_taken_for_empty(app):
    """Its deletions are changes to file: on the embedded server, whose database info counts no deleted
    documents, a database at doc_count 0 is empty only while nothing was ever written to it."""
    ids = sorted(f"inspector:{secrets.token_hex(6)}" for _ in range(3))
    with app.app_context():
        worker = _following_worker(app, ids)
        gone = {"_id": "note:1", "type": "note"}
        phone_db(app, ids[1]).put(gone)
        phone_db(app, ids[1]).delete("note:1", gone["_rev"])
        time.sleep(feed.RELIST_MIN_S)
        worker.visit({_inspector_db_name(app, i) for i in ids})
        filed = {i: (records(app).get_or_none(f"_local/worker-{_inspector_db_name(app, i)}") or {}).get("seq", "0")
                 for i in ids}
    assert seq_number(filed[ids[1]]) > 0      # its feed was read to the deletion
    assert filed[ids[0]] == filed[ids[2]] == "0"   # empty: never read (CouchDB: only the head is noted)
