"""The demo city's console on days past the official calendar (2026-12-31 and 2027-06-30, set with the
CLOCK_TODAY setting): every page a supervisor and an admin can reach renders, and deadlines that reach
into a year without a notice are counted and marked 暂定 rather than taking a page down."""
import re
from pathlib import Path

import pytest

import server
from i18n import t
from server.db import registry
from server.demo.load import load_demo
from tests.integration.review_fixtures import submit, world
from tests.integration.lag import read_until

ROOT = str(Path(server.__file__).resolve().parents[1])
SKIP = re.compile(r"\.(pdf|png|jpg|jpeg|xlsx|csv|geojson|svg)(\?|$)|/photos/|/signatures/|/lang/|/logout|/export")
MAX_PAGES = 80
PER_KIND = 3        # a few pages of each kind (enterprise, checklist, …), so that every kind is reached
BAD = ("calendar.unknown_year", "Traceback", "Internal Server Error")


class Browser:
    """A test client signed in with a demo account's real password, sending the CSRF token."""

    def __init__(self, app, username: str, password: str):
        self.client = app.test_client()
        csrf = self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        res = self.client.post("/api/v1/auth/login", json={"username": username, "password": password},
                               headers={"X-CSRFToken": csrf})
        assert res.status_code == 200, res.get_json()
        self.csrf = res.get_json()["csrf_token"]

    def get(self, path):
        return self.client.get(path)

    def post(self, path, **kwargs):
        return self.client.post(path, headers={"X-CSRFToken": self.csrf}, **kwargs)


@pytest.fixture
def demo(app):
    """The demo city (accounts, registers, a week of tasks) and an approved inspection with two hazards."""
    with app.app_context():
        loaded = load_demo(registry(), enterprises_n=60)
    # started on a day not after the tests' "today", whatever the real date (a later check is refused)
    filed = submit(app, world(app), started_at="2026-12-02T02:00:00+00:00")
    passwords = {a["username"]: a["password"] for a in loaded["accounts"]}
    return {"passwords": passwords, "filed": filed}


def crawl(browser, start=("/", "/console/status/calendar")) -> dict[str, int]:
    """Every console page reachable by links from the start pages (GET only), with its status."""
    seen, queue, kinds = {}, list(start), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        res = browser.get(path)
        while res.status_code in (301, 302, 303) and res.headers["Location"].startswith("/") and len(seen) < MAX_PAGES:
            seen[path] = res.status_code
            path = res.headers["Location"]
            res = browser.get(path)
        body = res.get_data(as_text=True)
        seen[path] = res.status_code
        assert not any(bad in body for bad in BAD) and ROOT not in body, path
        assert t("error.internal") not in body, path
        if "html" in res.headers.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', body):
                link = link.replace("&amp;", "&")
                kind = link.split("?")[0].rsplit("/", 1)[0] if link.count("/") > 2 else link
                if link in seen or link in queue or SKIP.search(link) or not (link.startswith("/console") or link == "/"):
                    continue
                if kinds.get(kind, 0) < PER_KIND:
                    kinds[kind] = kinds.get(kind, 0) + 1
                    queue.append(link)
    return seen


@pytest.mark.parametrize("day", ["2026-12-31", "2027-06-30"])
def test_every_page_of_the_demo_renders_past_the_official_calendar(app, demo, day):
    app.config["CLOCK_TODAY"] = day
    filed = demo["filed"]
    sup = Browser(app, "jinan.sup", demo["passwords"]["jinan.sup"])
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general = filed["hazards"][0]["_id"].split(":", 1)[1]
    res = sup.post("/api/v1/orders", json={"inspection": filed["key"], "items": [{"case": general, "days": 30}]})
    assert res.status_code == 201, res.get_json()                          # a 30-working-day order on that day
    assert res.get_json()["items"][0]["deadline_provisional"] is True
    overdue = sup.get("/api/v1/tasks/overdue-publications")
    assert overdue.status_code == 200 and all("due_provisional" in o for o in overdue.get_json())
    for name in ("jinan.sup", "admin"):
        browser = sup if name == "jinan.sup" else Browser(app, name, demo["passwords"][name])
        extra = (f"/console/review/{filed['key']}", f"/console/hazards/{general}", "/console/hazards?state=ordered",
                 f"/console/documents/order/{res.get_json()['id'][6:]}.html", "/console/plans", "/console/stats")
        pages = crawl(browser, start=("/", "/console/status/calendar", *extra))
        failed = {p: s for p, s in pages.items() if s not in (200, 301, 302, 303)}
        assert not failed, (name, failed)
        assert len([p for p, s in pages.items() if s == 200]) >= 12, (name, sorted(pages))
        assert "暂定" in browser.get(f"/console/hazards/{general}").get_data(as_text=True)
        status = browser.get("/console/status").get_data(as_text=True)
        assert "节假日安排只收录到" in status                                       # the warning stays
    if day == "2027-06-30":   # the demo week's results are overdue, their 一公开 deadlines counted into 2027
        admin = Browser(app, "admin", demo["passwords"]["admin"])
        # the late results, counted (a view: on a CouchDB cluster it reads one copy, which may lag a moment)
        assert read_until(lambda: "超过公示期限" in admin.get("/console/plans").get_data(as_text=True), bool, 10)
        late = admin.get("/console/publications?late=1").get_data(as_text=True)   # each with its deadline
        assert "暂定" in late
