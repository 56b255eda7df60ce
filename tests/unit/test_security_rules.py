"""Pure rules of issue 14: who publishes which checklist level, the password policy, the dependency audit's
reading of pip-audit and npm audit answers (unreachable is said plainly, advisories fail), the JSON depth scan."""
from __future__ import annotations

import json

import pytest

from deploy import advisories
from i18n import Problem
from server.accounts.passwords import check_strength
from server.registry.checklist_scope import level_of_region, may_publish, owner_of


def user(role: str, region: str) -> dict:
    return {"role": role, "region": region, "username": "u"}


@pytest.mark.parametrize("who,template,allowed", [
    (user("supervisor", "370102"), None, True),                                    # a new county template
    (user("supervisor", "370100"), None, False),                                   # a city one needs an admin
    (user("admin", "370100"), None, True),
    (user("supervisor", "370102"), {"key": "k"}, False),                           # built-in
    (user("admin", "370100"), {"key": "k"}, False),
    (user("admin", "370000"), {"key": "k"}, True),
    (user("supervisor", "370103"), {"level": "county", "owner_region": "370102"}, False),
    (user("admin", "370103"), {"level": "county", "owner_region": "370102"}, False),
    (user("supervisor", "370102"), {"level": "county", "owner_region": "370102"}, True),
    (user("admin", "370200"), {"level": "city", "owner_region": "370100"}, False),
    (user("inspector", "370102"), {"level": "county", "owner_region": "370102"}, False),
])
def test_who_publishes_which_level(who, template, allowed):
    assert may_publish(who, *owner_of(template, who)) is allowed


def test_levels_of_regions():
    assert [level_of_region(c) for c in ("370000", "370100", "370102")] == ["province", "city", "county"]


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password1234", "zhang.wei2026"])
def test_common_and_trivial_passwords_are_refused(weak):
    with pytest.raises(Problem):
        check_strength(weak, ("zhang.wei", "张伟"))


def test_a_strong_password_passes():
    check_strength("Tai-shan 1545 m high", ("zhang.wei", "张伟"))


def test_unreachable_advisory_sources_are_said_plainly():
    pip = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"}]}
    assert advisories.classify_pip(json.dumps(pip))[0] == advisories.UNREACHABLE
    npm = {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
           "statusCode": 405}
    assert advisories.classify_npm(json.dumps(npm))[0] == advisories.UNREACHABLE


def test_advisories_are_found_and_clean_is_clean():
    pip = {"dependencies": [{"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95",
                                                                              "fix_versions": ["3.1.3"]}]},
                            {"name": "flask", "version": "3.1.0", "vulns": []}]}
    state, lines = advisories.classify_pip(json.dumps(pip))
    assert state == advisories.FOUND and "GHSA-h5c8-rqwp-cp95" in lines[0] and "3.1.3" in lines[0]
    assert advisories.classify_pip(json.dumps({"dependencies": [pip["dependencies"][1]]}))[0] == advisories.CLEAN
    npm = {"vulnerabilities": {"express": {"severity": "high"}},
           "metadata": {"vulnerabilities": {"high": 1, "total": 1}, "dependencies": {"total": 372}}}
    assert advisories.classify_npm(json.dumps(npm)) == (advisories.FOUND, ["express: high"])
    clean = {"vulnerabilities": {}, "metadata": {"vulnerabilities": {"high": 0, "total": 0}, "dependencies": {"total": 3}}}
    assert advisories.classify_npm(json.dumps(clean))[0] == advisories.CLEAN
    assert advisories.classify_pip("not json", "Traceback")[0] == advisories.BROKEN
