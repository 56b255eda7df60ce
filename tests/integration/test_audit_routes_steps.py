"""The audit check after each request (server/audit_routes.py) on the routes added late: a confirmation page or
a preview changes nothing and needs no entry, the request that acts does; a calendar recount that finds
nothing to change is still on record; the status page names whose phone waits, not its database."""
from __future__ import annotations

import pytest

from server import audit_routes
from tests.integration.lag import audit_entries
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db


@pytest.fixture
def stepped(app, monkeypatch):
    """A console-like route that acts (and, wrongly, audits nothing) only once confirmed."""
    app.add_url_rule("/console/x-step", "x.step", lambda: "ok", methods=["POST"])
    monkeypatch.setitem(audit_routes.ACTIONS, "x.step", ("x.done",))
    monkeypatch.setitem(audit_routes.ACTS_WHEN, "x.step", ("confirmed", "yes"))
    return app


def test_a_confirmation_page_needs_no_entry_but_the_confirmed_request_does(stepped, login):
    sup = login("supervisor", "370100")
    assert sup.post("/console/x-step", data={"reason": "先确认"}).status_code == 200
    assert stepped.extensions["audit_misses"] == []
    assert sup.post("/console/x-step", data={"confirmed": "no"}).status_code == 200
    assert stepped.extensions["audit_misses"] == []
    assert sup.post("/console/x-step", data={"confirmed": "yes"}).status_code == 200
    assert stepped.extensions["audit_misses"] == ["x.step"]


def test_every_confirmed_plan_console_action_is_listed_with_its_step():
    for name in ("draw", "approve", "redraw_request", "redraw", "dispatch", "cancel", "reassign"):
        assert audit_routes.ACTS_WHEN[f"plans_actions.{name}"] == ("confirmed", "yes")
        assert audit_routes.ACTIONS[f"plans_actions.{name}"]
    assert audit_routes.ACTS_WHEN["plans_console.new_plan"] == ("action", "save")


def test_a_recount_that_changes_nothing_is_audited_too(app, login):
    admin = login("admin")
    assert admin.post("/console/status/calendar/recount").status_code == 302
    assert "calendar.recount" in [e["action"] for e in audit_entries(app)] and app.extensions["audit_misses"] == []
    assert login("supervisor", "370100").post("/console/status/calendar/recount").status_code in (302, 403)
    assert [e["action"] for e in audit_entries(app)].count("calendar.recount") == 1


def test_the_status_page_names_whose_phone_waits(app, login):
    from server.db import registry
    app.config["HEALTH_BACKLOG_CACHE_S"] = 0        # the backlog is counted afresh for each page
    person = "inspector:0123456789ab"
    with app.app_context():
        registry().put({"_id": person, "type": "inspector", "kind": "inspector", "name": "李四", "region": "370102"})
    task = dispatched_task(app, [person])
    phone_db(app, person).put(inspection(app, task))
    page = login("admin").get("/console/status").get_data(as_text=True)
    assert "李四 的手机" in page and "inspector_0123456789ab" not in page
    phone_db(app, "inspector:ba9876543210").put(inspection(app, task))     # nobody in the register
    page = login("admin").get("/console/status").get_data(as_text=True)
    assert "未在人员登记册中的手机" in page and "inspector_ba9876543210" not in page
