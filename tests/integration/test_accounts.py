"""Accounts against a real CouchDB: login, CSRF, sessions, bearer tokens, throttling, user admin."""
import time

from server.accounts import store
from server.db import couch, registry
from tests.integration import lag
from tests.integration.conftest import PASSWORD
from tests.integration.helpers import race, race_codes


def csrf(client):
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def test_login_sets_session_and_hides_the_hash(app, client, make_user):
    make_user("alice", "supervisor")
    res = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD},
                      headers={"X-CSRFToken": csrf(client)})
    assert res.status_code == 200
    body = res.get_json()
    assert body["user"]["username"] == "alice" and "password_hash" not in body["user"]
    assert client.get("/api/v1/auth/me").get_json()["user"]["role"] == "supervisor"
    with app.app_context():
        assert store.get_user(registry(), "alice")["password_hash"].startswith("$argon2id$")


def test_wrong_password_unknown_user_and_inactive_user_fail_alike(client, make_user):
    make_user("bob", "inspector")
    make_user("carol", "inspector", active=False)
    token = csrf(client)
    for name, pw in (("bob", "wrong password!"), ("nobody", PASSWORD), ("carol", PASSWORD)):
        res = client.post("/api/v1/auth/login", json={"username": name, "password": pw},
                          headers={"X-CSRFToken": token})
        assert res.status_code == 401 and res.get_json()["code"] == "login_failed"


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user("dave", "supervisor")
    res = client.post("/api/v1/auth/login", json={"username": "dave", "password": PASSWORD})
    assert res.status_code == 403 and res.get_json()["code"] == "csrf"


def test_state_change_with_session_needs_csrf(login):
    admin = login("admin", "370000")
    res = admin.client.post("/api/v1/users", json={"username": "eve", "role": "inspector", "region": "370102",
                                                   "display_name": "Eve", "password": PASSWORD})
    assert res.status_code == 403 and res.get_json()["code"] == "csrf"
    res = admin.post("/api/v1/users", json={"username": "eve", "role": "inspector", "region": "370102",
                                            "display_name": "Eve", "password": PASSWORD})
    assert res.status_code == 201


def test_malformed_login_bodies(client):
    token = csrf(client)
    for body in ({}, {"username": "x"}, {"username": 1, "password": []}, {"username": "a", "password": "b", "x": 1},
                 {"username": "a" * 5000, "password": "b"}):
        res = client.post("/api/v1/auth/login", json=body, headers={"X-CSRFToken": token})
        assert res.status_code == 422, body
        assert res.get_json()["code"] == "validation"
    res = client.post("/api/v1/auth/login", data="not json", headers={"X-CSRFToken": token,
                                                                      "Content-Type": "application/json"})
    assert res.status_code in (400, 422)


def test_logout_and_session_expiry(app, login):
    s = login("supervisor")
    assert s.get("/api/v1/auth/me").status_code == 200
    with s.client.session_transaction() as sess:
        sess["iat"] = int(time.time()) - 13 * 3600  # older than SESSION_HOURS=12
    assert s.get("/api/v1/auth/me").status_code == 401
    s2 = login("supervisor", username="sup-two")
    assert s2.post("/api/v1/auth/logout").status_code == 204
    assert s2.get("/api/v1/auth/me").status_code == 401


def test_bearer_token_lifecycle(app, client, make_user):
    make_user("tok", "supervisor")
    res = client.post("/api/v1/auth/tokens", json={"username": "tok", "password": PASSWORD, "label": "cli"})
    assert res.status_code == 201
    token = res.get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    fresh = app.test_client()
    assert fresh.get("/api/v1/auth/me", headers=auth).get_json()["user"]["username"] == "tok"
    assert fresh.get("/api/v1/enterprises", headers=auth).status_code == 200
    assert fresh.get("/api/v1/auth/me", headers={"Authorization": "Bearer fk_forged"}).status_code == 401
    assert fresh.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert fresh.delete("/api/v1/auth/tokens/current", headers=auth).status_code == 204
    assert fresh.get("/api/v1/auth/me", headers=auth).status_code == 401


def test_password_change_revokes_tokens_and_sessions(app, client, login, make_user):
    make_user("rot", "supervisor")
    token = client.post("/api/v1/auth/tokens", json={"username": "rot", "password": PASSWORD}).get_json()["token"]
    session = login("supervisor", username="rot")
    admin = login("admin", "370000")
    assert admin.patch("/api/v1/users/rot", json={"password": "another long password"}).status_code == 200
    assert app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert session.get("/api/v1/auth/me").status_code == 401


def test_admins_changing_one_user_at_the_same_moment_lose_no_answered_change(app, login, make_user):
    """Each change answered 200 is on record; a change refused (409, or 503 on a cluster when no racer reaches
    a quorum) is not. On a CouchDB cluster two updates of one revision can both be accepted on different
    copies, and one of them, a deactivation say, would then be lost though answered 200."""
    make_user("shared.user", "inspector", "370102")
    changes = [{"active": False}, {"display_name": "改过的名字"}, {"region": "370103"}, {"locale": "en"}]
    windows = [login("admin", "370000") for _ in changes]
    answers = race([lambda s=s, c=c: s.patch("/api/v1/users/shared.user", json=c) for s, c in zip(windows, changes)])
    codes = race_codes(app, answers, 200)
    kept = [c for c, code in zip(changes, codes) if code == 200]

    def stored():
        with app.app_context():
            return store.get_user(registry(), "shared.user")
    user = lag.read_until(stored, lambda doc: all(doc.get(k) == v for c in kept for k, v in c.items()))
    for change, code in zip(changes, codes):
        (field, value), = change.items()
        assert (user.get(field) == value) == (code == 200), (change, code, codes)


def test_login_is_throttled(couch_url, db_prefix):
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    app = create_app({"TESTING": True, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix + "rl_",
                      "SECRET_KEY": "k" * 40, "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1",
                      "LOGIN_RATE_LIMIT": "3 per minute"})
    try:
        with app.app_context():
            bootstrap_all()
        client = app.test_client()
        codes = [client.post("/api/v1/auth/tokens", json={"username": f"u{i}", "password": "wrong password"})
                 .status_code for i in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
        again = client.post("/api/v1/auth/tokens", json={"username": "u0", "password": "x"})
        assert again.get_json()["code"] == "rate_limited"
    finally:  # this app's own databases: on a shared CouchDB nobody else removes them
        with app.app_context():
            for name in couch().all_dbs():
                if name.startswith(db_prefix + "rl_"):
                    couch().delete_db(name)


def test_user_admin_permissions(login):
    admin, sup, insp = login("admin", "370000"), login("supervisor", "370100"), login("inspector", "370102")
    new = {"username": "newbie", "role": "inspector", "region": "370102", "display_name": "新人", "password": PASSWORD}
    assert sup.post("/api/v1/users", json=new).status_code == 403
    assert insp.post("/api/v1/users", json=new).status_code == 403
    assert insp.get("/api/v1/users").status_code == 403
    assert admin.post("/api/v1/users", json=new).status_code == 201
    assert admin.post("/api/v1/users", json=new).status_code == 409
    assert admin.post("/api/v1/users", json={**new, "username": "weak", "password": "short"}).status_code == 422
    assert admin.post("/api/v1/users", json={**new, "username": "badregion", "region": "999999"}).status_code == 422
    assert admin.post("/api/v1/users", json={**new, "username": "Bad Name!"}).status_code == 422
    names = {u["username"] for u in sup.get("/api/v1/users").get_json()}
    assert "newbie" in names and "admin370000" not in names
    far = login("supervisor", "370200", username="qingdao-sup")
    assert far.get("/api/v1/users/newbie").status_code == 404
    assert sup.patch("/api/v1/users/newbie", json={"active": False}).status_code == 403
