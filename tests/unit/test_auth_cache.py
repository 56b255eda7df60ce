"""The per-process memory of who a token belongs to: positive answers only, forgotten after its TTL."""
import time

from server.accounts.cache import AuthCache


def test_remembers_found_users_for_the_ttl_only():
    calls = []
    cache = AuthCache(ttl=0.2)

    def load():
        calls.append(1)
        return {"username": "a"}
    assert cache.get(("token", "x"), load) == cache.get(("token", "x"), load) and len(calls) == 1
    time.sleep(0.25)
    cache.get(("token", "x"), load)
    assert len(calls) == 2


def test_never_remembers_a_miss_and_clear_forgets_everything():
    cache = AuthCache(ttl=60)
    assert cache.get(("token", "nobody"), lambda: None) is None
    assert cache.get(("token", "nobody"), lambda: {"username": "late"}) == {"username": "late"}
    cache.clear()
    assert cache.get(("token", "nobody"), lambda: {"username": "new"}) == {"username": "new"}


def test_zero_ttl_turns_it_off():
    calls = []
    cache = AuthCache(ttl=0)
    for _ in range(3):
        cache.get(("user", "u"), lambda: calls.append(1) or {"u": 1})
    assert len(calls) == 3
