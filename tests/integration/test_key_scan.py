"""No internal key or code anywhere a person reads (issue 13): every console page reachable from the home
page, as an admin and as a city supervisor, on the loaded demo city with a whole case (record, order,
re-inspection opinion), and the PDFs and downloads those pages link to, read back as text."""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from server.db import database, registry
from server.demo.load import load_demo
from tests.integration import pdf_tools
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in
from tests.key_scan import key_like, visible_text

HREF = re.compile(r"""href="([^"#]+)""")
PER_ENDPOINT = 8          # pages of one kind (one enterprise page is like the next)
MAX_PAGES = 160
NOT_PAGES = ("/console/photos/", "/signatures/", "/logout", "/api/", "/app/", "/static/")


@pytest.fixture(scope="module")
def city(couch_url):
    with module_app(couch_url) as app:
        with app.app_context():
            load_demo(registry(), enterprises_n=60)
        show = rf.showcase(app)
        typed_in(app, show.world)
        yield app, show


def typed_in(app, world) -> None:
    """A pending record whose site code was typed, with a number item 不适用 and one failed item."""
    phone = rf.phone_inspection(world, checkin={"qr": "X-01", "method": "typed", "scanned_at": "2026-05-06T01:03:00Z",
                                                "position": None, "override_reason": "摄像头故障"},
                                answers=[{"item": "hc-3", "value": "no", "note": "", "photos": []},
                                         {"item": "hc-1", "value": "na", "note": "", "photos": []}])
    doc = rf.file_inspection(app, world, phone)
    with app.app_context():
        doc["checkin_verdict"] = {**doc["checkin_verdict"], "qr": "typed", "site": "unknown",
                                  "geofence": "no_position", "overall": "warning", "override_reason": "摄像头故障"}
        database("records").put(doc)


def crawl(app, client) -> tuple[dict[str, list], Counter]:
    """Every page reachable from the console's home page (a few per endpoint): what each shows that looks
    like a key, and how many pages of each endpoint were read."""
    adapter = app.url_map.bind("localhost")
    # Pages reached by a form rather than a link are named here.
    queue = ["/", "/console/status", "/console/import", "/console/stats?group=sector&period=quarter",
             "/console/stats?group=inspector", "/console/review?status=all", "/console/hazards?state=all"]
    seen, per_endpoint, found = set(), Counter(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or any(part in url for part in NOT_PAGES):
            continue
        seen.add(url)
        try:
            endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        except Exception:  # not a route of ours (an outside link): nothing to read
            continue
        if per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        res = client.get(url)
        per_endpoint[endpoint] += 1
        kind = res.headers.get("Content-Type", "")
        if kind.startswith("text/html"):
            html = res.get_data(as_text=True)
            text = visible_text(html)
            queue += [h.replace("&amp;", "&") for h in HREF.findall(html) if h.startswith("/")]
        elif kind.startswith("application/pdf"):
            text = pdf_tools.text(res.data)
        elif kind.startswith("text/csv"):
            text = res.get_data(as_text=True)
        else:
            continue
        hits = key_like(text)
        if hits:
            found[url] = hits
    return found, per_endpoint


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_no_page_or_pdf_shows_an_internal_key(city, role):
    app, show = city
    client = signed_in(app, role, "370100")
    found, visited = crawl(app, client)
    # The crawl really reached the pages that matter: lists, an enterprise, a record, a case, the documents.
    for endpoint in ("console.enterprises", "console.enterprise", "console.checklist", "review_console.review_queue",
                     "review_console.inspection_page", "hazards_console.case_page", "documents.document",
                     "stats_page.stats", "console.status"):
        assert visited[endpoint], (endpoint, dict(visited))
    assert not found, found


def test_the_scan_itself_catches_what_the_issue_reported():
    page = ("<p>签名验证未通过（typed）</p><p>扫码于 10:13</p><td>it-7-1</td><li>it-4-8-p</li>"
            "<span title='rule: hazard.five_missing'>x</span><p>见 /work/app/server/calendar/workdays.py</p>"
            "<a href='/console/review/it-7-1'>链接</a><script>const a_b = 'ui.review.qr';</script>")
    kinds = [kind for kind, _ in key_like(visible_text(page))]
    assert Counter(kinds) == Counter({"checklist item id": 2, "message key": 1, "file path": 1,
                                      "code in brackets": 1})
    assert key_like("检查时间：2026年12月2日，网址 https://aqjc.example.gov.cn/q/913701-01") == []
