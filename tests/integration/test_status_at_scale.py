"""The status page and the worker at a bureau's size (issue 17): a thousand phones must not make the page
read each phone's user one by one, nor stop filing while old work is purged off every phone."""
import re
import uuid

from server.db import database, registry
from sync.worker.feed import Worker
from tests.integration.gateway_fixtures import field_user  # noqa: F401  (fixture)
from tests.integration.worker_fixtures import phone_db


def _phones(app, region: str, count: int, seen_at: str) -> list[str]:
    names, users, phones = [], [], []
    for _ in range(count):
        name = "ph" + uuid.uuid4().hex[:10]
        names.append(name)
        users.append({"_id": f"user:{name}", "type": "user", "username": name, "role": "inspector",
                      "region": region, "display_name": name, "active": True, "session_version": 1,
                      "password_hash": "x", "created_at": "2026-12-01T00:00:00+00:00"})
        phones.append({"_id": f"phone:inspector_{name}", "type": "phone", "db": f"inspector_{name}",
                       "username": name, "last_seen": seen_at})
    with app.app_context():
        registry().bulk_docs(users)
        database("records").bulk_docs(phones)
    return names


def test_the_phone_list_is_paged_and_shows_only_the_readers_region(app, login):
    mine = _phones(app, "370102", 55, "2026-12-02T08:00:00+00:00")
    theirs = _phones(app, "370202", 5, "2026-12-02T09:00:00+00:00")   # Qingdao: seen later, listed first if shown
    session = login("supervisor", "370100")
    first = session.get("/console/status").get_data(as_text=True)
    shown = set(re.findall(r"<td>(ph[0-9a-f]{10})</td>", first))
    assert len(shown) == 50 and shown <= set(mine) and not shown & set(theirs)
    assert "page=2" in first
    second = session.get("/console/status?page=2").get_data(as_text=True)
    rest = set(re.findall(r"<td>(ph[0-9a-f]{10})</td>", second))
    assert rest == set(mine) - shown and "page=3" not in second
    for hostile in ("0", "-1", "x", "9" * 40, "%00"):
        assert session.get(f"/console/status?page={hostile}").status_code == 200


def test_a_purge_round_is_done_a_slice_at_a_time_and_finishes(app):
    names = [f"inspector:{uuid.uuid4().hex[:12]}" for _ in range(4)]
    for inspector in names:
        phone_db(app, inspector).put({"_id": "note:1", "type": "note"})   # one document: over a budget of 0
    with app.app_context():
        from server.db import couch
        prefix = app.config["DB_PREFIX"]
        worker = Worker(couch(), prefix, registry(), database("records"), {},
                        {"purge_every_s": 3600, "purge_slice_s": 0, "budget": 0})
        mine = {prefix + "inspector_" + n.split(":")[1] for n in names}
        worker.purge_if_due()                        # a round begins: one phone this pass (no time to spare)
        left = set(worker.purge_queue)
        assert len(left & mine) == 3 and worker.over_budget == []
        for _ in range(len(worker.purge_queue)):
            worker.purge_if_due()
        assert worker.purge_queue == []
        assert mine <= set(worker.over_budget)      # budget 0: every phone is over it, known once the round ends
        worker.purge_if_due()                        # the next round waits purge_every_s
        assert worker.purge_queue == []


def test_the_phone_list_is_read_once_for_many_page_loads(app, login):
    """The list costs a read of every phone and its user: pages within PHONE_LIST_CACHE_S share one read.
    Phones written down by another process show when it runs out; one that first syncs here, at once."""
    first = _phones(app, "370102", 3, "2026-12-02T08:00:00+00:00")
    session = login("supervisor", "370100")
    listed = lambda: set(re.findall(r"<td>(ph[0-9a-f]{10})</td>", session.get("/console/status").get_data(as_text=True)))
    assert listed() == set(first)
    later = _phones(app, "370102", 2, "2026-12-02T09:00:00+00:00")     # as another server process writes them
    assert listed() == set(first)
    app.config["PHONE_LIST_CACHE_S"] = 0
    assert listed() == set(first) | set(later)


def test_a_phone_syncing_here_for_the_first_time_is_listed_at_once(app, client, field_user, login):
    session = login("supervisor", "370100")
    assert "alice3" not in session.get("/console/status").get_data(as_text=True)
    alice = field_user("alice3")
    phone_db(app, alice.inspector_id)
    assert client.get(f"/sync/{alice.db}/_all_docs", headers=alice.auth).status_code == 200
    assert "alice3" in session.get("/console/status").get_data(as_text=True)
    pushed = lambda: re.search(r"<td>alice3</td><td>[^<]*</td><td>([^<]*)</td>",
                               session.get("/console/status").get_data(as_text=True)).group(1)
    assert pushed() == "—"
    assert client.post(f"/sync/{alice.db}/_bulk_docs", json={"docs": []}, headers=alice.auth).status_code == 201
    assert pushed().startswith("20")
