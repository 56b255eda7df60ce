"""Sessions that end (issue 14): logout ends the session on the server, a user sees and revokes their own
sessions and tokens, an admin ends a user's; passwords: common ones refused, self-service change, a
password set by an admin is changed at the first sign-in."""
from __future__ import annotations

import pytest

from server.accounts import store
from server.db import registry
from tests.integration.conftest import PASSWORD, Session
from tests.integration.lag import audit_entries


def test_a_saved_cookie_stops_working_after_logout(app, login):
    """The finding: a copy of the cookie kept working for 12 hours after POST /logout."""
    sup = login("supervisor")
    saved = sup.client.get_cookie("session").value
    assert sup.get("/api/v1/auth/me").get_json()["user"]["username"] == "supervisor370100"
    assert sup.post("/api/v1/auth/logout").status_code == 204
    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert thief.get("/api/v1/enterprises").status_code == 401
    assert len(audit_entries(app, "session.end", 1)) == 1


def test_console_logout_ends_the_session_on_the_server_too(app, login):
    sup = login("supervisor")
    saved = sup.client.get_cookie("session").value
    assert sup.post("/logout", data={"csrf_token": sup.csrf}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert thief.get("/console/enterprises").status_code == 302   # to the sign-in page


def test_a_user_lists_and_revokes_their_own_sessions_and_tokens(app, login, client):
    laptop = login("supervisor")
    phone = Session(app, "supervisor370100")
    listed = laptop.get("/api/v1/account/sessions").get_json()
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    other = next(s for s in listed if not s["current"])
    assert laptop.delete(f"/api/v1/account/sessions/{other['id']}").status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert laptop.get("/api/v1/auth/me").status_code == 200
    token = client.post("/api/v1/auth/tokens", json={"username": "supervisor370100", "password": PASSWORD,
                                                     "label": "script"}).get_json()
    tokens = laptop.get("/api/v1/account/tokens").get_json()
    assert [t["label"] for t in tokens] == ["script"] and "token" not in tokens[0]
    bearer = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/enterprises", headers=bearer).status_code == 200
    assert laptop.delete(f"/api/v1/account/tokens/{tokens[0]['id']}").status_code == 204
    assert client.get("/api/v1/enterprises", headers=bearer).status_code == 401
    assert audit_entries(app, "session.revoke", 1) and audit_entries(app, "token.revoke", 1) and audit_entries(app, "token.issue", 1)


def test_someone_elses_session_or_token_answers_like_an_unknown_one(app, login):
    alice, bob = login("supervisor", username="alice.sup"), login("supervisor", username="bob.sup")
    bobs = bob.get("/api/v1/account/sessions").get_json()[0]["id"]
    assert alice.delete(f"/api/v1/account/sessions/{bobs}").status_code == 404
    assert alice.delete("/api/v1/account/sessions/0123456789abcdef").status_code == 404
    assert alice.delete("/api/v1/account/tokens/<script>").status_code == 404
    assert bob.get("/api/v1/auth/me").get_json()["user"]["username"] == "bob.sup"


def test_an_admin_ends_every_session_and_token_of_a_user(app, login, client):
    victim = login("supervisor", username="lost.phone")
    token = client.post("/api/v1/auth/tokens", json={"username": "lost.phone", "password": PASSWORD}).get_json()
    admin = login("admin")
    assert login("supervisor").post("/api/v1/users/lost.phone/revoke-sessions").status_code == 403
    assert admin.post("/api/v1/users/lost.phone/revoke-sessions").status_code == 200
    assert victim.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token['token']}"}).status_code == 401
    assert admin.post("/api/v1/users/nobody.here/revoke-sessions").status_code == 404
    assert audit_entries(app, "user.sessions_revoked", 1)[0]["subject"] == "user:lost.phone"


def test_the_account_page_lists_sessions_and_signs_one_out(app, login):
    inspector = login("inspector")
    second = Session(app, "inspector370100")
    page = inspector.get("/console/account")
    assert page.status_code == 200 and "我的账号" in page.get_data(as_text=True)
    other = next(s for s in inspector.get("/api/v1/account/sessions").get_json() if not s["current"])
    res = inspector.post("/console/account/revoke_session", data={"csrf_token": inspector.csrf, "id": other["id"]})
    assert res.status_code == 302 and "done=revoke_session" in res.headers["Location"]
    assert second.get("/api/v1/auth/me").status_code == 401
    assert inspector.post("/console/account/revoke_user", data={"csrf_token": inspector.csrf,
                                                                "username": "x"}).status_code == 403


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "jinan123456",
                                  "a" * 200])
def test_common_and_trivial_passwords_are_refused(app, login, weak):
    admin = login("admin")
    body = {"username": "newbie", "display_name": "新人", "role": "inspector", "region": "370102", "password": weak}
    res = admin.post("/api/v1/users", json=body)
    assert res.status_code == 422, weak
    sup = login("supervisor")
    res = sup.post("/api/v1/account/password", json={"current_password": PASSWORD, "new_password": weak})
    assert res.status_code == 422 and res.get_json()["message"]


def test_self_service_change_ends_other_sessions_and_keeps_this_one(app, login):
    sup = login("supervisor")
    other = Session(app, "supervisor370100")
    wrong = sup.post("/api/v1/account/password", json={"current_password": "nope nope nope", "new_password": "Tai-shan 1545 m high"})
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    ok = sup.post("/api/v1/account/password", json={"current_password": PASSWORD, "new_password": "Tai-shan 1545 m high"})
    assert ok.status_code == 204
    assert sup.get("/api/v1/auth/me").get_json()["user"]["username"] == "supervisor370100"
    assert other.get("/api/v1/auth/me").status_code == 401
    with app.app_context():
        assert store.authenticate(registry(), "supervisor370100", "Tai-shan 1545 m high") is not None
    assert audit_entries(app, "user.password", 1)


def test_a_password_set_by_an_admin_must_be_changed_at_first_sign_in(app, login):
    admin = login("admin")
    body = {"username": "fresh.sup", "display_name": "新主管", "role": "supervisor", "region": "370102",
            "password": "Given by admin 7731"}
    created = admin.post("/api/v1/users", json=body)
    assert created.status_code == 201 and created.get_json()["must_change_password"] is True
    fresh = app.test_client()
    csrf = fresh.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    res = fresh.post("/api/v1/auth/login", json={"username": "fresh.sup", "password": "Given by admin 7731"},
                     headers={"X-CSRFToken": csrf})
    csrf = res.get_json()["csrf_token"]
    assert fresh.get("/api/v1/enterprises").get_json()["code"] == "password_change_required"
    assert fresh.get("/console/enterprises").headers["Location"].endswith("/console/account")
    assert fresh.post("/api/v1/account/password", json={"current_password": "Given by admin 7731",
                                                        "new_password": "My own choice 5528"},
                      headers={"X-CSRFToken": csrf}).status_code == 204
    assert fresh.get("/api/v1/enterprises").status_code == 200


def test_app_setting_lets_admin_set_passwords_stand(app, login):
    app.config["PASSWORD_CHANGE_REQUIRED"] = False
    admin = login("admin")
    body = {"username": "demo.sup", "display_name": "演示", "role": "supervisor", "region": "370102",
            "password": "Given by admin 7731"}
    assert admin.post("/api/v1/users", json=body).get_json()["must_change_password"] is False
