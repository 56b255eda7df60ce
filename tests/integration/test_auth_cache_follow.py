"""Every process forgets a sign-in as soon as its token, session or user changes anywhere (issue 17): the
per-process auth cache follows the registry's change feed, so answers may be kept long (a phone's long
polls no longer read a token and a user each) while another process's revocation applies within seconds."""
import time

import pytest

from server import create_app
from server.accounts import store
from server.accounts.cache import AuthCache
from server.db import registry


def _wait(predicate, seconds=8.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def second_process(app):
    """Another server process: its own application, its own cache, following the feed, answers kept 600 s."""
    other = create_app({**{k: app.config[k] for k in ("COUCHDB_URL", "DB_PREFIX", "SECRET_KEY", "QR_KEYS",
                                                       "QR_ACTIVE_KEY", "PUBLIC_BASE_URL", "AUDIT_CHECKPOINT_DIR")},
                        "TESTING": True, "AUTH_CACHE_S": 600, "AUTH_CACHE_FOLLOW": True,
                        "AUTH_CACHE_FOLLOWED_S": 600})
    cache = other.extensions["auth_cache"]
    other.test_client().get("/api/v1/auth/me", headers={"Authorization": "Bearer fk_nobody"})   # starts the follower
    assert _wait(lambda: cache.following), "the follower never reached the feed's end"
    return other


def _token(app, make_user, name):
    user = make_user(name, "inspector", "370102")
    with app.app_context():
        return store.issue_token(registry(), user, "phone", 1)["token"]


def test_a_token_revoked_in_one_process_stops_working_in_another_within_seconds(app, make_user, second_process):
    token = _token(app, make_user, "followtok")
    client = second_process.test_client()
    me = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=me).status_code == 200     # now remembered for up to 600 s
    with app.app_context():
        assert store.revoke_token(registry(), token)                  # revoked through the first process
    assert _wait(lambda: client.get("/api/v1/auth/me", headers=me).status_code == 401)


def test_a_deactivated_user_loses_every_token_in_every_process(app, make_user, second_process):
    token = _token(app, make_user, "followuser")
    client = second_process.test_client()
    me = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=me).status_code == 200
    with app.app_context():
        user = store.get_user(registry(), "followuser")
        registry().put({**user, "active": False})
    assert _wait(lambda: client.get("/api/v1/auth/me", headers=me).status_code == 401)


def test_a_read_that_began_before_a_change_is_not_remembered():
    cache = AuthCache(ttl=600)

    def load():
        cache.forget(["token:abc"])     # the change arrives while the read is under way
        return {"username": "u"}
    assert cache.get(("token", "abc"), load) == {"username": "u"}
    calls = []
    cache.get(("token", "abc"), lambda: calls.append(1) or {"username": "u"})
    assert calls == [1], "an answer read before the change was kept"


def test_without_the_feed_answers_expire_by_the_short_ttl():
    cache = AuthCache(ttl=0.2, followed_ttl=600, feed=lambda: (_ for _ in ()).throw(OSError("no couch")))
    calls = []
    load = lambda: calls.append(1) or {"username": "u"}  # noqa: E731
    cache.get(("user", "u"), load)
    cache.get(("user", "u"), load)
    time.sleep(0.3)
    cache.get(("user", "u"), load)
    assert len(calls) == 2 and not cache.following
