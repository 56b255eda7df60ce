"""The new-plan form's translation to the API's plan body, and the plain words of the plan pages."""
from flask import Flask
from werkzeug.datastructures import MultiDict

from server.plans import console_form, console_text

BASE = {"name": "2026年第四季度双随机抽查", "period_start": "2026-10-01", "period_end": "2026-12-31",
        "approver": "li.sup", "regions": "370102，370112 370102", "window_days": "10",
        "tier1_name": "高风险", "tier1_risk": ["red", "orange"], "tier1_amount": "33.5%", "tier1_rounding": "half_up",
        "tier2_name": "其他", "tier2_kind": "count", "tier2_amount": "7",
        "targeted_uscc": "91370102MA3C2XYK1K\n91370102MA3C2XYK1K", "targeted_flags": ["accident"],
        "team_inspectors": "3", "require_qualification": "on", "cap_1": "2"}


def form(**changes) -> MultiDict:
    data = {**BASE, **changes}
    return MultiDict([(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])])


def test_the_form_becomes_the_api_body():
    body = console_form.body_from_form(form())
    rules = body["rules"]
    assert rules["scope"]["regions"] == ["370102", "370112"]                      # any separator, no repeats
    assert rules["tiers"] == [{"name": "高风险", "rounding": "half_up", "risk": ["red", "orange"], "std_level": [],
                               "proportion": 0.335},
                              {"name": "其他", "rounding": "ceil", "risk": [], "std_level": [], "count": 7}]
    assert rules["targeted"] == {"uscc": ["91370102MA3C2XYK1K"], "flags": ["accident"], "apply_caps": False}
    assert rules["team"] == {"inspectors": 3, "experts": 0, "require_qualification": True, "cross_region": False,
                             "avoid_repeat": False}
    assert rules["caps"]["default"] == {"1": 2, "2": 2, "3": 4, "none": 6}
    assert body["publication"] == {} and body["window_days"] == 10


def test_bad_values_reach_the_schema_and_are_refused():
    for change in ({"tier1_amount": "lots"}, {"team_inspectors": "1"}, {"window_days": "-3"},
                   {"period_start": "2026-13-01"}, {"cap_1": "9" * 40}, {"regions": ""}, {"tier1_rounding": "up"}):
        loaded, errors = console_form.validate(console_form.body_from_form(form(**change)))
        assert loaded is None and errors, change
    loaded, errors = console_form.validate(console_form.body_from_form(form()))
    assert errors is None and loaded["rules"]["tiers"][0]["proportion"] == 0.335


def test_oversized_fields_are_cut_before_parsing():
    body = console_form.body_from_form(form(name="计" * 100_000, regions="370102 " * 50_000))
    assert len(body["name"]) == 120 and len(body["rules"]["scope"]["regions"]) <= 2


def test_plain_words_for_exclusions_and_errors():
    with Flask(__name__).test_request_context():
        assert console_text.exclusion_text({"reason": "avoidance", "detail": "亲属"}) == "与该企业存在回避关系（亲属），不派往该企业"
        assert "机械" in console_text.exclusion_text({"reason": "unqualified", "sectors": ["machinery"]})
        assert "历下区" in console_text.exclusion_text({"reason": "own_region", "region": "370102"})
        unknown = console_text.exclusion_text({"reason": "something_new"})
        assert "something_new" not in unknown and "排除" in unknown
        flat = console_text.flat_errors({"rules": {"tiers": {"1": {"proportion": ["太大"]}}}, "name": ["必填"]})
        assert ("抽取分档 · 第 2 档 · 比例：", "太大") in flat and ("名称：", "必填") in flat
