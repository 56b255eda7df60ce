"""The pure context builders: source documents in, the plain dictionaries the templates print."""
import base64
import io

import pytest
from PIL import Image

from server.documents import opinion, order, record
from server.documents.signatures import refusal_text, signature_image, signature_view
from server.documents.sources import OpinionSources, OrderSources, RecordSources

A, B, X = "inspector:aaaaaaaaaaaa", "inspector:bbbbbbbbbbbb", "inspector:eeeeeeeeeeee"
PEOPLE = {A: {"_id": A, "name": "王建国", "unit": "济南市历下区应急管理局", "cert_no": "370102001", "kind": "inspector"},
          B: {"_id": B, "name": "李秀英", "unit": "济南市历下区应急管理局", "cert_no": "370102002", "kind": "inspector"},
          X: {"_id": X, "name": "孙专家", "unit": "山东大学", "cert_no": "ZJ01", "kind": "expert"}}
ENTERPRISE = {"_id": "enterprise:91370102MA4CL12T20", "uscc": "91370102MA4CL12T20", "name": "济南示例化工有限公司",
              "address": "经十路1000号", "legal_rep": "赵大明", "phone": "0531-88880000", "region": "370102"}
CHECKLIST = {"_id": "checklist:t:v1", "type": "checklist", "title": {"zh": "示例检查表"}, "items": [
    {"key": "k1", "text": {"zh": "安全出口畅通"}, "basis": "《消防法》第二十八条", "answer": "yes_no_na"},
    {"key": "k2", "text": {"zh": "可燃气体浓度"}, "basis": "GB 50493", "answer": "number", "unit": "%LEL", "max": 25},
    {"key": "k3", "text": {"zh": "备注"}, "basis": "—", "answer": "text"}]}


def png(width=300, height=100) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def inspection(**extra) -> dict:
    doc = {"_id": "inspection:1", "type": "inspection", "review_status": "approved", "task_kind": "random",
           "number": "（历下）应急检记〔2026〕12号",
           "region": "370102", "enterprise": ENTERPRISE["uscc"], "enterprise_name": "济南示例化工有限公司",
           "team": [A, B], "experts": [X], "inspector": A,
           "started_at": "2026-05-06T01:05:00Z", "finished_at": "2026-05-06T03:20:00Z",
           "place": "甲类仓库", "purpose": "双随机抽查", "manager": {"name": "钱经理", "role": "安全总监", "phone": "138"},
           "witness": None, "checkin": {"qr": "x", "scanned_at": "2026-05-06T01:03:00Z", "position": None},
           "checkin_verdict": {"qr": "ok", "site": "ok", "geofence": "no_position", "time": "ok"},
           "answers": [{"item": "k1", "value": "no", "note": "堵塞", "photos": ["photo:1", "photo:2"]},
                       {"item": "k2", "value": 31.5, "note": "", "photos": []},
                       {"item": "k3", "value": "<b>粗</b>", "note": "", "photos": []},
                       {"item": "gone", "value": "yes", "note": "", "photos": []},
                       {"item": "k1", "value": None, "note": "", "photos": []},
                       {"item": "k2", "value": "abc", "note": "", "photos": []}],
           "signatures": [{"signer": "inspector", "name": "王建国", "attachment": "signature-a.png", "at": "2026-05-06T03:15:00Z"},
                          {"signer": "manager", "name": "钱经理", "refused": True, "refusal_note": "需请示",
                           "at": "2026-05-06T03:18:00Z"}]}
    doc.update(extra)
    return doc


def record_ctx(**extra):
    src = RecordSources(inspection=inspection(**extra), enterprise=ENTERPRISE, people=PEOPLE, checklist=CHECKLIST,
                        images={"signature-a.png": png()})
    return record.build(src)


def test_record_context_has_every_field_domain_lists():
    ctx = record_ctx()
    assert ctx["number"] == "（历下）应急检记〔2026〕12号" and not ctx["draft"]
    assert ctx["period"] == "2026年5月6日9时05分至11时20分"
    assert ctx["unit"] == {"name": "济南示例化工有限公司", "uscc": "91370102MA4CL12T20", "address": "经十路1000号",
                           "legal_rep": "赵大明", "phone": "0531-88880000"}
    assert [p["name"] for p in ctx["inspectors"]] == ["王建国", "李秀英"]
    assert [p["name"] for p in ctx["experts"]] == ["孙专家"]
    assert "370102001、370102002" in ctx["opening"] and "济南市历下区应急管理局的执法人员王建国、李秀英" in ctx["opening"]
    assert ctx["manager"]["name"] == "钱经理" and ctx["witness"] is None
    assert ctx["place"] == "甲类仓库" and ctx["purpose"] == "双随机抽查" and ctx["task_kind"] == "双随机抽查"
    assert ctx["checkin"]["issues"] == ["未取得定位"]


def test_record_results_per_answer_kind():
    checks = record_ctx()["all_checks"]  # in the template's order (issue 13), unknown items last
    assert [(c["text"], c["result"], c["failed"]) for c in checks] == [
        ("安全出口畅通", "不符合", True), ("安全出口畅通", "未检查", False), ("可燃气体浓度", "31.5%LEL（不符合）", True),
        ("可燃气体浓度", "abc%LEL", False), ("备注", "<b>粗</b>", False), ("gone", "符合", False)]
    assert checks[0]["basis"] == "《消防法》第二十八条" and checks[0]["photos"] == 2


def test_a_long_free_text_answer_goes_under_its_item():
    long_text = "现场情况说明" * 10
    checks = record_ctx(answers=[{"item": "k3", "value": long_text, "note": "", "photos": []}])["checks"]
    assert (checks[0]["result"], checks[0]["record"]) == ("已记录", long_text)


def test_record_signatures_image_refusal_and_blank():
    ctx = record_ctx()
    first, second, manager, witness = ctx["signers"]
    assert first["state"] == "signed" and first["image"].startswith("data:image/png;base64,")
    assert base64.b64decode(first["image"].split(",", 1)[1]) == png()     # byte for byte, as captured
    assert first["cert_no"] == "370102001" and first["label"] == "执法人员"
    assert second["state"] == "missing" and second["image"] is None     # 李秀英 did not sign: a blank line
    assert manager["state"] == "refused" and manager["label"] == "被检查单位现场负责人"
    assert manager["statement"] == "钱经理于2026年5月6日11时18分拒绝签字（说明：需请示）。"
    assert ctx["manager_refused"] and witness["state"] == "missing"


def test_record_is_a_draft_until_approved_with_a_number():
    assert record_ctx(review_status="pending")["draft"]
    src = RecordSources(inspection=inspection(number=None), people=PEOPLE)
    ctx = record.build(src)
    assert ctx["draft"] and ctx["number"] is None
    assert ctx["unit"]["name"] == "济南示例化工有限公司"          # from the record when the register lacks it


def test_someone_elses_signature_is_never_put_in_an_inspectors_place():
    sigs = [{"signer": "inspector", "name": "冒名者", "attachment": "signature-x.png", "at": "2026-05-06T03:15:00Z"}]
    ctx = record.build(RecordSources(inspection=inspection(signatures=sigs), people=PEOPLE,
                                     images={"signature-x.png": png()}))
    places = [s for s in ctx["signers"] if s["label"] == "执法人员"]
    assert [(p["name"], p["state"]) for p in places] == [("王建国", "missing"), ("李秀英", "missing"), ("冒名者", "signed")]
    assert places[2]["cert_no"] == ""


@pytest.mark.parametrize("data", [None, b"", b"GIF89a....", png()[:40], b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
                                  png(5000, 1000), b"\x89PNG\r\n\x1a\n" + b"x" * (600 * 1024)])
def test_signature_images_that_cannot_be_shown(data):
    assert signature_image(data) is None
    view = signature_view({"signer": "witness", "name": "周", "attachment": "signature-w.png",
                           "at": "2026-05-06T03:15:00Z"}, {"signature-w.png": data} if data else {}, "witness")
    assert view["state"] == "unreadable" and view["image"] is None


def test_refusal_text_without_time_or_note():
    assert refusal_text({"name": "", "role_label": "见证人", "at": "", "note": ""}) == "见证人拒绝签字。"


def order_src(**extra) -> OrderSources:
    cases = {"case:1": {"_id": "case:1", "location": "配电室", "grade": "general"},
             "case:2": {"_id": "case:2", "location": "仓库", "grade": "major"}}
    doc = {"_id": "order:1", "type": "rectification_order", "number": "（历下）应急责改〔2026〕3号", "region": "370102",
           "enterprise": ENTERPRISE["uscc"], "issued_at": "2026-05-08T01:30:00+00:00", "signatures": [],
           "items": [{"case": "case:1", "hazard": "hazard:1", "description": "证书过期", "deadline": "2026-05-20"},
                     {"case": "case:2", "hazard": "hazard:2", "description": "间距不足", "deadline": "2026-06-05"}]}
    doc.update(extra)
    return OrderSources(order=doc, inspection=inspection(), enterprise=ENTERPRISE, people=PEOPLE, cases=cases)


def test_order_each_problem_with_its_own_deadline_and_the_appeal_routes():
    ctx = order.build(order_src(), {})
    assert [(p["description"], p["deadline"], p["grade_label"]) for p in ctx["problems"]] == [
        ("证书过期", "2026年5月20日", "一般事故隐患"), ("间距不足", "2026年6月5日", "重大事故隐患")]
    assert ctx["any_major"] and ctx["date"] == "2026年5月8日" and ctx["number"] == "（历下）应急责改〔2026〕3号"
    assert "60日内向济南市历下区人民政府申请行政复议" in ctx["appeal"]
    assert "6个月内依法向济南市历下区人民法院提起行政诉讼" in ctx["appeal"]
    assert "（历下）应急检记〔2026〕12号《现场检查记录》" in ctx["found"]
    assert ctx["authority"]["name"] == "济南市历下区应急管理局"
    assert [s["state"] for s in ctx["signers"]] == ["missing", "missing", "missing"]


def test_order_without_a_number_is_a_draft_and_an_unknown_appeal_body_is_a_line_to_fill():
    ctx = order.build(order_src(number=None, region="999999", items=[{"case": "case:9", "description": "x"}]), {})
    assert ctx["draft"] and ctx["problems"][0]["deadline"] == ""
    assert "向＿＿＿＿＿＿申请行政复议" in ctx["appeal"]


def opinion_src(results=("pass", "fail"), number="（历下）应急复查〔2026〕5号") -> OpinionSources:
    order_doc = order_src().order
    cases = [{"_id": f"case:{i}", "hazard": f"hazard:{i}", "description": d, "location": "", "grade": "general",
              "region": "370102", "enterprise": ENTERPRISE["uscc"],
              "reinspections": [{"task": "task:r", "result": r, "at": "2026-06-10T06:00:00+00:00", "by": "sup",
                                 "opinion_number": number}]}
             for i, d, r in ((1, "证书过期", results[0]), (2, "间距不足", results[1]))]
    answer = {"team": [A, B], "started_at": "2026-06-10T05:10:00Z", "signatures": [],
              "answers": [{"item": "hazard:1", "value": "pass", "note": "已复审"}]}
    return OpinionSources(case=cases[0], n=1, order=order_doc, cases=cases, task={"inspectors": [A, B]},
                          reinspection=answer, enterprise=ENTERPRISE, people=PEOPLE)


def test_opinion_results_and_conclusion():
    ctx = opinion.build(opinion_src(), {})
    assert [(p["description"], p["deadline"], p["result_label"], p["note"]) for p in ctx["problems"]] == [
        ("证书过期", "2026年5月20日", "已整改完毕", "已复审"), ("间距不足", "2026年6月5日", "未整改完毕", "")]
    assert "第2项问题未整改完毕" in ctx["conclusion"] and "第一百零二条" in ctx["conclusion"]
    assert "2026年5月8日作出了（历下）应急责改〔2026〕3号《责令限期整改指令书》" in ctx["opening"]
    assert "2026年6月10日13时10分" in ctx["opening"] and ctx["date"] == "2026年6月10日"
    assert opinion.build(opinion_src(("pass", "pass")), {})["conclusion"].startswith("经复查，上述问题已整改完毕")
    assert opinion.build(opinion_src(number=None), {})["draft"]
