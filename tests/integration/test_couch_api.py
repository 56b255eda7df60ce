"""Two behaviours of Apache CouchDB 3 the code relies on, on either server (the embedded pouchdb-server
gets them from sync/pouchdb_couch_api.js; issue 17):
- many databases' update sequences in one request (`POST /_dbs_info`; sync/heads.py), so the worker's sweep
  and the live backlog count read a thousand phone databases in ten requests;
- a long poll of `_changes` that ends by its `timeout=` with an empty answer, on a connection that stays
  open (the sync gateway's long polls)."""
import threading
import time
import uuid

import pytest

from sync import heads
from sync.couch import Couch


@pytest.fixture
def server(couch_url, db_prefix):
    couch = Couch(couch_url)
    names = [f"{db_prefix}inspector_{uuid.uuid4().hex[:12]}" for _ in range(3)]
    for name in names:
        couch.create_db(name, q=1)
    couch.db(names[0]).put({"_id": "a"})
    couch.db(names[0]).put({"_id": "b"})
    yield couch, names
    for name in names:
        couch.delete_db(name)
    couch.close()


def test_the_route_answers_as_couchdb_does(server):
    couch, names = server
    rows = couch.call("POST", "/_dbs_info", json={"keys": [names[0], names[1], "no_such_db_" + uuid.uuid4().hex]})
    assert [r["key"] for r in rows] == [names[0], names[1], rows[2]["key"]]
    assert rows[0]["info"]["db_name"] == names[0] and rows[0]["info"]["doc_count"] == 2
    assert rows[2]["error"] == "not_found" and "info" not in rows[2]


@pytest.mark.parametrize("body", [{}, {"keys": "x"}, {"keys": None}, {"keys": [f"d{i}" for i in range(101)]}])
def test_malformed_and_oversized_asks_are_refused(server, body):
    couch, _names = server
    assert couch.request("POST", "/_dbs_info", json=body).status_code == 400


def test_hostile_keys_are_just_not_found(server):
    couch, names = server
    rows = couch.call("POST", "/_dbs_info", json={"keys": [7, None, {"a": 1}, "../" * 50, "x" * 5000, names[1]]})
    assert len(rows) == 6 and all("info" not in r for r in rows[:5]) and rows[5]["info"]["db_name"] == names[1]


def test_update_seqs_of_many_databases_in_few_requests(server):
    couch, names = server
    heads._no_dbs_info.discard(couch.base)
    gone = names[2] + "_gone"
    seqs = heads.update_seqs(couch, [*names, gone] + [f"missing_{i}" for i in range(150)])
    assert set(seqs) == set(names) and seqs[names[0]] >= 2 and seqs[names[0]] > seqs[names[1]]
    assert couch.base not in heads._no_dbs_info       # the server has the route: no fallback was needed


def test_a_server_without_the_route_is_read_one_database_at_a_time(server):
    couch, names = server
    heads._no_dbs_info.add(couch.base)
    try:
        seqs = heads.update_seqs(couch, [*names, "missing_" + uuid.uuid4().hex])
    finally:
        heads._no_dbs_info.discard(couch.base)
    assert set(seqs) == set(names) and seqs[names[0]] > seqs[names[1]]


def test_a_long_poll_ends_by_its_timeout_and_the_connection_serves_the_next(server):
    couch, names = server
    path = f"/{names[1]}/_changes"
    seq = couch.db(names[1]).info()["update_seq"]
    began = time.monotonic()
    for _ in range(12):   # more than Node's ten listeners per connection: nothing is left behind
        answer = couch.call("GET", path, params={"feed": "longpoll", "since": seq, "timeout": "200"})
        assert answer["results"] == []
    assert time.monotonic() - began < 12 * 0.2 + 10
    assert couch.call("GET", path, params={"feed": "longpoll", "since": "now", "timeout": "200"})["results"] == []


def test_a_change_during_a_long_poll_ends_it_at_once(server):
    couch, names = server
    seq = couch.db(names[1]).info()["update_seq"]
    writer = threading.Timer(0.5, lambda: couch.db(names[1]).put({"_id": "late"}))
    writer.start()
    began = time.monotonic()
    answer = couch.call("GET", f"/{names[1]}/_changes", timeout_s=30,
                        params={"feed": "longpoll", "since": seq, "timeout": "20000"})
    writer.join()
    assert [r["id"] for r in answer["results"]] == ["late"] and time.monotonic() - began < 10
