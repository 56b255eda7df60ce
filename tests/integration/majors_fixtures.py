"""Fixtures of the major-hazard database tests: hazard cases written to the real `records` database in the
shape sync/worker/cases.py gives them (with a `source`)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from server import clock
from server.db import database

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_case(app, region: str = "370102", grade: str = "major", state: str = "found", source: str | None = None,
              name: str = "济南泉城化工有限公司", description: str = "甲类仓库设在半地下室", **extra) -> dict:
    key = str(uuid.uuid4())
    doc = {"_id": f"case:{key}", "type": "hazard_case", "hazard": f"hazard:{key}", "inspection": f"inspection:{key}",
           "region": region, "sector": "hazardous_chemicals", "enterprise": "91370102MA3C000001",
           "enterprise_name": name, "description": description, "location": "二号车间", "grade": grade,
           "found_at": "2026-11-20T02:00:00+00:00", "found_by": "inspector:wang", "photos": [], "state": state,
           "order": None, "orders": [], "deadline": None, "five_in_place": None, "supervised": False,
           "escalated_to": None, "rectification": None, "reinspection_task": None, "reinspections": [],
           "closed_at": None, "closed_by": None, "created_at": "2026-11-20T02:00:00+00:00",
           "history": [{"action": "found", "from": None, "to": "found", "at": "2026-11-20T02:00:00+00:00",
                        "by": "inspector:wang", "note": ""}], **extra}
    if source:
        doc["source"] = source
    with app.app_context():
        database("records").put(doc)
    return {**doc, "key": key}


def case_doc(app, case: dict) -> dict:
    with app.app_context():
        return database("records").get(case["_id"])


def set_state(app, case: dict, state: str) -> dict:
    with app.app_context():
        db = database("records")
        doc = db.get(case["_id"])
        doc["state"] = state
        db.put(doc)
        return doc


def in_days(app, n: int) -> str:
    with app.app_context():
        return (clock.today() + timedelta(days=n)).isoformat()


def supervise_form(app, level: str = "city", **over) -> dict:
    return {"level": level, "number": "济安委督〔2026〕3号", "text": "请企业在期限内完成整改并书面报告。",
            "deadline": in_days(app, 30), **over}
