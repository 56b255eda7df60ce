"""A public report from start to reward in Debian's Chromium (issue 15): a phone scans a site's QR code and
sends a report from that page; the supervisor triages it ("verify"), chooses the team and sends the task; it
reaches an inspector's phone (the field kit) with what was reported and nothing about who; the inspector
checks in, files a hazard, syncs; a supervisor approves the record; the report is found true with its case
(source "report") in the register; the receipt page shows the outcome in public words; a reward is proposed
and approved by a second supervisor, then paid."""
from __future__ import annotations

import json

from server.db import database, registry
from tests.e2e.fieldkit_helpers import jpeg_file, make_team, open_kit, phone_context, run_worker_until
from tests.e2e.helpers import SUPERVISOR, create_user, sign_in
from tests.e2e.kit_actions import answer_all, check_in_typed, sign_all
from tests.e2e.helpers import PHONE
from tests.e2e.test_report_public import TEXT, _report_from_qr
from tests.integration.report_fixtures import report

SECOND = "e2e_second_sup"


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def phone_everything(page, inspector_id: str) -> str:
    """Every document of the phone's PouchDB, as one JSON text."""
    return json.dumps(page.evaluate("""async (db) => {
      const rows = (await new PouchDB('fk_' + db).allDocs({include_docs: true})).rows;
      return rows.map(r => r.doc); }""", "inspector_" + inspector_id.split(":")[1]), ensure_ascii=False)


def file_with_a_hazard(phone, task: dict) -> None:
    check_in_typed(phone, task)
    phone.fill("input[name=manager-name]", "赵经理")
    phone.press("input[name=manager-name]", "Tab")
    answer_all(phone)
    phone.click("button.add-hazard")
    phone.wait_for_selector("body[data-screen=hazard]")
    phone.fill("textarea[name=description]", "二号车间东侧安全出口被成品堆垛堵塞")
    phone.set_input_files("form.hazard-form [data-t=photo-input]", jpeg_file(7))
    phone.wait_for_selector("form.hazard-form [data-t=photo]")
    phone.click("[data-t=save-hazard]")
    phone.wait_for_selector("body[data-screen=inspection]")
    sign_all(phone)
    phone.wait_for_selector("[data-t=finish-button]:not([disabled])")
    phone.click("[data-t=finish-button]")
    phone.wait_for_selector("[data-t=tag].finished")
    phone.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)


def test_a_report_is_verified_on_a_phone_found_true_and_rewarded(live_server, page, browser, new_context, dialogs):
    app, url = live_server.app, live_server.url
    team = make_team(live_server, "V")
    create_user(app, SECOND, "supervisor", "370100", display_name="李复核")
    reporter = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    code, _ = _report_from_qr(reporter, live_server, "zh_CN")

    sign_in(page, url, SUPERVISOR)
    page.goto(f"{url}/console/reports")
    click_and_wait(page, "#report-queue tbody tr:first-child a")
    page.check("input[name=decision][value=verify]")
    page.fill("textarea[name=reason]", "反映具体，需现场核查")
    click_and_wait(page, "#decide-form button[type=submit]")
    assert page.url.endswith("/verify")                  # no team chosen in the triage: chosen here
    key = page.url.rstrip("/").split("/")[-2]
    doc = report(app, f"report:{key}")
    assert doc["status"] == "verifying" and doc["insider"] is True
    assert TEXT["zh_CN"][:8] in page.inner_text("[data-t=report-text]")
    for member in team:
        page.check(f"input[name=inspectors][value='{member.inspector_id}']")
    click_and_wait(page, "[data-t=open-form] button[type=submit]")
    assert "检查组的执法终端" in page.inner_text("p[role=status]")
    assert team[0].name in page.inner_text("[data-t=task-facts]")
    with app.app_context():
        task = registry().get(report(app, doc["_id"])["verification"]["task"])

    phone = phone_context(browser).new_page()
    open_kit(phone, url, team[0].username)
    card = phone.locator(f"[data-t=task][data-task='{task['_id']}']")
    card.wait_for()
    assert "举报核查" in card.inner_text()
    card.click()
    phone.wait_for_selector(f"text={TEXT['zh_CN'][:12]}")
    on_phone = phone_everything(phone, team[0].inspector_id)
    secrets = [code, code.replace("-", ""), doc["receipt"]["hash"], "insider", doc["_id"]]
    for secret in secrets + ([doc["identity"]["ciphertext"]] if doc.get("identity") else []):
        assert secret not in on_phone, secret
    phone.click("text=返回")
    file_with_a_hazard(phone, task)
    records = database_in(live_server, "records")
    run_worker_until(app, lambda: any(c.get("report") == doc["_id"] for c in records.find(
        {"type": "hazard_case", "task": task["_id"]}, limit=5)))
    inspection = records.find({"type": "inspection", "task": task["_id"]}, limit=1)[0]

    page.goto(f"{url}/console/review/{inspection['_id'].split(':', 1)[1]}")
    page.check("input[name=decision][value=approved]")
    click_and_wait(page, "#review-form button[type=submit]")
    page.goto(f"{url}/console/reports/{key}/verify")
    assert page.inner_text("[data-t=report-status]") == "经核查属实"
    outcome = page.inner_text("[data-t=outcome]")
    assert "属实" in outcome and "二号车间东侧安全出口被成品堆垛堵塞" in outcome
    case = records.find({"type": "hazard_case", "task": task["_id"]}, limit=1)[0]
    assert case["source"] == "report" and case["report"] == doc["_id"]
    page.goto(f"{url}/console/hazards?source=report")   # the one register, with its source
    assert "二号车间东侧安全出口被成品堆垛堵塞" in page.inner_text("main")
    status = reporter.new_page()                           # the reporter's receipt code, no account
    status.goto(url + "/report/status")
    status.fill("input[name=code]", code)
    click_and_wait(status, "form button[type=submit]")
    assert status.inner_text("#report-state") != "已收到，正在分办"
    told = status.inner_text("#report-progress")
    assert "属实" in told and team[0].name not in told and "二号车间东侧" not in told
    reporter.close()
    page.goto(f"{url}/console/reports/{key}/verify")

    page.select_option("select[name=grade]", "general")
    page.fill("input[name=amount]", "1500")
    page.fill("textarea[name=basis]", "举报一般事故隐患经查属实")
    click_and_wait(page, "[data-t=propose-form] button[type=submit]")
    assert page.inner_text("[data-t=reward-status]") == "待审批"
    assert page.locator("[data-t=approve-form]").count() == 0          # not for the proposer

    second = new_context().new_page()
    sign_in(second, url, SECOND)
    second.goto(url + "/console/")
    assert second.inner_text("[data-count=rewards] .n") == "1"
    click_and_wait(second, "[data-count=rewards]")
    click_and_wait(second, "[data-t=reward-row] a")
    click_and_wait(second, "[data-t=approve-form] button[type=submit]")
    assert second.inner_text("[data-t=reward-status]") == "已审批，待发放"
    second.fill("input[name=reference]", "GK-2026-1202-01")
    click_and_wait(second, "[data-t=pay-form] button[type=submit]")
    assert second.inner_text("[data-t=reward-status]") == "已发放"
    stored = report(app, doc["_id"])
    assert stored["reward"]["proposed_by"] == SUPERVISOR and stored["reward"]["approved_by"] == SECOND
    assert stored["status"] == "verified_true" and stored["outcome"]["cases"] == [case["_id"]]
    with app.app_context():
        trail = [e["action"] for e in database("audit").find({"type": "audit", "subject": doc["_id"]}, limit=50)]
    assert sorted(trail) == sorted(["report.receive", "report.verify", "report.verify", "report.outcome",
                                    "report.reward_propose", "report.reward_approve", "report.reward_pay"])
    assert dialogs == []


def database_in(live, name):
    with live.app.app_context():
        return database(name)
