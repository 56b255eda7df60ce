"""After issuing an order the page links to its PDF; the link shows progress while the server renders the
file, takes one click only, and hands over the PDF (Chromium, the app's own script under its CSP)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import SUPERVISOR, sign_in
from tests.integration.review_fixtures import submit, world


def test_the_order_pdf_link_shows_progress_and_ignores_a_second_click(live_server, page, dialogs):
    app = live_server.app
    filed = submit(app, world(app, name="济南进度测试机械有限公司"))
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(f"{live_server.url}/console/review/{filed['key']}")
    page.check("input[name=decision][value=approved]")
    with page.expect_navigation():
        page.click("#review-form button[type=submit]")
    with page.expect_navigation():
        page.click("form.order-form button[type=submit]")          # the form's defaults: what it can issue
    link = page.locator("p[role=status] a.pdf-progress")
    expect(link).to_contain_text("整改指令书")
    label = link.inner_text()
    pdfs, errors = [], []
    page.on("request", lambda r: pdfs.append(r.url) if r.url.split("?")[0].endswith(".pdf") else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with page.expect_download(timeout=60_000) as info:
        link.click()
        expect(link).to_have_attribute("aria-busy", "true")
        expect(link).to_have_text("正在生成…")
        link.dispatch_event("click")                               # impatient clicks: no second request
        link.dispatch_event("click")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    expect(link).to_have_text(label)
    assert link.get_attribute("aria-busy") is None
    assert len(pdfs) == 1 and errors == [] and dialogs == []
