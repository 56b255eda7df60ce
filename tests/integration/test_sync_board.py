"""Long polls of a quiet phone database wait on the board (server/gateway/board.py), not in CouchDB, and are
never told "nothing changed" wrongly: a write wakes them, a full batch is not taken for everything, and
without the `_db_updates` feed (or past SYNC_BOARD_TRUST_S) every poll asks CouchDB, as before."""
import threading
import time
from urllib.parse import quote

from server.gateway import longpoll
from server.gateway.board import Board
from sync.couch import Couch
from tests.integration.gateway_fixtures import field_user, server_db  # noqa: F401
from tests.integration.test_gateway import opened, wait_for


def _board_followed(app) -> Board:
    with app.app_context():
        board = longpoll.board()
    board._start()
    assert wait_for(lambda: board._healthy, 20), "the board never followed _db_updates"
    return board


def _count_polls(app, monkeypatch) -> list:
    """Every long poll that reached CouchDB, as (path, params)."""
    polls = []
    couch = app.extensions["couch"]
    real = couch.stream

    def stream(method, path, *args, **kwargs):
        if path.endswith("/_changes") and (kwargs.get("params") or {}).get("feed") == "longpoll":
            polls.append((path, kwargs.get("params")))
        return real(method, path, *args, **kwargs)
    monkeypatch.setattr(couch, "stream", stream)
    return polls


def _poll(client, user, since, **params):
    query = "&".join(f"{k}={v}" for k, v in {"feed": "longpoll", "since": quote(str(since), safe=""), **params}.items())
    began = time.monotonic()
    res = client.get(f"/sync/{user.db}/_changes?{query}", headers=user.auth)
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json(), time.monotonic() - began


def test_a_quiet_database_waits_on_the_board_and_a_write_wakes_it(app, client, field_user, monkeypatch):
    a = opened(client, field_user("board-a"))
    _board_followed(app)
    polls = _count_polls(app, monkeypatch)
    last = _poll(client, a, 0, timeout=800)[0]["last_seq"]
    for _ in range(10):   # CouchDB 3 names the database's creation a moment late, which costs a question
        asked = len(polls)
        second, took = _poll(client, a, last, timeout=800)
        if len(polls) == asked:
            break
        last = second["last_seq"]
    assert len(polls) == asked                               # CouchDB was not asked
    assert second["results"] == [] and second["last_seq"] == last and took >= 0.7

    def write_later():
        time.sleep(0.5)
        server_db(app, a).put({"_id": "task:late"})          # as a dispatch writes: straight to CouchDB
    writer = threading.Thread(target=write_later)
    writer.start()
    woken, took = _poll(client, a, last, timeout=20000)
    writer.join()
    assert [r["id"] for r in woken["results"]] == ["task:late"] and took < 10
    assert len(polls) == asked + 1


def test_a_full_batch_is_not_taken_for_everything(app, client, field_user):
    a = opened(client, field_user("board-b"))
    _board_followed(app)
    assert client.post(f"/sync/{a.db}/_bulk_docs", headers=a.auth,
                       json={"docs": [{"_id": f"d:{i}"} for i in range(3)]}).status_code == 201
    assert wait_for(lambda: len(_poll(client, a, 0, limit=10, timeout=500)[0]["results"]) == 3, 10)
    batch, _ = _poll(client, a, 0, limit=2, timeout=500)
    assert len(batch["results"]) == 2
    rest, took = _poll(client, a, batch["last_seq"], limit=2, timeout=5000)
    assert len(rest["results"]) == 1 and took < 3            # asked of CouchDB, at once


def test_without_the_board_or_past_its_trust_every_poll_asks_couchdb(app, client, field_user, monkeypatch):
    a = opened(client, field_user("board-c"))
    app.config["SYNC_BOARD_TRUST_S"] = 0
    _board_followed(app).trust_s = 0
    polls = _count_polls(app, monkeypatch)
    first, _ = _poll(client, a, 0, timeout=300)
    _poll(client, a, first["last_seq"], timeout=300)
    assert len(polls) == 2
    app.config["SYNC_BOARD"] = False
    with app.app_context():
        assert longpoll.board() is None
    _poll(client, a, first["last_seq"], timeout=300)
    assert len(polls) == 3


def test_a_board_whose_feed_fails_trusts_nothing(app):
    """A CouchDB that cannot be reached: the follower never calls the feed followed, so no poll waits on it;
    a board that was following and loses the feed forgets what it knew and wakes every waiting poll."""
    gone = Couch("http://127.0.0.1:9")                       # the discard port: nothing listens
    board = Board(gone, "", trust_s=120)
    board._start()
    time.sleep(1)
    assert not board._healthy and board.generation("inspector_000000000001") is None
    board.remember("inspector_000000000001", "7", 0)
    assert board.quiet_since("inspector_000000000001", "7") is None

    followed = _board_followed(app)
    db = app.config["DB_PREFIX"] + "inspector_000000000002"
    followed.remember(db, "9", followed.generation(db))
    event = followed.quiet_since(db, "9")
    assert event is not None and not event.is_set()
    followed._set_healthy(False)
    assert event.is_set() and followed.quiet_since(db, "9") is None
    gone.close()


def test_the_feed_names_only_this_systems_phone_databases(app):
    board = _board_followed(app)
    mine = app.config["DB_PREFIX"] + "inspector_0123456789ab"
    board.remember(mine, "3", board.generation(mine))
    before = dict(board._generation)
    with app.app_context():
        couch = app.extensions["couch"]
        other = "zz" + app.config["DB_PREFIX"] + "inspector_0123456789ab"
        couch.create_db(other)
        couch.create_db(mine)
        try:
            couch.db(other).put({"_id": "x"})
            assert wait_for(lambda: board.quiet_since(mine, "3") is None, 15)   # its creation moved it on
            assert other not in board._generation and set(board._generation) - set(before) <= {mine}
        finally:
            couch.delete_db(other)
            couch.delete_db(mine)
