"""The rule of one issuing authority per case (server/documents/issuer.py) on documents in a real database:
the plan author's region when the enterprise lies in it, else the enterprise's; a re-inspection follows its
case; orders follow their inspection; a stored region is kept."""
from __future__ import annotations

import pytest

from server.db import database, registry
from server.documents import issuer

PLAN_CITY, PLAN_OTHER, PLAN_RE = "plan:1111111111111111", "plan:2222222222222222", "plan:3333333333333333"


@pytest.fixture
def dbs(app):
    with app.app_context():
        reg, rec = registry(), database("records")
        reg.bulk_docs([{"_id": PLAN_CITY, "type": "plan", "author_region": "370100"},
                       {"_id": PLAN_OTHER, "type": "plan", "author_region": "370200"},     # 青岛: not over 历下
                       {"_id": PLAN_RE, "type": "plan", "kind": "reinspection", "author_region": "370102"},
                       {"_id": "task:3333333333333333:00001", "type": "task", "plan": PLAN_RE,
                        "hazards": [{"case": "case:c1"}]}])
        rec.bulk_docs([{"_id": "inspection:i1", "type": "inspection", "plan": PLAN_CITY, "region": "370102"},
                       {"_id": "case:c1", "type": "hazard_case", "inspection": "inspection:i1", "region": "370102"}])
        yield reg, rec


def test_the_plan_authors_region_when_the_enterprise_lies_in_it(dbs):
    reg, rec = dbs
    assert issuer.for_inspection(rec, reg, {"plan": PLAN_CITY, "region": "370102"}) == "370100"
    assert issuer.for_inspection(rec, reg, {"plan": PLAN_OTHER, "region": "370102"}) == "370102"
    assert issuer.for_inspection(rec, reg, {"plan": "plan:nope", "region": "370102"}) == "370102"
    assert issuer.for_inspection(rec, reg, {"region": "370102"}) == "370102"


def test_a_reinspection_and_an_order_follow_their_case(dbs):
    reg, rec = dbs
    again = {"plan": PLAN_RE, "task": "task:3333333333333333:00001", "task_kind": "reinspection", "region": "370102"}
    assert issuer.for_inspection(rec, reg, again) == "370100"
    assert issuer.for_case(rec, reg, rec.get("case:c1")) == "370100"
    assert issuer.for_order(rec, reg, {"inspection": "inspection:i1", "region": "370102",
                                       "issuer_region": "370102"}) == "370100"       # an older order: recomputed
    assert issuer.for_order(rec, reg, {"inspection": "inspection:i1", "issuer_region": "370102",
                                       "authority_rule": 1}) == "370102"             # numbered under the rule: kept


def test_a_stored_region_wins_and_nonsense_is_ignored(dbs):
    reg, rec = dbs
    assert issuer.for_inspection(rec, reg, {"issuer_region": "370112", "plan": PLAN_CITY, "region": "370102"}) == "370112"
    assert issuer.for_inspection(rec, reg, {"issuer_region": "999999", "plan": "../x", "region": "370102"}) == "370102"
    assert issuer.for_inspection(rec, reg, {"plan": {"$gt": None}, "region": None}) is None
    assert issuer.for_case(rec, reg, {"inspection": "inspection:none", "region": "370102"}) == "370102"
