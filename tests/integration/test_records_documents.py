"""Issue 13 items 1, 2, 5, 6 through the real routes: record PDF and review page in the template's order,
the short print and ?full=1, violation wording, 不适用 numbers, and check-in evidence worded truthfully."""
from __future__ import annotations

import re
import uuid

import pytest

from server.db import database, registry
from tests.integration import pdf_tools
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in

CHECKLIST = "checklist:industry_trade_major:v1"
# Given out of the template's order: the law's art. 81 first, art. 7(1) of the standard later.
ANSWERS = [("law-81", "yes", ""), ("it-12-2-n", "na", ""), ("it-7-1", "no", "东侧浇注跨设有休息室"),
           ("it-3-1", "yes", ""), ("it-11-3", "na", ""), ("law-30", "电工张三 T370102001", "")]
GATHERING = "会议室、活动室、休息室、更衣室、交接班室等5类人员聚集场所"


def filed(app, world, checkin: dict, verdict: dict, number: str | None) -> dict:
    task = {**world.task, "_id": f"task:{uuid.uuid4().hex[:16]}:00001", "checklist": CHECKLIST}
    with app.app_context():
        registry().put(task)
    phone = rf.phone_inspection(world, task=task, checkin=checkin,
                                answers=[{"item": k, "value": v, "note": n, "photos": []} for k, v, n in ANSWERS])
    doc = rf.file_inspection(app, world, phone, task=task)
    with app.app_context():
        doc = database("records").get(doc["_id"])
        doc["checkin_verdict"] = {**doc["checkin_verdict"], **verdict}
        database("records").put(doc)
        doc = database("records").get(doc["_id"])
    if number:
        rf.approve(app, doc, number)
    return doc


@pytest.fixture(scope="module")
def env(couch_url):
    with module_app(couch_url) as app:
        world = rf.register_world(app, industry="机械")
        scanned = {"qr": "https://aqjc.example.gov.cn/q/x", "scanned_at": "2026-05-06T01:03:00Z", "position": None}
        typed = {**scanned, "qr": world.site["_id"].split(":", 1)[1].replace(":", "-"), "method": "typed",
                 "position": {"lat": 36.66012, "lng": 117.05019, "accuracy_m": 12, "at": "2026-05-06T01:03:00Z"}}
        docs = {"failed": filed(app, world, scanned, {"qr": "qr.bad_signature", "geofence": "no_position",
                                                       "overall": "warning"}, rf.record_number(31)),
                "typed": filed(app, world, typed, {"qr": "typed", "site": "ok"}, rf.record_number(32))}
        yield app, signed_in(app, "supervisor", "370100"), docs


def pdf_text(client, doc, query=""):
    res = client.get(f"/console/documents/record/{doc['_id'].split(':', 1)[1]}.pdf{query}")
    assert res.status_code == 200, res.data[:300]
    return pdf_tools.flat(res.data)


def test_full_print_follows_the_template_order(env):
    _app, client, docs = env
    text = pdf_text(client, docs["typed"], "?full=1")
    order = [text.index(part) for part in ("已对承包单位", GATHERING, "干式除尘系统", "快速冻结装置作业间内的作业人员数量",
                                           "记录现场抽查的特种作业人员", "已制定本单位生产安全事故应急救援预案")]
    assert order == sorted(order)                     # it-3-1, it-7-1, it-11-3, it-12-2-n, law-30, law-81
    assert "其余" not in text and "共检查4项，其中不符合1项；另有2项不适用" in text


def test_short_print_gives_failures_in_full_and_one_line_for_the_rest(env):
    _app, client, docs = env
    text = pdf_text(client, docs["typed"])
    assert f"检查发现：{GATHERING}设置在熔融金属吊运跨或者浇注跨的地坪区域内。" in text  # the violation, not the rule
    assert "东侧浇注跨设有休息室" in text and "电工张三T370102001" in text       # note and written record kept
    assert "其余4项符合/不适用" in text
    assert "已对承包单位" not in text and "应急救援预案" not in text


def test_typed_code_is_worded_as_typed_never_as_scanned_or_failed(env):
    _app, client, docs = env
    text = pdf_text(client, docs["typed"])
    assert "手工输入场所编码（无二维码签名，无法核验）。输入编码时间：" in text
    assert "扫码时间" not in text and "核验未通过" not in text and "typed" not in text
    page = client.get(f"/console/review/{docs['typed']['_id'].split(':', 1)[1]}").get_data(as_text=True)
    assert "手工输入场所编码（无二维码签名，无法核验）" in page and "输入编码于" in page
    assert "扫码于" not in page and "签名验证未通过" not in page and "（typed）" not in page


def test_scanned_code_that_failed_and_no_fix_are_said_plainly(env):
    _app, client, docs = env
    text = pdf_text(client, docs["failed"])
    assert "扫描场所二维码，签名核验未通过（二维码签名不正确）。扫码时间：" in text and "未取得定位" in text
    page = client.get(f"/console/review/{docs['failed']['_id'].split(':', 1)[1]}").get_data(as_text=True)
    assert "扫描场所二维码，签名核验未通过（二维码签名不正确）" in page and "qr.bad_signature" not in page
    assert "没有定位" in page


def test_review_page_lists_answers_in_template_order_with_a_full_print_link(env):
    _app, client, docs = env
    key = docs["typed"]["_id"].split(":", 1)[1]
    page = client.get(f"/console/review/{key}").get_data(as_text=True)
    answers = page[page.index("class=\"grid answers\""):]
    order = [answers.index(part) for part in ("已对承包单位", GATHERING, "干式除尘系统", "快速冻结装置", "应急救援预案")]
    assert order == sorted(order)
    assert f"/console/documents/record/{key}.pdf?full=1" in page
    api = client.get(f"/api/v1/inspections/{key}").get_json()
    assert [a["item"] for a in api["answers"]] == ["it-3-1", "it-7-1", "it-11-3", "it-12-2-n", "law-30", "law-81"]


def test_an_unknown_full_value_prints_the_short_form_and_drafts_are_refused(env):
    _app, client, docs = env
    assert "其余4项" in pdf_text(client, docs["typed"], "?full=yes%00")
    anonymous = env[0].test_client().get(f"/console/documents/record/{docs['typed']['_id'].split(':', 1)[1]}.pdf?full=1")
    assert anonymous.status_code in (302, 401)


def test_a_refused_order_says_why_in_words_not_the_rule_code(env):
    app, client, docs = env
    _hazard, case = rf.file_hazard(app, docs["typed"], f"{GATHERING}设置在熔融金属吊运跨的地坪区域内。", "major")
    key = docs["typed"]["_id"].split(":", 1)[1]
    page = client.get(f"/console/review/{key}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ck = case["_id"].split(":", 1)[1]
    res = client.post(f"/console/review/{key}/order", data={"csrf_token": token, "case": ck, f"days.{ck}": "10"})
    text = res.get_data(as_text=True)
    assert res.status_code == 422 and "五到位" in text
    assert "hazard.five_missing" not in text and "rule:" not in text
