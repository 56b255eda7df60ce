"""Region scope and search helpers of the registers (pure)."""
import re

import pytest

from server.accounts.roles import in_scope, scope_prefix
from server.registry.store import regex_literal, scope_selector


def user(role, region):
    return {"role": role, "region": region}


@pytest.mark.parametrize("region,code,expected", [
    ("370100", "370102", True), ("370100", "370100", True), ("370100", "370202", False),
    ("370000", "371002", True), ("370102", "370102", True), ("370102", "370103", False),
    ("370100", "", False), ("370100", None, False), ("370100", "37", False),
])
def test_supervisor_sees_own_region_and_below(region, code, expected):
    assert in_scope(user("supervisor", region), code) is expected


def test_admin_sees_everything():
    assert in_scope(user("admin", "370100"), "110101") and scope_prefix(user("admin", "370100")) == ""


@pytest.mark.parametrize("prefix,region,expected", [
    ("3701", None, {"$gte": "3701", "$lt": "3701\ufff0"}),
    ("3701", "370102", {"$gte": "370102", "$lt": "370102\ufff0"}),
    ("3701", "370000", {"$gte": "3701", "$lt": "3701\ufff0"}),   # wider filter never widens scope
    ("3701", "370200", None),                                        # outside: nothing
    ("", "370100", {"$gte": "3701", "$lt": "3701\ufff0"}),
])
def test_scope_selector(prefix, region, expected):
    assert scope_selector(prefix, region) == expected


@pytest.mark.parametrize("text", ["a.b", "(x)", "[y]", "1+1", "a|b", "^$", "\\", "济南*", "a/b", "{2}"])
def test_regex_literal_matches_only_itself(text):
    pattern = re.compile(regex_literal(text))
    assert pattern.search("前" + text + "后")
    assert not pattern.search(text[:-1] + "Z") or len(text) == 1


@pytest.mark.parametrize("text,prefix", [("370000", "37"), ("371000", "3710"), ("370100", "3701"),
                                         ("370102", "370102"), ("37", "37"), ("3710", "3710")])
def test_region_filters_become_prefixes(text, prefix):
    from schemas.regions import filter_prefix
    assert filter_prefix(text) == prefix
    assert scope_selector("", text) == {"$gte": prefix, "$lt": prefix + "\ufff0"}
