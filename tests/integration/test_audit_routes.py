"""Every state-changing route has its audit action (issue 14): the list in server/audit_routes.py covers
every POST/PUT/PATCH/DELETE route of the url_map, each named action is one the code appends, and the
consequential actions the review found unaudited now leave entries with before/after."""
from __future__ import annotations

import io
from pathlib import Path

from server import audit_routes
from tests.integration.conftest import PASSWORD
from tests.integration.helpers import enterprise, inspector, uscc
from tests.integration.lag import audit_entries

SERVER = Path(__file__).resolve().parents[2] / "server"


def unlisted(app) -> list[str]:
    """State-changing routes that are neither audited (with their action) nor allowed without."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.methods & audit_routes.STATE_CHANGING and rule.endpoint not in audit_routes.ACTIONS \
                and rule.endpoint not in audit_routes.NOT_AUDITED:
            missing.append(f"{sorted(rule.methods & audit_routes.STATE_CHANGING)} {rule.rule} ({rule.endpoint})")
    return missing


def test_every_state_changing_route_names_its_audit_action(app):
    assert not unlisted(app), "state-changing routes without an audit action:\n" + "\n".join(unlisted(app))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = set(audit_routes.ACTIONS) - endpoints
    assert not stale, f"listed but not routes: {stale}"


def test_a_new_route_without_an_audit_action_is_caught(app):
    app.add_url_rule("/api/v1/sneaky", "sneaky.change", lambda: "", methods=["POST"])
    assert unlisted(app) == ["['POST'] /api/v1/sneaky (sneaky.change)"]


def test_each_named_action_is_appended_somewhere_in_the_code(app):
    source = "\n".join(p.read_text(encoding="utf-8") for p in SERVER.rglob("*.py"))
    for endpoint, patterns in audit_routes.ACTIONS.items():
        for pattern in patterns:
            literal = pattern.split("*")[0]
            assert f'"{literal}' in source or f"f\"{literal}" in source, (endpoint, pattern)


def test_users_logins_and_tokens_are_audited(app, login, client):
    admin = login("admin")
    body = {"username": "zhang.wei", "display_name": "张伟", "role": "inspector", "region": "370102",
            "password": "Given by admin 7731"}
    assert admin.post("/api/v1/users", json=body).status_code == 201
    assert admin.patch("/api/v1/users/zhang.wei", json={"role": "supervisor", "region": "370103", "active": False,
                                                        "password": "Another one 8842"}).status_code == 200
    created, = audit_entries(app, "user.create", 1)
    assert created["actor"] == "admin370100" and created["details"]["after"]["role"] == "inspector"
    changed, = audit_entries(app, "user.update", 1)
    assert changed["details"]["before"] == {"role": "inspector", "region": "370102", "active": True,
                                            "password_set": False}
    assert changed["details"]["after"] == {"role": "supervisor", "region": "370103", "active": False,
                                           "password_set": True}
    assert "Another one" not in str(audit_entries(app))
    csrf = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    assert client.post("/api/v1/auth/login", json={"username": "admin370100", "password": "wrong password!"},
                       headers={"X-CSRFToken": csrf}).status_code == 401
    assert client.post("/login", data={"username": "nobody", "password": "x" * 12}).status_code in (400, 401, 403)
    failed = audit_entries(app, "login.failed", 1)
    assert failed[0]["actor"] == "admin370100" and failed[0]["details"]["via"] == "api"
    assert {e["actor"] for e in audit_entries(app, "login.ok", 1)} >= {"admin370100"}
    token = client.post("/api/v1/auth/tokens", json={"username": "admin370100", "password": PASSWORD}).get_json()
    assert client.delete("/api/v1/auth/tokens/current",
                         headers={"Authorization": f"Bearer {token['token']}"}).status_code == 204
    assert audit_entries(app, "token.issue", 1)[0]["details"]["token"] == token["id"]
    assert audit_entries(app, "token.revoke", 1)[0]["details"]["token"] == token["id"]
    assert app.extensions["audit_misses"] == []


def test_register_edits_are_audited_with_before_and_after(app, login):
    sup = login("supervisor", "370100")
    body = enterprise("370102")
    assert sup.post("/api/v1/enterprises", json=body).status_code == 201
    assert sup.patch(f"/api/v1/enterprises/{body['uscc']}", json={"risk": "红"}).status_code == 200
    update, = audit_entries(app, "enterprise.update", 1)
    assert update["details"]["before"]["risk"] != update["details"]["after"]["risk"]
    assert sup.post(f"/api/v1/enterprises/{body['uscc']}/sites",
                    json={"name": "二厂区", "address": "经十路200号", "lng": 117.06, "lat": 36.67}).status_code == 201
    assert sup.patch(f"/api/v1/enterprises/{body['uscc']}/sites/2", json={"address": "经十路201号"}).status_code == 200
    assert audit_entries(app, "site.update", 1)[0]["details"]["after"]["address"] == "经十路201号"
    assert sup.delete(f"/api/v1/enterprises/{body['uscc']}").status_code == 200
    person = sup.post("/api/v1/inspectors", json=inspector("370102")).get_json()
    key = person["_id"].split(":", 1)[1] if "_id" in person else person["id"].split(":", 1)[1]
    avoid = [{"uscc": uscc("370102"), "reason": "亲属任职"}]
    assert sup.patch(f"/api/v1/inspectors/{key}", json={"avoid": avoid}).status_code == 200
    change, = audit_entries(app, "inspector.update", 1)
    assert change["details"]["before"]["avoid"] == [] and change["details"]["after"]["avoid"][0]["reason"] == "亲属任职"
    actions = [e["action"] for e in audit_entries(app)]
    for action in ("enterprise.create", "site.create", "enterprise.deregister", "inspector.create"):
        assert action in actions
    assert app.extensions["audit_misses"] == []


def test_imports_and_exports_are_audited(app, login):
    sup = login("supervisor", "370100")
    header = "企业名称,统一社会信用代码,行政区划代码,行业,地址,法定代表人,联系电话,经度,纬度,风险等级,标准化等级"
    line = f"济南导入测试有限公司,{uscc('370102')},370102,机械,历下区经十路1号,王五,0531-1234567,117.05,36.66,黄,三级"
    res = sup.post("/api/v1/imports/enterprises", data={"file": (io.BytesIO(f"{header}\n{line}\n".encode()), "a.csv")},
                   content_type="multipart/form-data")
    assert res.status_code == 200
    imported, = audit_entries(app, "registry.import", 1)
    assert imported["details"]["kind"] == "enterprises" and imported["details"]["file"] == "a.csv"
    assert sup.get("/api/v1/imports/enterprises/export?format=csv").status_code == 200
    exported, = audit_entries(app, "registry.export", 1)
    assert exported["details"]["rows"] == 1 and exported["actor"] == "supervisor370100"
    assert app.extensions["audit_misses"] == []
