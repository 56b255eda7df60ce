"""Checklist files: what the built-in templates hold, how answers fail items, the loader's own checks."""
from __future__ import annotations

import json

import pytest

from i18n import Problem, t
from schemas import sectors
from schemas.checklist import item_failed, load_builtin_templates
from tests.unit.test_checklist import make_doc, make_item


# ---- what the built-in templates hold ---------------------------------------------------------

@pytest.fixture(scope="module")
def builtin():
    return {doc["key"]: doc for doc in load_builtin_templates()}


def test_builtin_items_have_basis_translation_and_consistent_answers(builtin):
    for doc in builtin.values():
        for item in doc["items"]:
            assert item["basis"].startswith(("《", "GB ")), item["key"]
            assert item["text"]["en"], item["key"]
            if item["answer"] == "number":
                assert item["unit"] and (item["min"] is not None or item["max"] is not None), item["key"]


def test_industry_trade_template_covers_the_standard(builtin):
    doc = builtin["industry_trade_major"]
    trade = {s["code"] for s in sectors.all_sectors() if s["group"] == "industry_trade"}
    assert set(doc["sectors"]) == trade
    major = [i for i in doc["items"] if i["major_if_failed"]]
    assert all("工贸企业重大事故隐患判定标准" in i["basis"] for i in major)
    articles = {i["basis"].split("》")[1].split("条")[0] for i in major}
    assert articles >= {"第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十", "第十一", "第十二", "第十三"}
    # 64 situations in 令第10号 (3 management, 47 sector, 14 special) plus art. 14; two are split into
    # a yes/no item and a measured number, so their basis appears twice.
    assert len({i["basis"] for i in major}) == 65
    law = [i for i in doc["items"] if "安全生产法" in i["basis"]]
    assert law and not any(i["major_if_failed"] for i in law)
    freezing = next(i for i in doc["items"] if i["key"] == "it-12-2-n")
    assert (freezing["max"], freezing["unit"]) == (9, "人")


def test_fire_and_chemicals_templates(builtin):
    fire = builtin["fire_major_gb35181"]
    assert fire["sectors"] == ["*"]
    direct = {i["basis"] for i in fire["items"] if i["major_if_failed"]}
    assert direct == {f"GB 35181-2017《重大火灾隐患判定方法》第6.{n}条" for n in range(1, 11)}
    assert any("消防法" in i["basis"] and not i["major_if_failed"] for i in fire["items"])
    chem = builtin["hazardous_chemicals_major"]
    assert chem["sectors"] == ["hazardous_chemicals"] and len(chem["items"]) == 20
    assert all(i["major_if_failed"] for i in chem["items"])


def test_builtin_templates_have_number_and_photo_items(builtin):
    items = [i for doc in builtin.values() for i in doc["items"]]
    assert sum(i["answer"] == "number" for i in items) >= 4
    assert sum(i["photo_required"] for i in items) >= 10
    assert any(i["answer"] == "text" for i in items)


# ---- item_failed ------------------------------------------------------------------------------

YES_NO = make_item()
DISTANCE = make_item(answer="number", unit="%", min=75, max=None)
PEOPLE = make_item(answer="number", unit="人", min=None, max=9)
NOTE = make_item(answer="text")


@pytest.mark.parametrize("item,value,failed", [
    (YES_NO, "yes", False), (YES_NO, "no", True), (YES_NO, "na", False), (YES_NO, None, False),
    (DISTANCE, 75, False), (DISTANCE, 74.9, True), (DISTANCE, 300, False),
    (PEOPLE, 9, False), (PEOPLE, 10, True), (PEOPLE, 0, False), (PEOPLE, -1, False), (PEOPLE, None, False),
    (make_item(answer="number", unit="m", min=None, max=None), 1e9, False),
    (make_item(answer="number", unit="kPa", min=30, max=50), 29, True),
    (make_item(answer="number", unit="kPa", min=30, max=50), 51, True),
    (NOTE, "记录：张三 T123", False), (NOTE, "", False),
])
def test_item_failed(item, value, failed):
    assert item_failed(item, value) is failed


@pytest.mark.parametrize("item,value,code", [
    (YES_NO, "是", "checklist.bad_yes_no"), (YES_NO, True, "checklist.bad_yes_no"),
    (YES_NO, ["no"], "checklist.bad_yes_no"), (YES_NO, "NO", "checklist.bad_yes_no"),
    (DISTANCE, "80", "checklist.bad_number_answer"), (DISTANCE, True, "checklist.bad_number_answer"),
    (DISTANCE, float("nan"), "checklist.bad_number_answer"),
    (DISTANCE, float("inf"), "checklist.bad_number_answer"),
    (NOTE, 5, "checklist.bad_text_answer"), (make_item(answer="photo"), "yes", "checklist.bad_answer_kind"),
])
def test_item_failed_refuses_answers_of_the_wrong_kind(item, value, code):
    with pytest.raises(Problem) as info:
        item_failed(item, value)
    assert info.value.code == code and info.value.message() != code


def test_item_failed_with_an_absurd_number():
    """str() of an int of more than 4300 digits raises in Python 3.11; the Problem must not."""
    for item, code in ((YES_NO, "checklist.bad_yes_no"), (DISTANCE, "checklist.bad_number_answer")):
        with pytest.raises(Problem) as info:
            item_failed(item, 10 ** 5000)
        assert info.value.code == code and info.value.params["value"] == "int"


def test_item_failed_on_builtin_items():
    template = next(d for d in load_builtin_templates() if d["key"] == "industry_trade_major")
    items = {i["key"]: i for i in template["items"]}
    assert item_failed(items["it-4-8-p"], 29.5) and not item_failed(items["it-4-8-p"], 30)
    assert item_failed(items["it-12-2-n"], 10) and not item_failed(items["it-12-2-n"], 9)
    assert item_failed(items["it-3-1"], "no")


# ---- load_builtin_templates on a folder of files ----------------------------------------------

def write(folder, name, content):
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_empty_folder_gives_no_templates(tmp_path):
    assert load_builtin_templates(tmp_path) == []


def test_loader_reads_versions_and_ignores_other_files(tmp_path):
    write(tmp_path, "demo_v1.json", make_doc(status="retired"))
    write(tmp_path, "demo_v2.json", make_doc(_id="checklist:demo:v2", version=2))
    write(tmp_path, "README.md", "# notes")
    assert [d["_id"] for d in load_builtin_templates(tmp_path)] == ["checklist:demo:v1", "checklist:demo:v2"]


@pytest.mark.parametrize("name,content,code", [
    ("demo_v1.json", "{not json", "checklist.bad_json"),
    ("demo_v1.json", "[1, 2]", "checklist.not_object"),
    ("demo_v1.json", "[" * 100_000 + "]" * 100_000, "checklist.bad_json"),
    ("other_v1.json", make_doc(), "checklist.file_name"),
    ("demo_v1.json", make_doc(items=[]), "checklist.builtin_invalid"),
    ("demo_v1.json", "\ufeff{}", "checklist.bad_json"),
])
def test_loader_names_the_bad_file(tmp_path, name, content, code):
    write(tmp_path, name, content)
    with pytest.raises(Problem) as info:
        load_builtin_templates(tmp_path)
    assert info.value.code == code and info.value.params["file"] == name


def test_loader_explains_what_is_wrong(tmp_path):
    write(tmp_path, "demo_v1.json", make_doc([make_item(answer="number")]))
    with pytest.raises(Problem) as info:
        load_builtin_templates(tmp_path)
    assert t("checklist.unit_required") in info.value.message()


def test_loader_refuses_two_active_versions(tmp_path):
    write(tmp_path, "demo_v1.json", make_doc())
    write(tmp_path, "demo_v2.json", make_doc(_id="checklist:demo:v2", version=2))
    with pytest.raises(Problem) as info:
        load_builtin_templates(tmp_path)
    assert info.value.code == "checklist.two_active" and info.value.params["template"] == "demo"


def test_loader_refuses_huge_files_without_parsing(tmp_path):
    write(tmp_path, "demo_v1.json", " " * 2_000_001)
    with pytest.raises(Problem) as info:
        load_builtin_templates(tmp_path)
    assert info.value.code == "checklist.file_too_large"
