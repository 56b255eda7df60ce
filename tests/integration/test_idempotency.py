"""Idempotency keys (issue 17: "a retried plan creation made a duplicate"): the same key answers the first
answer again and creates nothing new, also when the retries race; a different body with the key is refused."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from server import audit
from server.db import database, registry
from tests.integration.helpers import uscc
from tests.integration.test_plans import rules

PLAN = {"name": "2026年第四季度双随机抽查", "period": {"start": "2026-10-01", "end": "2026-12-31"},
        "approver": "approver", "rules": rules(), "window_days": 10}


@pytest.fixture
def author(login):
    login("supervisor", "370100", "approver")
    return login("supervisor", "370100", "author")


def _plans(app) -> list[dict]:
    with app.app_context():
        return registry().find({"type": "plan", "author": "author"}, limit=100, sort=None)


def test_a_retried_plan_creation_returns_the_first_answer_and_creates_nothing(app, author):
    key = {"Idempotency-Key": "plan-2026-q4-0001"}
    first = author.post("/api/v1/plans", json=PLAN, headers={**key, "X-CSRFToken": author.csrf})
    again = author.post("/api/v1/plans", json=PLAN, headers={**key, "X-CSRFToken": author.csrf})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(_plans(app)) == 1
    other = author.post("/api/v1/plans", json=PLAN, headers={"Idempotency-Key": "plan-2026-q4-0002",
                                                              "X-CSRFToken": author.csrf})
    assert other.status_code == 201 and len(_plans(app)) == 2
    assert author.post("/api/v1/plans", json=PLAN).status_code == 201 and len(_plans(app)) == 3   # no key: as before
    assert app.extensions["audit_misses"] == []


def test_retries_racing_with_one_key_create_one_plan(app, author):
    def send(_):
        res = author.post("/api/v1/plans", json=PLAN, headers={"Idempotency-Key": "race-key-42",
                                                                "X-CSRFToken": author.csrf})
        return res.status_code, (res.get_json() or {}).get("id")
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} <= {201, 409}
    assert len({plan for status, plan in answers if status == 201}) == 1
    assert len(_plans(app)) == 1


def test_the_same_key_with_another_body_or_a_malformed_key_is_refused(app, author):
    headers = {"Idempotency-Key": "plan-abcdefgh", "X-CSRFToken": author.csrf}
    assert author.post("/api/v1/plans", json=PLAN, headers=headers).status_code == 201
    res = author.post("/api/v1/plans", json={**PLAN, "name": "另一个计划"}, headers=headers)
    assert res.status_code == 422 and res.get_json()["code"] == "validation"
    for bad in ("short", "x" * 101, "有中文的键值一二三", "a b c d e f g h"):
        res = author.post("/api/v1/plans", json=PLAN, headers={"Idempotency-Key": bad, "X-CSRFToken": author.csrf})
        assert res.status_code == 400, bad
    assert len(_plans(app)) == 1


def test_keys_belong_to_their_user(app, author, login):
    colleague = login("supervisor", "370100", "colleague")
    headers = {"Idempotency-Key": "shared-key-001"}
    mine = author.post("/api/v1/plans", json=PLAN, headers={**headers, "X-CSRFToken": author.csrf}).get_json()
    theirs = colleague.post("/api/v1/plans", json=PLAN, headers={**headers, "X-CSRFToken": colleague.csrf})
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine["id"]


def test_a_failed_answer_is_replayed_too_and_an_import_is_not_repeated(app, author):
    bad = {**PLAN, "window_days": -1}
    headers = {"Idempotency-Key": "bad-plan-0001", "X-CSRFToken": author.csrf}
    assert author.post("/api/v1/plans", json=bad, headers=headers).status_code == 422
    assert author.post("/api/v1/plans", json=bad, headers=headers).status_code == 422
    header = "企业名称,统一社会信用代码,行政区划代码,行业,地址,法定代表人,联系电话,经度,纬度,风险等级,标准化等级"
    line = f"济南导入测试有限公司,{uscc('370102')},370102,机械,历下区经十路1号,王五,0531-1234567,117.05,36.66,黄,三级"
    data = f"{header}\n{line}\n".encode()

    def upload():
        return author.post("/api/v1/imports/enterprises", data={"file": (io.BytesIO(data), "a.csv")},
                           content_type="multipart/form-data",
                           headers={"Idempotency-Key": "import-0001", "X-CSRFToken": author.csrf})
    first, again = upload(), upload()
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        imports = audit.entries_for(database("audit"), f"import:{first.get_json()['import_id']}")
    assert len(imports) == 1   # the import ran (and was audited) once
