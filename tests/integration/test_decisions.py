"""现场处理措施决定书 through the console: issued from an inspection (hazards, measures), numbered 应急现决 in
the case's issuing bureau, audited, previewed and printed; who may do it; bad and hostile form input. And the
four documents of one case (record, decision, order, opinion) name the same issuing authority."""
from __future__ import annotations

import re

import pytest

from server.db import database
from tests.integration import pdf_tools
from tests.integration.review_fixtures import TEAM, submit, world
from tests.integration.test_hazards_api import FIVE, H, loop_world, order  # noqa: F401  (fixture)
from tests.integration.worker_fixtures import inspection, phone_db, records, run_worker

AUTHORITY = "济南市应急管理局"


def cases_of(lw) -> tuple[str, str]:
    return lw["general"], lw["major"]


def issue(client, key: str, cases, measures, note: str = "", csrf: bool = True):
    page = client.get(f"/console/decisions/new/{key}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    data = {"case": list(cases), "measure": list(measures), "note": note}
    if csrf and token:
        data["csrf_token"] = token.group(1)
    return client.post(f"/console/decisions/new/{key}", data=data)


def test_issue_preview_print_and_audit(app, loop_world, login):
    general, major = cases_of(loop_world)
    key = loop_world["filed"]["key"]
    sup = login("supervisor", "370100")
    page = sup.get(f"/console/review/{key}").get_data(as_text=True)
    assert f"/console/decisions/new/{key}" in page
    res = issue(sup, key, [major], ["remove_now", "evacuate", "suspend"], "立即停止甲类仓库作业")
    assert res.status_code == 303, res.get_data(as_text=True)[:500]
    uuid = res.headers["Location"].split("/decision/")[1].split(".html")[0]
    with app.app_context():
        doc = database("records").get(f"decision:{uuid}")
        trail = database("audit").find({"type": "audit", "subject": f"decision:{uuid}"}, limit=10)
    assert doc["number"] == "(济南)应急现决〔2026〕1号" and doc["issuer_region"] == "370100"
    assert any(e.get("action") == "decision.issue" for e in trail)
    preview = sup.get(res.headers["Location"]).get_data(as_text=True)
    assert "现场处理措施决定书" in preview and "（济南）应急现决〔2026〕1号" in preview
    text = pdf_tools.flat(sup.get(f"/console/documents/decision/{uuid}.pdf").data)
    for part in ["现场处理措施决定书", "（济南）应急现决〔2026〕1号", "发现你单位存在下列问题",
                 "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现作出如下现场处理决定",
                 "1.责令立即排除上述事故隐患", "2.责令从危险区域内撤出作业人员", "3.责令暂时停产停业",
                 "具体要求：立即停止甲类仓库作业", "重大事故隐患排除后，经审查同意，方可恢复生产经营和使用",
                 "如果不服本决定，可以依法在60日内向济南市人民政府申请行政复议", AUTHORITY, "被检查单位负责人"]:
        assert part in text, part
    listing = sup.get(f"/console/decisions/new/{key}").get_data(as_text=True)
    assert "（济南）应急现决〔2026〕1号" in listing


def test_refusals_and_hostile_input(app, loop_world, login):
    general, major = cases_of(loop_world)
    key = loop_world["filed"]["key"]
    sup = login("supervisor", "370100")
    bad = [([], ["remove_now"], ""), ([general], [], ""), ([general], ["evacuate"], ""),        # major only
           ([general], ["shoot"], ""), (["../../etc"], ["remove_now"], ""), ([general], ["remove_now"], "长" * 501),
           ([general] * 300, ["remove_now"], ""), ([general], ["remove_now"], "<script>" * 300)]
    for cases, measures, note in bad:
        res = issue(sup, key, cases, measures, note)
        assert res.status_code == 422, (cases[:2], measures, res.status_code)
        assert "<script><script>" not in res.get_data(as_text=True)
    assert "撤出作业人员、暂时停产停业、停止使用设施设备只能针对重大事故隐患" in issue(
        sup, key, [general], ["suspend"]).get_data(as_text=True)
    raw = sup.client.post(f"/console/decisions/new/{key}", data={"case": [general], "measure": ["remove_now"]})
    assert raw.status_code in (400, 403)                                      # no CSRF token: refused
    with app.app_context():
        assert not database("records").find({"type": "onsite_decision"}, limit=5)   # nothing issued, no number
        assert database("records").get_or_none("counter:decision:370100:2026") is None


@pytest.mark.parametrize("role,region,status", [("supervisor", "370200", 404), ("inspector", "370100", 403),
                                                ("admin", "370000", 200)])
def test_who_may_issue(app, loop_world, login, role, region, status):
    key = loop_world["filed"]["key"]
    client = login(role, region)
    assert client.get(f"/console/decisions/new/{key}").status_code == status
    res = issue(client, key, [loop_world["general"]], ["remove_now"])
    assert res.status_code == (303 if status == 200 else status)


def test_anonymous_is_sent_to_sign_in(app, loop_world):
    res = app.test_client().get(f"/console/decisions/new/{loop_world['filed']['key']}")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_the_four_documents_of_one_case_name_the_same_authority(app, loop_world, login):
    sup, major, key = loop_world["sup"], loop_world["major"], loop_world["filed"]["key"]
    console = login("supervisor", "370102")        # a county supervisor issues: the case stays the city's
    res = issue(console, key, [major], ["remove_now"])
    decision_uuid = res.headers["Location"].split("/decision/")[1].split(".html")[0]
    sup.post(f"{H}/{major}/five_in_place", json=FIVE)
    issued = order(sup, loop_world, (major, 10)).get_json()
    sup.post(f"{H}/{major}/rectify", json={"text": "已更换防爆电气设备", "photos": []})
    task = sup.post(f"{H}/{major}/reinspection", json={"cases": [major], "inspectors": TEAM}).get_json()
    assert "id" in task, (issued, task)
    stored = phone_db(app, TEAM[1]).get(task["id"])
    answer = inspection(app, {**stored, "_id": task["id"]}, checklist="checklist:reinspection:v1",
                        answers=[{"item": f"hazard:{major}", "value": "pass", "note": "已整改到位"}])
    phone_db(app, TEAM[1]).put(answer)
    run_worker(app)
    county = login("supervisor", "370102")
    approved = county.post(f"/api/v1/inspections/{answer['_id'].split(':', 1)[1]}/review", json={"decision": "approved"})
    assert approved.status_code == 200, approved.get_json()
    page = sup.get(f"/console/documents/opinion/{major}/sign").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    from tests.integration.test_signing import pad_png
    signed = sup.post(f"/console/documents/opinion/{major}/sign?n=1", data={
        "csrf_token": token, "signer": "manager", "manager_name": "王厂长", "action": "sign", "image": pad_png()})
    assert signed.status_code == 303 and "n=1" in signed.headers["Location"]
    opinion_pdf = sup.get(f"/console/documents/opinion/{major}.pdf").data
    assert len(pdf_tools.images(opinion_pdf)) == 1                          # the recipient's, captured on screen
    texts = {kind: pdf_tools.flat(sup.get(f"/console/documents/{kind}/{uuid}.pdf").data)
             for kind, uuid in [("record", key), ("decision", decision_uuid),
                                ("order", issued["id"].split(":", 1)[1]), ("opinion", major)]}
    for kind, text in texts.items():
        assert AUTHORITY in text and "本机关" not in text, (kind, text[:400])
        assert "（济南）应急" in text and "（历下）应急" not in text, kind
        if kind != "record":   # the record also lists each inspector's own unit from the register
            assert "历下区应急管理局" not in text and re.search(AUTHORITY + r"20\d\d年", text), kind  # the seal
    assert "检查机关" + AUTHORITY in texts["record"]
    assert approved.get_json()["opinion_number"].startswith("(济南)应急复查")
