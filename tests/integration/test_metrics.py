"""/metrics: who may read it, and that what it reports moves with what happens."""
from __future__ import annotations

import re

import pytest

from server import audit
from server.db import database


def _value(text: str, name: str, labels: str = "") -> float:
    pattern = re.escape(name) + (r"\{" + labels + r"\}" if labels else r"(?:\{[^}]*\})?") + r" ([0-9.e+-]+)"
    found = re.findall(pattern, text)
    assert found, f"{name}{labels} not in the metrics"
    return sum(float(v) for v in found)


@pytest.fixture
def scraper(app):
    app.config["METRICS_TOKEN"] = "scrape-" + "t" * 32
    return {"Authorization": "Bearer scrape-" + "t" * 32}


def test_anonymous_field_staff_and_supervisors_are_refused(app, client, login, scraper):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert login("inspector").get("/metrics").status_code == 403
    assert login("supervisor").get("/metrics").status_code == 403


def test_an_admin_and_the_scraper_read_it(app, client, login, scraper):
    res = client.get("/metrics", headers=scraper)
    assert res.status_code == 200 and res.mimetype == "text/plain"
    assert login("admin").get("/metrics").status_code == 200


def test_request_timings_and_state_move(app, client, scraper):
    with app.app_context():
        audit.append(database("audit"), "tester", "metrics.test", "x")
        audit.append(database("audit"), "tester", "metrics.test", "y")
    before = client.get("/metrics", headers=scraper).get_data(as_text=True)
    for _ in range(3):
        client.get("/healthz")
        client.get("/api/v1/tasks")
    after = client.get("/metrics", headers=scraper).get_data(as_text=True)
    count = 'group="api"'
    assert (_value(after, "inspection_request_seconds_count", count)
            - _value(before, "inspection_request_seconds_count", count)) == 3
    assert _value(after, "inspection_responses_total", 'group="api",status="4xx"') >= 3
    assert _value(after, "inspection_audit_entries") >= 2
    assert "inspection_phones_unseen" in after and "inspection_worker_backlog" in after


def test_route_groups():
    from server.metrics import route_group
    assert route_group("/sync/inspector_abc/_changes") == "sync"
    assert route_group("/console/documents/order/x.pdf") == "documents"
    assert route_group("/console/review") == "console"
    assert route_group("/../etc/passwd") == "other"
    assert route_group("/") == "other"
