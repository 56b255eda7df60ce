"""The workbench (工作台) on a real CouchDB: each count follows the records, stays inside the reader's region,
and links to the list it comes from."""
import re

from tests.integration.review_fixtures import submit, world


def counts(session) -> dict[str, str]:
    page = session.get("/console/").get_data(as_text=True)
    return dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+\+?)</span>', page))


def test_counts_follow_review_and_orders_inside_my_region(app, login):
    sup, outsider = login("supervisor", "370100"), login("supervisor", "370200")
    filed = submit(app, world(app))
    mine = counts(sup)
    assert mine["to_review"] == "1" and mine["found"] == "0"
    assert counts(outsider)["to_review"] == "0"
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    mine = counts(sup)
    assert mine["to_review"] == "0" and mine["found"] == "2"          # a general and a major hazard, no order yet
    assert counts(outsider)["found"] == "0"
    general = filed["hazards"][0]["_id"].split(":", 1)[1]
    res = sup.post(f"/console/review/{filed['key']}/order", data={"case": [general], f"days.{general}": "3"})
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    mine = counts(sup)
    assert mine["found"] == "1" and mine["orders_due"] == "1" and mine["orders_overdue"] == "0"
    assert counts(outsider)["orders_due"] == "0"
    page = sup.get("/console/").get_data(as_text=True)
    for link in ("/console/review?review_status=pending", "/console/hazards?state=found",
                 "/console/hazards?overdue=true", "/console/plans/inbox", "/console/publications"):
        assert f'href="{link}' in page, link
        assert sup.get(link).status_code == 200, link


def test_workbench_is_for_staff_only(client, login):
    assert client.get("/console/").status_code == 302
    assert login("inspector", "370102").get("/console/").status_code == 403
    assert login("inspector", "370102").get("/").headers["Location"].endswith("/app/")


def test_phones_not_seen_for_days_are_counted_in_my_region(app, login):
    from datetime import datetime, timedelta, timezone

    from server.db import database, registry
    sup, outsider = login("supervisor", "370100"), login("supervisor", "370200")
    now = datetime.now(timezone.utc)
    with app.app_context():
        registry().bulk_docs([{"_id": "inspector:0000000000a1", "type": "inspector", "name": "周静", "region": "370102",
                               "sectors": ["machinery"], "kind": "inspector", "active": True},
                              {"_id": "inspector:0000000000a2", "type": "inspector", "name": "吴刚", "region": "370102",
                               "sectors": ["machinery"], "kind": "inspector", "active": True}])
        database("records").bulk_docs([
            {"_id": "phone:insp-a1", "type": "phone", "db": "insp-a1", "inspector": "inspector:0000000000a1",
             "username": "a1", "last_seen": (now - timedelta(days=5)).isoformat(timespec="seconds")},
            {"_id": "phone:insp-a2", "type": "phone", "db": "insp-a2", "inspector": "inspector:0000000000a2",
             "username": "a2", "last_seen": (now - timedelta(hours=2)).isoformat(timespec="seconds")}])
    assert counts(sup)["quiet_phones"] == "1"
    assert counts(outsider)["quiet_phones"] == "0"
