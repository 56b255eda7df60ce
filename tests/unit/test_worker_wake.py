"""What may wake the worker: only well-formed names of this system's inspector databases, in bounded number."""
from sync.notify import inspector_db_names
from sync.worker.wake import Pending, changed_names

PREFIX = "fi_"
GOOD = PREFIX + "inspector_0123456789ab"


def test_only_this_systems_inspector_database_names_pass():
    hostile = [b"", b"\x00\xff", GOOD.encode() + b"\n", b" " + GOOD.encode(), GOOD.upper().encode(),
               (PREFIX + "inspector_0123456789abc").encode(), (PREFIX + "inspector_0123456789a").encode(),
               (PREFIX + "registry").encode(), b"_users", b"inspector_0123456789ab", b"zz_inspector_0123456789ab",
               (PREFIX + "inspector_../registry").encode(), (PREFIX + "inspector_ÄÄÄÄÄÄÄÄÄÄÄÄ").encode(),
               (GOOD + "/_design/x").encode(), b"x" * 5000, None, 12, {"db": GOOD}]
    assert inspector_db_names(hostile, PREFIX) == set()
    assert inspector_db_names([GOOD.encode(), GOOD, GOOD.encode()], PREFIX) == {GOOD}
    assert inspector_db_names([b"inspector_0123456789ab"], "") == {"inspector_0123456789ab"}


def test_db_updates_answers_name_created_and_updated_databases_of_this_system():
    feed = {"results": [{"db_name": GOOD, "type": "updated", "seq": "1-a"},
                        {"db_name": PREFIX + "inspector_aaaaaaaaaaaa", "type": "created", "seq": "2-a"},
                        {"db_name": PREFIX + "inspector_bbbbbbbbbbbb", "type": "deleted", "seq": "3-a"},
                        {"db_name": PREFIX + "registry", "type": "updated", "seq": "4-a"},
                        {"db_name": ["x"], "type": "updated"}, "garbage", {"type": "updated"}],
            "last_seq": "4-a"}
    assert changed_names(feed, PREFIX) == {GOOD, PREFIX + "inspector_aaaaaaaaaaaa"}
    for odd in (None, [], {"results": "x"}, {"results": None}, {}):
        assert changed_names(odd, PREFIX) == set()


def test_pending_names_are_distinct_and_bounded():
    pending = Pending(limit=3)
    pending.add(["a", "b", "a"])
    assert pending.arrived.is_set()
    assert pending.take() == ({"a", "b"}, False) and not pending.arrived.is_set()
    pending.add(["a", "b", "c", "d", "e"])
    names, overflowed = pending.take()
    assert len(names) == 3 and overflowed
    assert pending.take() == (set(), False)
