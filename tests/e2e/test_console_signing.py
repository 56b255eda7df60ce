"""The 现场处理措施决定书 and the console signature pad in Debian's Chromium: a supervisor issues a decision
from a filed inspection, the recipient signs on the canvas, an inspector's refusal is recorded, and the PDF
carries the signature. The pad's script is the app's own file: no CSP violation, no console error."""
from __future__ import annotations

from tests.e2e.helpers import SUPERVISOR, sign_in
from tests.integration import pdf_tools
from tests.integration.review_fixtures import NAMES, submit, world


def draw(page) -> None:
    box = page.locator("[data-t=console-pad]").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 14):
        page.mouse.move(box["x"] + 30 + step * 35, box["y"] + box["height"] / 2 + (30 if step % 2 else -30))
    page.mouse.up()


def test_issue_a_decision_and_sign_it_on_screen(live_server, page):
    app = live_server.app
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None)
    missing = []  # a photo thumbnail still being processed may 404 on the review page; the pad's script may not
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    filed = submit(app, world(app, name="济南示例机械有限公司"))
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(live_server.url + f"/console/review/{filed['key']}")
    with page.expect_navigation():
        page.click("[data-t=decision-link]")
    page.locator("input[name=case]").first.check()
    page.locator("input[name=case]").last.check()
    page.check("input[name=measure][value=remove_now]")
    page.check("input[name=measure][value=evacuate]")
    page.fill("textarea[name=note]", "立即停止二号车间作业")
    with page.expect_navigation():
        page.click("[data-t=decision-issue]")
    assert "/console/documents/decision/" in page.url and "应急现决" in page.inner_text(".sheet")
    with page.expect_navigation():
        page.click("[data-t=sign-link]")

    page.select_option("[data-t=signer-select]", "manager")
    page.fill("[data-t=manager-name]", "赵厂长")
    draw(page)
    with page.expect_navigation():
        page.click("[data-t=sign-save]")
    assert page.locator("[data-t=sign-done]").count() == 1
    page.select_option("[data-t=signer-select]", f"inspector:{NAMES[0]}")
    page.fill("[data-t=refusal-note]", "执法人员不在现场，另行签名")
    with page.expect_navigation():
        page.click("[data-t=sign-refuse]")
    entries = page.inner_text("[data-t=sign-entries]")
    assert "赵厂长" in entries and "已签名" in entries and "拒绝签字" in entries
    pdf_url = page.locator("[data-t=sign-entries] a").get_attribute("href")
    pdf = page.context.request.get(live_server.url + pdf_url, timeout=120_000)
    assert pdf.status == 200
    text = pdf_tools.flat(pdf.body())
    assert len(pdf_tools.images(pdf.body())) == 1 and "立即停止二号车间作业" in text and "拒绝签字" in text
    assert not problems, problems                                   # CSP-compliant: nothing refused or failing
    assert not [u for u in missing if "/static/" in u], missing
