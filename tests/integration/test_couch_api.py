"""Two behaviours of Apache CouchDB 3 the code relies on, on either server (the embedded pouchdb-server
gets them from sync/pouchdb_couch_api.js; issue 17):
- many databases' update sequences in one request (`POST /_dbs_info`; sync/heads.py), so the worker's sweep
  and the live backlog count read a thousand phone databases in ten requests;
- a long poll of `_changes` that ends by its `timeout=` with an empty answer, on a connection that stays
  open (the sync gateway's long polls)."""
import os
import threading
import time
import uuid

import pytest

from sync import heads
from sync.couch import Couch


EMBEDDED_ONLY = pytest.mark.skipif(bool(os.environ.get("COUCHDB_URL")), reason="the embedded server's own answer")


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


def _settled(read, name: str, wait_s: float = 10) -> dict:
    """Sequences read until `name` shows the fixture's two writes: on a cluster a copy can lag a write."""
    deadline = time.monotonic() + wait_s
    seqs = read()
    while seqs.get(name, 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        seqs = read()
    return seqs


def test_update_seqs_of_many_databases_in_few_requests(server):
    couch, names = server
    heads._no_dbs_info.discard(couch.base)
    gone = names[2] + "_gone"
    asked = [*names, gone] + [f"missing_{i}" for i in range(150)]
    seqs = _settled(lambda: heads.update_seqs(couch, asked), names[0])
    assert set(seqs) == set(names) and seqs[names[0]] >= 2 and seqs[names[0]] > seqs[names[1]]
    assert couch.base not in heads._no_dbs_info       # the server has the route: no fallback was needed


def test_a_server_without_the_route_is_read_one_database_at_a_time(server):
    couch, names = server
    heads._no_dbs_info.add(couch.base)
    try:
        seqs = _settled(lambda: heads.update_seqs(couch, [*names, "missing_" + uuid.uuid4().hex]), names[0])
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


def _updated_since(couch, since: str, want: set[str], wait_s: float = 10) -> set[str]:
    """The databases `_db_updates` names after `since`, read until `want` shows (CouchDB 3 batches the feed)."""
    seen: set[str] = set()
    deadline = time.monotonic() + wait_s
    while not want <= seen and time.monotonic() < deadline:
        answer = couch.call("GET", "/_db_updates", params={"since": since})
        seen |= {r["db_name"] for r in answer["results"] if r["type"] in ("created", "updated")}
        time.sleep(0.2)
    return seen


def test_db_updates_names_the_databases_written_to(server):
    couch, names = server
    since = str(couch.call("GET", "/_db_updates", params={"since": "now"})["last_seq"])
    couch.db(names[1]).put({"_id": "c"})
    couch.call("PUT", f"/{names[2]}/att/photo.jpg", content=b"\xff\xd8\xff", headers={"Content-Type": "image/jpeg"})
    assert {names[1], names[2]} <= _updated_since(couch, since, {names[1], names[2]})


def test_db_updates_long_poll_waits_for_a_write_and_ends_by_its_timeout(server):
    couch, names = server
    since = str(couch.call("GET", "/_db_updates", params={"since": "now"})["last_seq"])
    for _ in range(20):   # CouchDB 3 names the fixture's writes a moment late: read on until a poll is quiet
        began = time.monotonic()
        quiet = couch.call("GET", "/_db_updates", params={"since": since, "feed": "longpoll", "timeout": "300"},
                           timeout_s=30)
        since = str(quiet["last_seq"])
        if not quiet["results"]:
            break
    assert quiet["results"] == [] and time.monotonic() - began < 10
    writer = threading.Timer(0.5, lambda: couch.db(names[0]).put({"_id": "woken"}))
    writer.start()
    began, named = time.monotonic(), set()
    while names[0] not in named and time.monotonic() - began < 20:
        woken = couch.call("GET", "/_db_updates", params={"since": since, "feed": "longpoll", "timeout": "20000"},
                           timeout_s=30)
        named |= {r["db_name"] for r in woken["results"]}
        since = str(woken["last_seq"])
    writer.join()
    assert names[0] in named and time.monotonic() - began < 10


@EMBEDDED_ONLY
@pytest.mark.parametrize("since", ["1-1", "garbage", "9" * 40, "0"])
def test_db_updates_from_a_sequence_it_cannot_answer_exactly_names_every_database(server, since):
    """The embedded server's own rule (CouchDB answers these its own way): a superset, never less."""
    couch, names = server
    answer = couch.call("GET", "/_db_updates", params={"since": since})
    assert set(names) <= {r["db_name"] for r in answer["results"]}


@EMBEDDED_ONLY
def test_db_updates_ignores_reads_local_documents_and_security(server):
    couch, names = server
    since = str(couch.call("GET", "/_db_updates", params={"since": "now"})["last_seq"])
    couch.call("POST", f"/{names[0]}/_all_docs", json={"keys": ["a"]})
    couch.call("POST", f"/{names[0]}/_revs_diff", json={"a": ["1-x"]})
    couch.call("PUT", f"/{names[0]}/_local/checkpoint", json={"seq": 1})
    couch.call("PUT", f"/{names[0]}/_security", json={"members": {"names": ["x"], "roles": []}})
    couch.call("GET", f"/{names[0]}/a")
    assert couch.call("GET", "/_db_updates", params={"since": since})["results"] == []
    for feed in ("continuous", "eventsource"):
        assert couch.request("GET", "/_db_updates", params={"feed": feed}).status_code == 400


@EMBEDDED_ONLY   # (an Apache CouchDB cluster may answer 500 for a database deleted a moment ago: its own way)
def test_databases_made_and_destroyed_at_once_among_many_requests_are_seen_at_once(couch_url, db_prefix):
    """Every request to a database asks the list of databases first; the embedded server shares one answer
    among concurrent asks (sync/pouchdb_couch_api.js, 4). A database just made is found by the next request
    and one just destroyed is not, while other requests keep asking."""
    from concurrent.futures import ThreadPoolExecutor
    couch = Couch(couch_url)
    names = [f"{db_prefix}inspector_{uuid.uuid4().hex[:12]}" for _ in range(24)]
    stop = threading.Event()

    def busy():   # other requests to other databases all along, so that asks overlap
        while not stop.is_set():
            couch.request("GET", "/" + names[0] + "/_local/none")

    def made_then_written_then_gone(name):
        couch.create_db(name, q=1)
        couch.db(name).put({"_id": "x"})              # a 404 here: the database was not in the list yet
        assert couch.db(name).get("x")["_id"] == "x"
        couch.delete_db(name)
        return couch.request("GET", "/" + name + "/x").status_code

    try:
        couch.create_db(names[0], q=1)
        helpers = [threading.Thread(target=busy) for _ in range(4)]
        for helper in helpers:
            helper.start()
        with ThreadPoolExecutor(8) as pool:
            after_delete = list(pool.map(made_then_written_then_gone, names[1:]))
        assert after_delete == [404] * (len(names) - 1)
        assert not set(names[1:]) & set(couch.all_dbs())
    finally:
        stop.set()
        couch.delete_db(names[0])
        couch.close()
