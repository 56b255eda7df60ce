"""Enterprise accounts (企业账号): opened by the bureau in scope, one per credit code (also when two requests
race), a first password that must be changed, confined to /enterprise/, closed with the enterprise."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from server.accounts import roles
from server.db import registry
from tests.integration.enterprise_fixtures import (NEW_PASSWORD, Portal, company, initial_password, open_account,
                                                   portal_for)
from tests.integration.lag import audit_entries
from tests.integration.test_route_guard import PUBLIC, routes, send


def test_the_bureau_opens_one_account_per_enterprise_and_sees_the_password_once(app, login):
    firm = company(app)
    sup = login("supervisor", "370100")
    page = sup.get(f"/console/enterprises/{firm['uscc']}").get_data(as_text=True)
    assert "开通企业账号" in page and f"e{firm['uscc'].lower()}" in page
    res = open_account(sup, firm["uscc"])
    assert res.status_code == 201 and res.headers["Cache-Control"] == "no-store"
    password = initial_password(res)
    assert len(password) == 23
    with app.app_context():
        user = registry().get(f"user:e{firm['uscc'].lower()}")
    assert user["role"] == roles.ENTERPRISE and user["enterprise"] == firm["uscc"] and user["region"] == "370102"
    assert user["must_change_password"] is True and password not in str(user)
    again = open_account(sup, firm["uscc"], username="another.name")
    assert again.status_code == 409 and "只能开通一个" in again.get_data(as_text=True)
    entries = audit_entries(app, "enterprise_account.create")
    assert len(entries) == 1 and entries[0]["actor"] == "supervisor370100"
    assert password not in str(entries)
    page = sup.get(f"/console/enterprises/{firm['uscc']}").get_data(as_text=True)
    assert "尚未首次登录修改密码" in page and "开通企业账号</button>" not in page


def test_two_bureaus_racing_open_one_account(app, login):
    firm = company(app)
    first, second = login("supervisor", "370100"), login("admin", "370000")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda s: open_account(s[0], firm["uscc"], s[1]).status_code,
                                [(first, "race.one"), (second, "race.two")]))
    assert sorted(answers) == [201, 409]
    with app.app_context():
        made = [n for n in ("race.one", "race.two") if registry().get_or_none(f"user:{n}")]
    assert len(made) == 1


def test_who_may_open_an_account(app, login, client, make_user):
    firm = company(app)
    assert open_account(client, firm["uscc"]).status_code in (302, 403)      # anonymous: CSRF or sign in
    assert open_account(login("inspector", "370102"), firm["uscc"]).status_code == 403
    assert open_account(login("supervisor", "370200"), firm["uscc"]).status_code == 404   # another city
    assert open_account(login("auditor", "370100"), firm["uscc"]).status_code == 403
    bad = open_account(login("supervisor", "370100"), firm["uscc"], username="<script>x")
    assert bad.status_code == 422 and "<script>x" not in bad.get_data(as_text=True)
    make_user("taken.name", "inspector", "370102")
    taken = open_account(login("supervisor", "370100"), firm["uscc"], username="taken.name")
    assert taken.status_code == 422 and "已被使用" in taken.get_data(as_text=True)
    assert open_account(login("admin", "370000"), firm["uscc"]).status_code == 201   # the claim was released


def test_first_sign_in_leads_to_the_password_change(app, login):
    firm = company(app)
    res = open_account(login("supervisor", "370100"), firm["uscc"])
    browser = Portal(app, f"e{firm['uscc'].lower()}", initial_password(res), change_to=None)
    assert browser.get("/enterprise/").headers["Location"].endswith("/enterprise/account")
    assert browser.get("/console/").headers["Location"].endswith("/enterprise/account")
    weak = browser.post("/enterprise/account", data={"current_password": initial_password(res),
                                                     "new_password": "12345678901", "confirm_password": "12345678901"})
    assert weak.status_code == 422
    ok = browser.post("/enterprise/account", data={"current_password": initial_password(res),
                                                   "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert ok.status_code == 302
    assert browser.get("/enterprise/").status_code == 200
    assert browser.get("/").headers["Location"].endswith("/enterprise/")


def test_an_enterprise_account_reaches_nothing_but_its_portal(app, login):
    """Every route of the app, by every method: only the portal and the few pages every account needs."""
    firm = company(app)
    browser = portal_for(app, login("supervisor", "370100"), firm["uscc"])
    allowed = PUBLIC | {"console.home", "console.logout", "auth.logout", "auth.me", "auth.revoke_current_token"}
    wrong = []
    for endpoint, method, url in routes(app):
        if endpoint.startswith("enterprise_portal.") or endpoint in allowed:
            continue
        res = send(browser.client, method, url, json={}, headers={"X-CSRFToken": browser.csrf})
        if res.status_code != 403:
            wrong.append(f"{method} {url} ({endpoint}): {res.status_code}")
    assert not wrong, "open to an enterprise account:\n" + "\n".join(wrong)


def test_staff_and_field_accounts_are_refused_the_portal(app, login, client):
    """Every portal route: anonymous visitors are sent to sign in, bureau accounts are refused."""
    portal = [(e, m, u) for e, m, u in routes(app) if e.startswith("enterprise_portal.")]
    assert len(portal) >= 12
    for endpoint, method, url in portal:
        res = send(client, method, url)
        assert res.status_code == 403 or res.headers.get("Location", "").startswith("/login"), endpoint
    for role in ("inspector", "auditor", "supervisor", "admin"):
        staff = login(role, "370100")
        for endpoint, method, url in portal:
            assert send(staff.client, method, url, headers={"X-CSRFToken": staff.csrf}).status_code == 403, \
                (role, endpoint)


def test_deregistering_the_enterprise_disables_its_account(app, login):
    firm = company(app)
    sup = login("supervisor", "370100")
    browser = portal_for(app, sup, firm["uscc"])
    assert browser.get("/enterprise/").status_code == 200
    assert sup.delete(f"/api/v1/enterprises/{firm['uscc']}").status_code == 200
    assert browser.get("/enterprise/").headers["Location"].startswith("/login")
    with app.app_context():
        assert registry().get(f"user:e{firm['uscc'].lower()}")["active"] is False
    assert audit_entries(app, "enterprise_account.disable")
    again = browser.client.post("/api/v1/auth/login", json={"username": browser.username, "password": NEW_PASSWORD},
                                headers={"X-CSRFToken": browser.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]})
    assert again.status_code == 401
    page = sup.get(f"/console/enterprises/{firm['uscc']}").get_data(as_text=True)
    assert re.search("已停用", page)
