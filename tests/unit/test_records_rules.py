"""Pure rules of issue 13 (records): violation wording and its fallback, 不适用 for every item type, the
template order and short print of a record, check-in evidence in words, the editor's form."""
from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from schemas.checklist import DATA_DIR, item_failed
from schemas.violation import found_text, requirement, violation_of
from server.documents import checkin_words, record_items
from server.registry.checklist_form import error_lines, template_body
from server.review.effects import result_of

PLACED = {"key": "it-7-1", "answer": "yes_no_na", "text": {"zh": "人员聚集场所未设置在吊运跨的地坪区域内。"},
          "violation": {"zh": "人员聚集场所设置在吊运跨的地坪区域内。"}}
GAS = {"key": "it-4-8-p", "answer": "number", "unit": "kPa", "min": 30, "text": {"zh": "压力不得小于30 kPa。"},
       "violation": {"zh": "最高封堵煤气压力小于30 kPa。"}}


def test_violation_wording_and_the_fallback_of_older_versions():
    assert violation_of(PLACED) == "人员聚集场所设置在吊运跨的地坪区域内。"
    assert found_text(GAS, 28) == "最高封堵煤气压力小于30 kPa（实测28kPa）。"
    old = {"text": {"zh": "干式除尘系统已采取爆炸防控措施（不涉及的选“不适用”）。"}, "answer": "yes_no_na"}
    assert violation_of(old) == "未做到“干式除尘系统已采取爆炸防控措施”。" != old["text"]["zh"]
    assert requirement({"text": {"zh": "已建立档案。法条：“应当建立档案。”"}}) == "已建立档案"
    assert violation_of({}) == "检查项不符合要求。" and violation_of(None) == "检查项不符合要求。"


def test_every_builtin_item_states_a_violation_not_its_compliance_sentence():
    for path in DATA_DIR.glob("*.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            violation, text = item["violation"]["zh"], item["text"]["zh"]
            assert violation and violation != text and violation.endswith("。"), (path.name, item["key"])
            assert "不适用" not in violation and "法条" not in violation, (path.name, item["key"])


def test_not_applicable_is_open_to_every_item_type_and_never_fails():
    for item in (PLACED, GAS, {"key": "t", "answer": "text"}):
        assert item_failed(item, "na") is False
    assert item_failed(GAS, 28) is True and item_failed(GAS, 30) is False


def test_published_item_count_leaves_out_not_applicable_and_unanswered():
    doc = {"started_at": "2026-05-06T01:05:00Z", "hazards": {"general": 1, "major": 0},
           "answers": [{"item": "a", "value": "yes"}, {"item": "b", "value": "na"}, {"item": "c", "value": 28},
                       {"item": "d", "value": None}, {"item": "e", "value": "no"}]}
    assert result_of(doc)["items_checked"] == 3


def test_template_order_keeps_every_answer_and_unknown_items_last():
    checklist = {"items": [{"key": "a"}, {"key": "b"}, {"key": "c"}]}
    answers = [{"item": "zz"}, {"item": "c", "value": 1}, {"item": "a"}, {"item": "c", "value": 2}, "junk"]
    assert [(a["item"], a.get("value")) for a in record_items.ordered_answers(answers, checklist)] == [
        ("a", None), ("c", 1), ("c", 2), ("zz", None)]
    assert record_items.ordered_answers(None, None) == []


def test_short_print_keeps_failures_notes_and_written_answers():
    rows = [{"state": "passed", "note": "", "written": False}, {"state": "failed", "note": "", "written": False},
            {"state": "na", "note": "不涉及", "written": False}, {"state": "passed", "note": "", "written": True},
            {"state": "na", "note": "", "written": False}, {"state": "unanswered", "note": "", "written": False}]
    full, rest = record_items.short_print(rows)
    assert [rows.index(r) for r in full] == [1, 2, 3, 5] and rest == 2
    assert record_items.counts(rows) == {"checked": 3, "failed": 1, "na": 2, "passed": 2, "unanswered": 1}


@pytest.mark.parametrize("checkin,verdict,sentence", [
    ({"method": "typed"}, {"qr": "typed"}, "手工输入场所编码（无二维码签名，无法核验）"),
    ({"method": "scan"}, {"qr": "ok"}, "扫描场所二维码，签名核验通过"),
    ({}, {"qr": "qr.bad_signature"}, "扫描场所二维码，签名核验未通过（二维码签名不正确）"),
    ({}, {"qr": "something_new"}, "扫描场所二维码，签名核验未通过（原因不明）"),
    ({}, None, "扫描场所二维码，尚未核验"),
    ("junk", [], "扫描场所二维码，尚未核验"),
])
def test_check_in_evidence_in_words(checkin, verdict, sentence):
    assert checkin_words.sentence_cn(checkin, verdict) == sentence
    assert "typed" not in sentence and "qr." not in sentence


def test_time_label_says_typed_for_a_typed_code():
    assert checkin_words.time_label_cn({"method": "typed"}) == "输入编码时间"
    assert checkin_words.time_label_cn({"method": "scan"}) == checkin_words.time_label_cn(None) == "扫码时间"
    assert checkin_words.describe({"position": None}, {})["has_fix"] is False


def test_editor_form_becomes_a_template_and_errors_name_items_not_keys():
    base = {"key": "k", "title": {"zh": "表"}, "sectors": ["*"], "basis": "法", "effective_from": "2023-01-01",
            "items": [{"key": "it-1-1", "text": {"zh": "甲", "en": "A"}, "violation": {"zh": "非甲", "en": "not A"}}]}
    form = MultiDict({"rows": "3", "item-0-key": "it-1-1", "item-0-text": "甲", "item-0-violation": "非甲，改",
                      "item-0-basis": "法", "item-0-answer": "number", "item-0-unit": "m", "item-0-min": "1.5",
                      "item-0-max": "x", "item-1-key": "it-1-2", "item-1-text": "乙", "item-1-remove": "1",
                      "item-2-text": "丙", "item-2-violation": "非丙", "item-2-basis": "法"})
    body = template_body(form, base)
    first, new = body["items"]
    assert first["text"] == {"zh": "甲", "en": "A"} and first["violation"] == {"zh": "非甲，改", "en": ""}
    assert (first["min"], first["max"], first["unit"]) == (1.5, "x", "m") and new["key"] == "x-3"
    lines = error_lines({"items": {0: {"violation": {"zh": ["请填写"]}}, 1: {"key": ["重复"]}}, "effective_from": ["日期不对"]},
                        body["items"])
    assert lines == ["第 1 项 违法情形表述（不符合时）：请填写", "第 2 项 检查项编号：重复", "日期不对"]
    assert template_body(MultiDict({"rows": "999999999"}), base)["items"] == []


def test_builtin_versions_stored_before_the_field_get_the_wording_added_and_nothing_else():
    from server.registry.checklists import with_violations
    shipped = {"items": [{"key": "a", "violation": {"zh": "未甲", "en": ""}}, {"key": "b", "violation": {"zh": "未乙", "en": ""}}]}
    stored = {"_id": "checklist:x:v1", "_rev": "1-x", "created_by": "builtin",
              "items": [{"key": "a", "text": {"zh": "甲"}}, {"key": "b", "text": {"zh": "乙"}, "violation": {"zh": "已有"}}]}
    filled = with_violations(stored, shipped)
    assert filled["items"][0] == {"key": "a", "text": {"zh": "甲"}, "violation": {"zh": "未甲", "en": ""}}
    assert filled["items"][1]["violation"] == {"zh": "已有"} and filled["_rev"] == "1-x"
    assert with_violations(filled, shipped) is None                          # nothing left to add
    assert with_violations({**stored, "created_by": "sup1"}, shipped) is None  # an operator's version: untouched
    assert with_violations({**stored, "items": stored["items"][:1]}, shipped) is None  # not the shipped items
