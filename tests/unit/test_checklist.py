"""Checklist templates: the built-in ones validate, every rule refuses bad input with its own message."""
from __future__ import annotations

import copy
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from i18n import current_locale, t
from schemas import sectors
from schemas.checklist import DATA_DIR, MAX_ITEMS, ChecklistTemplateSchema, load_builtin_templates
from schemas.common import translate_errors


def make_item(**changes) -> dict:
    item = {"key": "it-1", "text": {"zh": "安全出口畅通。", "en": "Exits are clear."},
            "violation": {"zh": "安全出口不畅通。", "en": "Exits are blocked."},
            "basis": "《中华人民共和国安全生产法》第四十二条第二款", "answer": "yes_no_na",
            "photo_required": False, "major_if_failed": False, "sector": "*",
            "group": {"zh": "通用", "en": "General"}}
    item.update(changes)
    return item


def make_doc(items=None, **changes) -> dict:
    doc = {"_id": "checklist:demo:v1", "type": "checklist", "key": "demo", "version": 1,
           "title": {"zh": "演示模板", "en": "Demo"}, "sectors": ["machinery", "metallurgy"],
           "basis": "《中华人民共和国安全生产法》", "effective_from": "2023-05-15", "status": "active",
           "items": items if items is not None else [make_item()]}
    doc.update(changes)
    return doc


def errors_of(doc) -> dict:
    with pytest.raises(ValidationError) as info:
        ChecklistTemplateSchema().load(doc)
    return info.value.messages


def item_errors(doc, index=0) -> dict:
    return errors_of(doc)["items"][index]


# ---- the built-in templates -------------------------------------------------------------------

@pytest.fixture(scope="module")
def builtin():
    return {doc["key"]: doc for doc in load_builtin_templates()}


def test_every_builtin_template_validates(builtin):
    assert set(builtin) == {"industry_trade_major", "fire_major_gb35181", "hazardous_chemicals_major"}
    assert len(list(DATA_DIR.glob("*.json"))) == len(builtin)
    for doc in builtin.values():
        assert ChecklistTemplateSchema().load(copy.deepcopy(doc)) == doc  # loading is idempotent
        json.dumps(doc)  # plain JSON, ready to store


# ---- the rules --------------------------------------------------------------------------------

def test_minimal_template_loads_with_defaults():
    doc = make_doc(items=[{"key": "a", "text": {"zh": "检查"}, "violation": {"zh": "未检查"}, "basis": "依据", "answer": "yes_no_na"}])
    item = ChecklistTemplateSchema().load(doc)["items"][0]
    assert item["sector"] == "*" and item["group"]["zh"] == "通用" and item["text"]["en"] == ""
    assert item["photo_required"] is False and item["major_if_failed"] is False and item["unit"] is None


def test_duplicate_item_keys_refused():
    doc = make_doc([make_item(), make_item(key="it-2"), make_item()])
    errors = errors_of(doc)["items"]
    assert errors == {2: {"key": [t("checklist.duplicate_item_key", item="it-1", first=1, second=3)]}}


@pytest.mark.parametrize("changes,field,key", [
    ({"answer": "number"}, "unit", "checklist.unit_required"),
    ({"answer": "number", "unit": "   "}, "unit", "checklist.unit_required"),
    ({"unit": "m"}, "unit", "checklist.unit_not_allowed"),
    ({"min": 1}, "min", "checklist.range_not_allowed"),
    ({"answer": "text", "max": 3}, "max", "checklist.range_not_allowed"),
])
def test_unit_and_range_only_for_numbers(changes, field, key):
    assert item_errors(make_doc([make_item(**changes)])) == {field: [t(key)]}


def test_min_above_max_refused_and_equal_allowed():
    bad = make_item(answer="number", unit="m", min=5, max=2)
    assert item_errors(make_doc([bad])) == {"min": [t("checklist.min_gt_max", min=5, max=2)]}
    ok = make_item(answer="number", unit="m", min=2.5, max=2.5)
    assert ChecklistTemplateSchema().load(make_doc([ok]))["items"][0]["max"] == 2.5


@pytest.mark.parametrize("value,message", [
    (["mining"], lambda: t("checklist.unknown_sector", value="mining")),
    (["冶金"], lambda: t("checklist.unknown_sector", value="冶金")),
    (["*", "metallurgy"], lambda: t("checklist.star_not_alone")),
    (["textile", "textile"], lambda: t("checklist.duplicate_sector")),
    ([], lambda: t("checklist.no_sectors")),
    (["textile"] * 51, lambda: t("checklist.too_many_sectors", count=51, max=50)),
])
def test_template_sectors(value, message):
    messages = errors_of(make_doc(sectors=value))["sectors"]
    assert messages in ([message()], {0: [message()]})


def test_sector_codes_come_from_the_data_file():
    for code in sectors.codes():
        ChecklistTemplateSchema().load(make_doc(sectors=[code], items=[make_item(sector=code)]))


def test_item_sector_must_exist_and_lie_inside_the_template():
    assert item_errors(make_doc([make_item(sector="space")])) == {
        "sector": [t("checklist.unknown_sector", value="space")]}
    assert item_errors(make_doc([make_item(sector="textile")])) == {
        "sector": [t("checklist.item_sector_outside", item="it-1", sector="textile")]}
    ChecklistTemplateSchema().load(make_doc([make_item(sector="textile")], sectors=["*"]))


def test_unknown_fields_refused_at_every_level():
    doc = make_doc([make_item(score=5, text={"zh": "检查", "fr": "x"})], owner="me")
    errors = errors_of(doc)
    assert translate_errors(errors["owner"]) == [t("mm.unknown")]
    assert translate_errors(errors["items"][0]["score"]) == [t("mm.unknown")]
    assert translate_errors(errors["items"][0]["text"]["fr"]) == [t("mm.unknown")]


@pytest.mark.parametrize("changes,field,message", [
    ({"version": "1"}, "version", lambda: t("checklist.type_integer")),
    ({"version": 1.0}, "version", lambda: t("checklist.type_integer")),
    ({"version": True}, "version", lambda: t("checklist.type_integer")),
    ({"key": 7}, "key", lambda: t("checklist.bad_key", value="7")),
    ({"basis": ["法"]}, "basis", lambda: t("checklist.type_string")),
    ({"effective_from": 20230515}, "effective_from", lambda: t("checklist.bad_date", value="20230515")),
    ({"status": None}, "status", lambda: t("mm.null")),
])
def test_wrong_types_in_the_template(changes, field, message):
    assert translate_errors(errors_of(make_doc(**changes))[field]) == [message()]
    assert errors_of(make_doc(title={"zh": 5}))["title"] == {"zh": [t("checklist.type_string")]}


@pytest.mark.parametrize("changes,field,key", [
    ({"photo_required": "yes"}, "photo_required", "checklist.type_boolean"),
    ({"major_if_failed": 1}, "major_if_failed", "checklist.type_boolean"),
    ({"answer": "number", "unit": "m", "min": "3"}, "min", "checklist.type_number"),
    ({"answer": "number", "unit": "m", "max": float("nan")}, "max", "checklist.type_number"),
    ({"answer": "number", "unit": "m", "max": 10 ** 400}, "max", "checklist.type_number"),
    ({"answer": "number", "unit": 3}, "unit", "checklist.type_string"),
    ({"text": {"zh": None}}, "text", None),
])
def test_wrong_types_in_an_item(changes, field, key):
    errors = item_errors(make_doc([make_item(**changes)]))
    if key:
        assert errors[field] == [t(key)]
    else:
        assert translate_errors(errors[field]) == {"zh": [t("mm.null")]}


def test_containers_of_the_wrong_type():
    assert translate_errors(errors_of(make_doc(items={"0": make_item()}))["items"]) == [t("mm.type")]
    assert translate_errors(errors_of(make_doc(title="演示"))["title"]) == {"_schema": [t("mm.type")]}
    assert translate_errors(errors_of(make_doc(sectors="machinery"))["sectors"]) == [t("mm.type")]
    assert translate_errors(item_errors(make_doc(["not an item"]))) == {"_schema": [t("mm.type")]}
    with pytest.raises(ValidationError):
        ChecklistTemplateSchema().load(["not", "a", "document"])


@pytest.mark.parametrize("basis", ["", "   ", "\n\t"])
def test_empty_basis_refused(basis):
    assert item_errors(make_doc([make_item(basis=basis)])) == {"basis": [t("checklist.basis_required")]}
    assert errors_of(make_doc(basis=basis))["basis"] == [t("checklist.basis_required")]


def test_missing_basis_refused():
    item = make_item()
    del item["basis"]
    assert translate_errors(item_errors(make_doc([item]))) == {"basis": [t("mm.required")]}


def test_empty_text_and_title_refused():
    assert item_errors(make_doc([make_item(text={"zh": " ", "en": "x"})])) == {
        "text": {"zh": [t("checklist.text_required")]}}
    assert errors_of(make_doc(title={"zh": ""}))["title"] == {"zh": [t("checklist.title_required")]}


def test_no_items_and_ten_thousand_items_refused_quickly():
    assert errors_of(make_doc([]))["items"] == [t("checklist.no_items")]
    many = [make_item(key=f"k{n}") for n in range(10_000)]
    started = time.perf_counter()
    assert errors_of(make_doc(many))["items"] == [t("checklist.too_many_items", count=10_000, max=MAX_ITEMS)]
    assert time.perf_counter() - started < 0.5  # refused before the items are looked at
    ChecklistTemplateSchema().load(make_doc([make_item(key=f"k{n}") for n in range(MAX_ITEMS)]))


def test_one_megabyte_text_refused_with_its_length():
    huge = "隐" * 1_000_000
    errors = item_errors(make_doc([make_item(text={"zh": huge})]))
    assert errors == {"text": {"zh": [t("checklist.text_too_long", max=500, length=1_000_000)]}}
    errors = item_errors(make_doc([make_item(basis="法" * 1_000_000)]))
    assert errors == {"basis": [t("checklist.too_long", max=300, length=1_000_000)]}
    ok = ChecklistTemplateSchema().load(make_doc([make_item(text={"zh": "查" * 500})]))
    assert len(ok["items"][0]["text"]["zh"]) == 500


def test_markup_is_kept_as_text_and_control_characters_refused():
    script = "<script>alert('隐患')</script> & <b>粗</b>"
    loaded = ChecklistTemplateSchema().load(make_doc([make_item(text={"zh": script, "en": script})]))
    assert loaded["items"][0]["text"] == {"zh": script, "en": script}  # escaping happens at render
    errors = item_errors(make_doc([make_item(text={"zh": "检查\x00内容"})]))
    assert errors == {"text": {"zh": [t("checklist.control_chars")]}}


@pytest.mark.parametrize("changes,field,message", [
    ({"version": 0}, "version", lambda: t("checklist.bad_version", value=0)),
    ({"version": 10 ** 30, "_id": f"checklist:demo:v{10 ** 30}"}, "version",
     lambda: t("checklist.bad_version", value=10 ** 30)),
    ({"_id": "checklist:demo:v2"}, "_id",
     lambda: t("checklist.id_mismatch", value="checklist:demo:v2", expected="checklist:demo:v1")),
    ({"key": "Demo-Key", "_id": "checklist:Demo-Key:v1"}, "key",
     lambda: t("checklist.bad_key", value="Demo-Key")),
    ({"key": "d", "_id": "checklist:d:v1"}, "key", lambda: t("checklist.bad_key", value="d")),
    ({"type": "enterprise"}, "type", lambda: t("checklist.bad_type", value="enterprise")),
    ({"status": "draft"}, "status", lambda: t("checklist.bad_status", value="draft")),
    ({"effective_from": "2023-02-30"}, "effective_from", lambda: t("checklist.bad_date", value="2023-02-30")),
    ({"effective_from": "2023-5-15"}, "effective_from", lambda: t("checklist.bad_date", value="2023-5-15")),
])
def test_document_level_rules(changes, field, message):
    assert errors_of(make_doc(**changes))[field] == [message()]


@pytest.mark.parametrize("key", ["", "IT-1", "-a", "a b", "题1", "a" * 65])
def test_bad_item_keys(key):
    expected = {"key": [t("checklist.bad_item_key", value=key[:40])]}
    assert item_errors(make_doc([make_item(key=key)])) == expected


def test_absurd_values_get_a_message_not_a_crash():
    """str() of an int of more than 4300 digits raises in Python 3.11; messages must not."""
    huge = 10 ** 5000
    errors = errors_of(make_doc(type=huge, version=huge, effective_from=huge, items=[make_item(key=huge)]))
    assert errors["type"] == [t("checklist.bad_type", value="int")]
    assert errors["version"] == [t("checklist.bad_version", value="int")]
    assert errors["effective_from"] == [t("checklist.bad_date", value="int")]
    assert errors["items"][0]["key"] == [t("checklist.bad_item_key", value="int")]


def test_bad_answer_kind():
    assert item_errors(make_doc([make_item(answer="photo")])) == {
        "answer": [t("checklist.bad_answer_kind", value="photo")]}


def test_a_stored_document_validates_again():
    stored = make_doc(_rev="3-abc", created_at="2024-01-02T03:04:05+00:00", created_by="builtin")
    loaded = ChecklistTemplateSchema().load(stored)
    assert loaded["_rev"] == "3-abc" and loaded["_id"] == "checklist:demo:v1"
    assert loaded["created_by"] == "builtin"


def test_messages_follow_the_users_language():
    token = current_locale.set("en")
    try:
        errors = item_errors(make_doc([make_item(answer="number")]))
    finally:
        current_locale.reset(token)
    assert errors == {"unit": [t("checklist.unit_required", "en")]} and "unit" in errors["unit"][0]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(make_doc())), value=json_values,
       item_field=st.sampled_from(sorted(make_item())), item_value=json_values)
def test_junk_never_crashes(field, value, item_field, item_value):
    """Whatever lands in a field, the schema answers with a ValidationError or a valid document."""
    doc = make_doc([make_item(**{item_field: item_value})])
    doc[field] = value
    try:
        ChecklistTemplateSchema().load(doc)
    except ValidationError as exc:
        json.dumps(translate_errors(exc.messages), ensure_ascii=False)
