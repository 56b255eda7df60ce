"""The audit-log reader: admins and auditors only, filters by object, actor and period, key-paged, CSV."""
import csv
import io

from server import audit, clock
from server.db import database


def _seed(app, n=7):
    with app.app_context():
        for i in range(n):
            audit.append(database("audit"), "alice" if i % 2 else "bob", "plan.view", f"plan:{i:016x}", {"i": i})
        audit.append(database("audit"), "mallory", "task.cancel", "task:abc:00001", {"reason": "=cmd|' /C calc'!A0"})


def test_only_admins_and_auditors_read_the_log(app, login, make_user):
    _seed(app)
    make_user("aud", "auditor", "370100")
    from tests.integration.conftest import Session
    auditor = Session(app, "aud")
    anonymous = app.test_client()
    for url in ("/api/v1/audit", "/api/v1/audit/export.csv"):
        assert anonymous.get(url).status_code == 401
        assert login("inspector", "370102", "insp").get(url).status_code == 403
        assert login("supervisor", "370102", "district").get(url).status_code == 403
        assert login("supervisor", "370100", "city").get(url).status_code == 403
        assert login("admin", "370000", "admin").get(url).status_code == 200
        assert auditor.get(url).status_code == 200
    assert anonymous.get("/console/audit").status_code == 302
    assert login("supervisor", "370100", "city").get("/console/audit").status_code == 403
    page = auditor.get("/console/audit").get_data(as_text=True)
    assert "审计日志" in page and "task:abc:00001" in page and "取消任务" in page
    assert auditor.get("/").headers["Location"].endswith("/console/audit")
    assert auditor.get("/api/v1/plans").status_code == 403          # an auditor reads the log, nothing else


def test_filters_paging_and_export(app, login):
    _seed(app)
    admin = login("admin", "370000", "admin")
    mine = admin.get("/api/v1/audit?actor=alice&per_page=2").get_json()
    assert [e["actor"] for e in mine["items"]] == ["alice", "alice"] and mine["next"]
    rest = admin.get(f"/api/v1/audit?actor=alice&per_page=2&after={mine['next']}").get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert rest["items"][0]["seq"] > mine["items"][-1]["seq"]
    one = admin.get("/api/v1/audit?subject=plan:0000000000000003").get_json()["items"]
    assert [e["details"] for e in one] == [{"i": 3}]
    prefixed = admin.get("/api/v1/audit?subject=plan:*&per_page=200").get_json()["items"]
    assert {e["subject"][:5] for e in prefixed} == {"plan:"} and len(prefixed) == 7
    today = clock.today().isoformat()         # the bureau's day: the reader counts days in China time
    assert admin.get("/api/v1/audit?since=2020-01-01&until=2020-01-31").get_json()["items"] == []
    assert len(admin.get(f"/api/v1/audit?since={today}&until={today}&per_page=200").get_json()["items"]) >= 8
    for bad in ("since=2026-05-01&until=2026-04-01", "since=2020-01-01&until=2026-01-01", "per_page=0",
                "after=-1", "since=notadate", "action=DROP TABLE", "actor=" + "x" * 100):
        assert admin.get(f"/api/v1/audit?{bad}").status_code == 422, bad
    assert admin.get("/console/audit?since=notadate").status_code == 200     # the page says so and shows 30 days
    res = admin.get("/api/v1/audit/export.csv?actor=mallory")
    assert res.status_code == 200 and res.mimetype == "text/csv" and "attachment" in res.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(res.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["seq", "at", "actor", "action", "subject", "details", "lane"] and len(rows) == 2
    assert rows[1][2] == "mallory" and not rows[1][5].startswith("=")
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), "audit")]
    assert "audit.read" in actions and "audit.export" in actions
