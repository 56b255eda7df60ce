"""Sign-in cannot stall the server (issue 17): limits shared by every login endpoint and process, and
Argon2 hashing in a bounded pool."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from server import create_app
from server.accounts import login_limits
from tests.integration.edge_fixtures import stack, timed_get  # noqa: F401  (fixture)


def _limited(app, tmp_path, spec: str):
    app.config.update(LOGIN_RATE_LIMIT=spec, LOGIN_LIMIT_DB=str(tmp_path / "limits.sqlite"))
    return app


def _token_attempt(client, username: str, addr: str = "10.0.0.1"):
    return client.post("/api/v1/auth/tokens", json={"username": username, "password": "wrong password 1",
                                                    "label": "x"}, environ_base={"REMOTE_ADDR": addr})


def _console_attempt(client, username: str, addr: str = "10.0.0.1"):
    csrf = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    return client.post("/login", data={"username": username, "password": "wrong password 1", "csrf_token": csrf},
                       environ_base={"REMOTE_ADDR": addr})


def test_every_login_endpoint_and_process_shares_one_count(app, tmp_path):
    _limited(app, tmp_path, "3 per minute")
    other = create_app({**{k: app.config[k] for k in ("COUCHDB_URL", "DB_PREFIX", "SECRET_KEY", "QR_KEYS",
                                                      "QR_ACTIVE_KEY", "PUBLIC_BASE_URL")},
                        "TESTING": True, "LOGIN_RATE_LIMIT": "3 per minute",
                        "LOGIN_LIMIT_DB": app.config["LOGIN_LIMIT_DB"]})   # a second process, same file
    one, two = app.test_client(), other.test_client()
    assert _token_attempt(one, "alice").status_code == 401
    assert _console_attempt(two, "bob").status_code == 401
    assert _token_attempt(two, "carol").status_code == 401
    refused = _console_attempt(one, "dave")   # 4th from this address, on an endpoint used once here
    assert refused.status_code == 429 and "尝试次数过多" in refused.get_data(as_text=True)
    api = _token_attempt(two, "erin")
    assert api.status_code == 429 and api.json["code"] == "rate_limited"
    assert _token_attempt(one, "frank", addr="10.0.0.2").status_code == 401   # another address is free


def test_one_user_is_limited_whatever_the_address(app, tmp_path):
    _limited(app, tmp_path, "2 per minute")
    client = app.test_client()
    assert _token_attempt(client, "Victim", addr="10.1.0.1").status_code == 401
    assert _console_attempt(client, "victim", addr="10.1.0.2").status_code == 401
    assert _token_attempt(client, "victim", addr="10.1.0.3").status_code == 429


def test_windows_and_attempts_race_safely(tmp_path):
    path = str(tmp_path / "race.sqlite")
    limits = login_limits.windows("10 per minute;50 per hour")
    assert limits == [(10, 60), (50, 3600)]
    with ThreadPoolExecutor(16) as pool:
        allowed = list(pool.map(lambda _: login_limits.attempt(path, ["addr:x"], limits), range(40)))
    assert allowed.count(True) == 10
    assert login_limits.attempt(path, ["addr:x"], limits, now=time.time() + 61)   # a new minute


def _fail_login(port: int, addr: str) -> int:
    transport = httpx.HTTPTransport(local_address=addr)
    with httpx.Client(transport=transport, timeout=120) as http:
        return http.post(f"http://127.0.0.1:{port}/api/v1/auth/tokens",
                         json={"username": f"u{addr}", "password": "wrong password 1", "label": "x"}).status_code


def test_sixty_failed_logins_from_twenty_addresses_leave_the_server_answering(stack):
    server = stack(PASSWORD_HASH_CONCURRENCY=1, PASSWORD_HASH_WAIT_S=3, PASSWORD_HASH_QUEUE=3,
                   GUNICORN_THREADS=8, LOGIN_RATE_LIMIT="5 per minute")
    addrs = [f"127.0.0.{10 + i}" for i in range(20)]
    with ThreadPoolExecutor(60) as pool:
        futures = [pool.submit(_fail_login, server.port, addrs[i % 20]) for i in range(60)]
        time.sleep(1)
        took = []
        for _ in range(3):
            seconds, status = timed_get(server.url + "/healthz")
            assert status == 200
            took.append(seconds)
        # before: 20 s (issue 17); the shared test machine runs at a load of ~25, hence the margin
        assert sorted(took)[1] < 5 and max(took) < 10, took
        statuses = [f.result() for f in futures]
    assert set(statuses) <= {401, 429}, statuses   # refused or told to retry, never a 500 or a hang
    assert statuses.count(401) >= 1


def test_many_first_opens_of_a_new_limits_file_at_once_all_succeed(tmp_path):
    """Seen in a full run at a machine load of ~60: of sixteen threads opening a new file at once, one was told
    "database is locked" while switching it to WAL (SQLite does not wait there). Each round uses a new file,
    so every round races on the set-up; on a quiet machine the race is rare, so this guards more than it
    reproduces."""
    limits = login_limits.windows("1000 per minute")
    for round_no in range(10):
        path = str(tmp_path / f"first-{round_no}.sqlite")
        with ThreadPoolExecutor(16) as pool:
            assert all(pool.map(lambda _: login_limits.attempt(path, ["addr:y"], limits), range(32)))
