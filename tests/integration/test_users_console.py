"""用户管理 in the console (/console/users) on a real CouchDB: who may read and who may change users, an
admin creating and editing one (with the same audit entries as the API), the 可查看举报人身份 flag set and
cleared, hostile and malformed input answered in words with the form kept, and region scope."""
from __future__ import annotations

from server import audit
from server.db import database, registry
from tests.integration.conftest import PASSWORD
from tests.integration.helpers import inspector
from tests.integration.lag import read_until
from tests.key_scan import key_like, visible_text

LIST = "/console/users"
NEW = "/console/users/new"
GOOD = {"username": "wang.fang", "display_name": "王芳", "role": "supervisor", "region": "370102",
        "active": "on", "password": "Tea kettle mountain 4417", "password_confirm": "Tea kettle mountain 4417"}


LABELS = {"region": "所属行政区划", "role": "角色", "display_name": "姓名", "username": "用户名",
          "password": "密码"}   # each error is named by its box's label


def entries(app, username: str, action: str, at_least: int = 1) -> list[dict]:
    """The user's audit entries of `action`, read until there are `at_least` (a cluster's copy may lag)."""
    with app.app_context():
        return read_until(lambda: [e for e in audit.entries_for(database("audit"), f"user:{username}")
                                   if e["action"] == action], lambda found: len(found) >= at_least)


def stored(app, username: str) -> dict | None:
    with app.app_context():
        return registry().get_or_none(f"user:{username}")


def edit_form(doc: dict, **changes) -> dict:
    """The edit form as the page sends it back: every box, checkboxes only when ticked."""
    form = {"display_name": doc["display_name"], "role": doc["role"], "region": doc["region"], "cert_no": "",
            "password": "", "password_confirm": ""}
    if doc.get("active", True):
        form["active"] = "on"
    if doc.get("may_reveal_reporters"):
        form["may_reveal_reporters"] = "on"
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_anonymous_visitors_are_sent_to_sign_in_and_inspectors_refused(client, login):
    for url in (LIST, NEW, "/console/users/admin370000"):
        res = client.get(url)
        assert res.status_code == 302 and "/login" in res.headers["Location"]
    assert client.post(NEW, data=GOOD).status_code in (302, 403)
    field = login("inspector", "370102")
    for url in (LIST, NEW, f"/console/users/{field.username}"):
        assert field.get(url).status_code == 403
    assert field.post(NEW, data=GOOD).status_code == 403


def test_supervisor_reads_own_region_only_and_changes_nothing(app, login, make_user):
    make_user("near.one", "inspector", "370102")
    make_user("far.one", "inspector", "370200")
    sup = login("supervisor", "370100")
    page = sup.get(LIST).get_data(as_text=True)
    assert "near.one" in page and "far.one" not in page and "执法人员" in page and "370102 历下区" in page
    assert 'href="/console/users/new"' not in page and "用户管理" in page
    assert 'href="/console/users"' not in page.split("<main>")[0]   # the nav entry is for admins only
    one = sup.get("/console/users/near.one")
    assert one.status_code == 200 and 'name="display_name"' not in one.get_data(as_text=True)
    assert sup.get("/console/users/far.one").status_code == 404
    assert sup.get("/console/users/nobody.here").status_code == 404
    assert sup.get(NEW).status_code == 403 and sup.post(NEW, data=GOOD).status_code == 403
    assert sup.post("/console/users/near.one", data={"display_name": "改名"}).status_code == 403
    assert stored(app, "wang.fang") is None and stored(app, "near.one")["display_name"] == "near.one"


def test_admin_creates_edits_and_grants_then_withdraws_the_reveal_flag(app, login):
    admin = login("admin", "370000")
    page = admin.get(LIST).get_data(as_text=True)
    assert 'href="/console/users"' in page and 'href="/console/users/new"' in page
    form = admin.get(NEW).get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'name="username"' in form
    res = admin.post(NEW, data=GOOD)
    assert res.status_code == 302 and res.headers["Location"].endswith("/console/users/wang.fang?done=created")
    doc = stored(app, "wang.fang")
    assert doc["role"] == "supervisor" and doc["region"] == "370102" and doc["active"] is True
    assert "Tea kettle" not in str(doc) and doc["must_change_password"] is app.config["PASSWORD_CHANGE_REQUIRED"]
    created, = entries(app, "wang.fang", "user.create")
    assert created["actor"] == "admin370000" and created["details"]["after"]["role"] == "supervisor"
    shown = admin.get("/console/users/wang.fang?done=created").get_data(as_text=True)
    assert "用户已创建" in shown and "举报人" in shown and 'name="may_reveal_reporters"' in shown

    assert admin.post("/console/users/wang.fang", data=edit_form(doc, may_reveal_reporters="on",
                                                                  display_name="王芳芳")).status_code == 302
    doc = stored(app, "wang.fang")
    assert doc["may_reveal_reporters"] is True and doc["display_name"] == "王芳芳"
    granted, = entries(app, "wang.fang", "user.update")
    assert granted["details"]["before"] == {"may_reveal_reporters": None, "display_name": "王芳"}
    assert granted["details"]["after"] == {"may_reveal_reporters": True, "display_name": "王芳芳"}
    assert admin.get(LIST).get_data(as_text=True).count("王芳芳") == 1

    version = doc["session_version"]
    assert admin.post("/console/users/wang.fang", data=edit_form(doc, may_reveal_reporters=None)).status_code == 302
    doc = stored(app, "wang.fang")
    assert doc["may_reveal_reporters"] is False and doc["session_version"] == version   # no sign-out for this
    withdrawn = entries(app, "wang.fang", "user.update", 2)[-1]
    assert withdrawn["details"] == {"before": {"may_reveal_reporters": True}, "after": {"may_reveal_reporters": False},
                                    "ip": withdrawn["details"]["ip"]}

    new_pw = "Blue harbour lantern 9902"
    res = admin.post("/console/users/wang.fang", data=edit_form(doc, active=None, password=new_pw,
                                                                 password_confirm=new_pw))
    assert res.status_code == 302
    doc = stored(app, "wang.fang")
    assert doc["active"] is False and doc["session_version"] == version + 1
    last = entries(app, "wang.fang", "user.update", 3)[-1]["details"]
    assert last["after"] == {"active": False, "password_set": True} and new_pw not in str(last)
    assert app.extensions["audit_misses"] == []


def test_field_account_is_linked_by_certificate_number(app, login):
    admin = login("admin", "370000")
    person = inspector("370102")
    assert admin.post("/api/v1/inspectors", json=person).status_code == 201
    body = {**GOOD, "username": "li.zhifa", "role": "inspector", "cert_no": "3701000"}
    res = admin.post(NEW, data=body)
    assert res.status_code == 422 and "没有找到这个执法证号" in res.get_data(as_text=True)
    assert admin.post(NEW, data={**body, "cert_no": person["cert_no"]}).status_code == 302
    doc = stored(app, "li.zhifa")
    assert doc["inspector_id"].startswith("inspector:")
    page = admin.get("/console/users/li.zhifa").get_data(as_text=True)
    assert "李执法" in page and doc["inspector_id"] not in page
    res = admin.post("/console/users/li.zhifa", data=edit_form(doc, role="auditor", cert_no=person["cert_no"]))
    assert res.status_code == 422 and "只有执法人员和专家" in res.get_data(as_text=True)


def test_hostile_and_malformed_input_is_refused_in_words_with_the_form_kept(app, login, make_user):
    admin = login("admin", "370000")
    make_user("taken.name", "inspector", "370102")
    cases = [
        ({"region": "999999"}, "region", "不在区划代码表中"),
        ({"region": "abc"}, "region", "格式不对"),
        ({"role": "root"}, "role", "请从列表中选择一个角色"),
        ({"role": "enterprise"}, "role", "请从列表中选择一个角色"),
        ({"display_name": "长" * 400}, "display_name", "60"),
        ({"username": "x" * 100}, "username", "格式"),
        ({"username": "Bad Name!"}, "username", "格式"),
        ({"username": "taken.name"}, "username", "该用户名已被使用"),
        ({"username": "new"}, "username", "系统保留"),
        ({"password": "short", "password_confirm": "short"}, "password", "10"),
        ({"password_confirm": "something else 123"}, "password", "两次输入的密码不一致"),
    ]
    for change, field, words in cases:
        res = admin.post(NEW, data={**GOOD, "display_name": "赵六", **change})
        page = res.get_data(as_text=True)
        assert res.status_code in (409, 422), (change, res.status_code)
        alert = page.split('role="alert"', 1)[-1].split("</div>", 1)[0]
        assert words in alert and "未保存" in alert and LABELS[field] + "：" in alert, (change, alert)
        assert 'name="csrf_token"' in page and GOOD["password"] not in page
        if field != "display_name":
            assert 'value="赵六"' in page, change   # what was typed is kept
    both = admin.post(NEW, data={**GOOD, "region": "999999", "password_confirm": "x"}).get_data(as_text=True)
    assert "不在区划代码表中" in both and "两次输入的密码不一致" in both   # every problem at once
    assert stored(app, "wang.fang") is None and stored(app, "taken.name")["display_name"] == "taken.name"

    script = '<script>alert("x")</script>'
    assert admin.post(NEW, data={**GOOD, "display_name": script}).status_code == 302
    listing = admin.get(LIST).get_data(as_text=True)
    assert script not in listing and "&lt;script&gt;" in listing
    doc = stored(app, "wang.fang")
    res = admin.post("/console/users/wang.fang", data=edit_form(doc, region="12345x"))
    assert res.status_code == 422 and 'value="12345x"' in res.get_data(as_text=True)
    assert stored(app, "wang.fang")["region"] == "370102"
    assert admin.post("/console/users/nobody.here", data=edit_form(doc)).status_code == 404
    assert app.extensions["audit_misses"] == []


def test_admin_cannot_lock_themselves_out_and_enterprise_accounts_are_read_only(app, login, make_user):
    admin = login("admin", "370000")
    me = stored(app, "admin370000")
    res = admin.post("/console/users/admin370000", data=edit_form(me, active=None))
    assert res.status_code == 422 and "另一位管理员" in res.get_data(as_text=True)
    assert stored(app, "admin370000")["active"] is True
    make_user("ent.account", "enterprise", "370102")
    page = admin.get("/console/users/ent.account").get_data(as_text=True)
    assert "企业账号" in page and 'name="display_name"' not in page
    res = admin.post("/console/users/ent.account", data={"display_name": "改名", "role": "enterprise",
                                                         "region": "370102"})
    assert res.status_code == 409 and stored(app, "ent.account")["display_name"] == "ent.account"
    assert PASSWORD not in page


def test_no_page_shows_an_internal_key_or_code(app, login, make_user):
    """The scan of tests/integration/test_key_scan.py on every page of this feature, in both languages:
    roles, regions, the linked inspector and the errors are shown in words."""
    admin, sup = login("admin", "370000"), login("supervisor", "370100")
    make_user("ent.account", "enterprise", "370102")
    person = inspector("370102")
    assert admin.post("/api/v1/inspectors", json=person).status_code == 201
    assert admin.post(NEW, data={**GOOD, "role": "inspector", "cert_no": person["cert_no"]}).status_code == 302
    bad = admin.post(NEW, data={**GOOD, "role": "root", "region": "999999", "username": "Bad!"})
    pages = [bad.get_data(as_text=True)]
    for lang in ("zh_CN", "en"):
        for who in (admin, sup):
            for url in (LIST, NEW, "/console/users/wang.fang", "/console/users/ent.account"):
                res = who.get(f"{url}?lang={lang}")
                if res.status_code == 200:
                    pages.append(res.get_data(as_text=True))
    assert len(pages) == 15   # the refused form, then 4 pages for the admin and 3 for the supervisor, twice
    found = [hit for page in pages for hit in key_like(visible_text(page))]
    assert not found, found
