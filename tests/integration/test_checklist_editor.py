"""The console's checklist editor: a new version with violation statements, validated item by item,
who may use it, hostile forms, and the audit entry."""
from __future__ import annotations

import re

import pytest

from server import audit
from server.db import database, registry
from server.registry import checklists
from tests.integration.documents_env import module_app, signed_in

EDIT = "/console/checklists/hazardous_chemicals_major/v1/edit"


@pytest.fixture(scope="module")
def env(couch_url):
    with module_app(couch_url) as app:
        yield app


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_of(page: str) -> dict:
    """The form as the browser would send it: every input, textarea and selected option."""
    fields = {m.group(1): m.group(2) for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
              if "checkbox" not in m.group(0) or "checked" in m.group(0)}
    fields.update({m.group(1): m.group(2) for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page)})
    for name, options in re.findall(r'<select name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected', options) or re.search(r'<option value="([^"]+)"', options)
        fields[name] = chosen.group(1)
    return {k: v.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
            for k, v in fields.items()}


def test_who_may_open_the_editor(env):
    assert env.test_client().get(EDIT).status_code == 302                      # anonymous: to the sign-in page
    assert signed_in(env, "inspector", "370102").get(EDIT).status_code == 403
    assert signed_in(env, "supervisor", "370100").get(EDIT).status_code == 200
    assert signed_in(env, "admin", "370000").get("/console/checklists/nothing_here/v1/edit").status_code == 404
    assert signed_in(env, "admin", "370000").get("/console/checklists/hazardous_chemicals_major/v9/edit").status_code == 404


def test_a_missing_violation_statement_is_refused_naming_the_item(env):
    client = signed_in(env, "admin", "370000", username="editor1")
    page = client.get(EDIT).get_data(as_text=True)
    assert "hc-1" not in re.sub(r'<input type="hidden"[^>]*>', "", page)      # keys stay in hidden fields
    form = form_of(page)
    assert form["item-2-violation"].startswith("涉及“两重点一重大”")
    form["item-2-violation"] = "   "
    res = client.post(EDIT, data=form)
    text = res.get_data(as_text=True)
    assert res.status_code == 422 and "第 3 项 违法情形表述（不符合时）：请填写该检查项的违法（不符合）情形表述" in text
    with env.app_context():
        assert checklists.get_template(registry(), "hazardous_chemicals_major")["version"] == 1


def test_publishing_a_new_version_with_an_edited_violation(env):
    client = signed_in(env, "admin", "370000", username="editor2")
    form = form_of(client.get(EDIT).get_data(as_text=True))
    form["item-0-violation"] = "主要负责人未依法经考核合格。"
    form["item-1-remove"] = "1"
    n = int(form["rows"]) - 1                                                   # the blank row for a new item
    form.update({f"item-{n}-text": "已设置安全警示标志。", f"item-{n}-violation": "未设置安全警示标志。",
                 f"item-{n}-basis": "《安全生产法》第三十五条", f"item-{n}-answer": "yes_no_na"})
    res = client.post(EDIT, data=form)
    assert res.status_code == 302 and res.headers["Location"].endswith("/console/checklists/hazardous_chemicals_major/v2")
    with env.app_context():
        v2 = checklists.get_template(registry(), "hazardous_chemicals_major", 2)
        v1 = checklists.get_template(registry(), "hazardous_chemicals_major", 1)
        entries = audit.entries_for(database("audit"), v2["_id"])
    assert v2["items"][0]["violation"]["zh"] == "主要负责人未依法经考核合格。"
    assert v2["items"][0]["text"] == v1["items"][0]["text"]                     # English kept: Chinese unchanged
    assert [i["key"] for i in v2["items"]][:2] == ["hc-1", "hc-3"] and len(v2["items"]) == len(v1["items"])
    assert v2["items"][-1]["violation"]["zh"] == "未设置安全警示标志。"
    assert v1["items"][0]["violation"]["zh"].startswith("危险化学品生产、经营单位主要负责人")  # v1 untouched
    assert any(e["action"] == "checklist.publish" and e["actor"] == "editor2" for e in entries)
    shown = client.get("/console/checklists/hazardous_chemicals_major/v2").get_data(as_text=True)
    assert "主要负责人未依法经考核合格。" in shown


@pytest.mark.parametrize("change,expected", [
    ({"item-0-answer": "number", "item-0-unit": "", "item-0-min": "abc"}, "第 1 项"),
    ({"item-0-sector": "moon_mining"}, "第 1 项 适用行业"),
    ({"item-0-text": "x" * 600}, "第 1 项"),
    ({"item-0-violation": "含控制字符\x07"}, "第 1 项 违法情形表述"),
    ({"item-0-answer": "<script>"}, "第 1 项 填写方式"),
    ({"effective_from": "2026-02-30"}, "2026-02-30"),
])
def test_hostile_or_malformed_forms_get_a_clear_error(env, change, expected):
    client = signed_in(env, "admin", "370000", username="editor3")
    form = {**form_of(client.get("/console/checklists/fire_major_gb35181/v1/edit").get_data(as_text=True)), **change}
    res = client.post("/console/checklists/fire_major_gb35181/v1/edit", data=form)
    assert res.status_code == 422 and expected in res.get_data(as_text=True)
    assert "<script>" not in res.get_data(as_text=True).split("checklist-editor")[0]


def test_an_oversized_row_count_or_empty_form_loses_nothing(env):
    client = signed_in(env, "admin", "370000", username="editor4")
    page = client.get("/console/checklists/fire_major_gb35181/v1/edit").get_data(as_text=True)
    res = client.post("/console/checklists/fire_major_gb35181/v1/edit", data={"csrf_token": csrf(page), "rows": "99999999"})
    assert res.status_code == 422 and "模板至少要有一个检查项" in res.get_data(as_text=True)
    no_token = signed_in(env, "admin", "370000", username="editor5").post(
        "/console/checklists/fire_major_gb35181/v1/edit", data={"rows": "1"})
    assert no_token.status_code in (400, 403)
    with env.app_context():
        assert checklists.get_template(registry(), "fire_major_gb35181")["version"] == 1


def test_bootstrap_adds_the_wording_to_a_builtin_version_stored_without_it(env):
    with env.app_context():
        doc = registry().get("checklist:industry_trade_major:v1")
        registry().put({**doc, "items": [{k: v for k, v in i.items() if k != "violation"} for i in doc["items"]]})
        assert not registry().get(doc["_id"])["items"][0].get("violation")
        assert checklists.ensure_builtin_templates(registry()) == []
        again = registry().get(doc["_id"])
    assert [i["violation"] for i in again["items"]] == [i["violation"] for i in doc["items"]]
    assert [i["key"] for i in again["items"]] == [i["key"] for i in doc["items"]]


def test_the_editor_keeps_the_levels_of_who_may_publish(env):
    """A county or city supervisor may open a built-in template but not publish a new version of it from
    the console: only a province's admins publish built-in templates (server/registry/checklist_scope.py)."""
    with env.app_context():
        before = checklists.get_template(registry(), "hazardous_chemicals_major")["version"]
    for role, region, name in (("supervisor", "370102", "county1"), ("supervisor", "370100", "city1")):
        client = signed_in(env, role, region, username=name)
        page = client.get(EDIT).get_data(as_text=True)
        res = client.post(EDIT, data=form_of(page))
        assert res.status_code == 403, (name, res.status_code)
    with env.app_context():
        assert checklists.get_template(registry(), "hazardous_chemicals_major")["version"] == before
