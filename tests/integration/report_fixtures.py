"""Report documents in the shape of the issue-15 contract (/work/briefs/contract15.md), written straight into
the `reports` database, until the reports feature's intake and triage (which make them) are merged.

`verifying_report` stands for "the triage decided verify": status "verifying", no verification yet. Every
field that names or could trace the reporter carries a marker string, so a test can search for it anywhere.
"""
from __future__ import annotations

import uuid

from server.db import couch
from server.reports.verification import reports_db

# Markers of the reporter's identity and receipt: must never reach a task, a phone, a case or a page.
IDENTITY_MARK = "CIPHERTEXT-OF-REPORTER-IDENTITY"
RECEIPT_MARK = "f00dfeed" * 8
SALT_MARK = "SALT-OF-RECEIPT"


def ensure_reports_db(app) -> None:
    """The `reports` database, made as the reports feature's bootstrap will make it (no-op when it exists)."""
    with app.app_context():
        name = app.config.get("DB_PREFIX", "") + "reports"
        if name not in couch().all_dbs():
            couch().create_db(name)


def verifying_report(app, w: dict, **fields) -> dict:
    """A report about the world's enterprise (review_fixtures.world), decided "verify" by the triage."""
    ensure_reports_db(app)
    doc = {"_id": f"report:{uuid.uuid4().hex}", "type": "report", "received_at": "2026-11-30T02:00:00+00:00",
           "channel": "qr", "site": f"site:{w['uscc']}:01", "enterprise": w["uscc"], "enterprise_name": w["name"],
           "region": w["region"], "sector": w["sector"],
           "text": "二号车间夜班时安全出口被成品堆垛堵死，灭火器过期", "location": "二号车间东门",
           "happened_on": "2026-11-28", "insider": True, "anonymous": False,
           "identity": {"alg": "aes-256-gcm", "key_id": "k1", "ciphertext": IDENTITY_MARK},
           "receipt": {"hash": RECEIPT_MARK, "salt": SALT_MARK},
           "photo_meta": [{"name": "photo-1.jpg", "bytes": 1234}], "status": "verifying", "duplicate_of": None,
           "triage": {"decision": "verify", "reason": "反映具体，需现场核查", "department": None, "by": "sup370100",
                      "at": "2026-11-30T03:00:00+00:00"},
           "verification": None, "outcome": None, "reward": None,
           "history": [{"action": "received", "at": "2026-11-30T02:00:00+00:00", "by": "public", "note": ""}],
           **fields}
    with app.app_context():
        reports_db().put(doc)
        return reports_db().get(doc["_id"])


def report(app, report_id: str) -> dict:
    with app.app_context():
        return reports_db().get(report_id)


def key_of(doc: dict) -> str:
    return doc["_id"].split(":", 1)[1]
