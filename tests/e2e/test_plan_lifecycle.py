"""A 双随机 plan's whole life in Debian's Chromium, through the console only: one supervisor drafts and draws,
a second one finds it on the workbench and approves it, it is dispatched, both inspectors see the task on
their phones (the field kit), and a result is published (一公开). Screenshots of the four screens are taken
on the way, in both languages (docs/screenshots/plan-new, plan-draw, plan-approve, workbench)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from server import clock
from server.db import database, registry
from tests.e2e.fieldkit_helpers import make_team, open_kit, phone_context
from tests.e2e.helpers import SUPERVISOR, Api, create_user, sign_in
from tests.e2e.screenshots import LOCALES, OUT_DIR, file_name

SECOND = "e2e_supervisor2"


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def confirm(page, selector: str) -> None:
    """Press an action's button, then the confirmation page's 确认 (no script dialog is involved)."""
    click_and_wait(page, selector)
    assert page.locator("[role=alertdialog]").count() == 1
    click_and_wait(page, "button.confirm")


def shoot(page, screen: str, base_url: str, redo=None) -> None:
    """The page in every language (the 中文/English cookie), then back in Chinese; `redo` re-creates a page
    that a reload cannot (a form's preview)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for locale in LOCALES:
        page.context.add_cookies([{"name": "lang", "value": locale, "url": base_url}])
        redo(page) if redo else page.reload()
        page.screenshot(path=str(OUT_DIR / file_name(screen, locale)), full_page=True)
    page.context.add_cookies([{"name": "lang", "value": "zh_CN", "url": base_url}])
    redo(page) if redo else page.reload()


def more_inspectors(live) -> None:
    """One inspector who declared a conflict with the red (always drawn) enterprise, and one qualified for
    coal mines only: the draw page must say why each was left out."""
    api = Api(live.url, SUPERVISOR)
    try:
        for name, sectors, avoid in (("赵回避", ["machinery"], [{"uscc": live.enterprises[2]["uscc"], "reason": "配偶在该企业任职"}]),
                                     ("钱煤矿", ["coal_mine"], [])):
            res = api.http.post("/api/v1/inspectors", json={
                "name": name, "cert_no": f"37010{abs(hash(name)) % 10**8:08d}", "unit": "济南市应急管理局",
                "region": "370102", "sectors": sectors, "avoid": avoid})
            assert res.status_code == 201, res.text
    finally:
        api.close()


def fill_plan(page, base_url: str, today: date) -> None:
    page.goto(base_url + "/console/plans/new")
    page.fill("input[name=name]", "2026年12月双随机抽查（机械）")
    page.fill("input[name=period_start]", today.isoformat())
    page.fill("input[name=period_end]", (today + timedelta(days=6)).isoformat())
    page.fill("input[name=window_days]", "7")
    page.select_option("select[name=approver]", SECOND)
    page.fill("input[name=tier1_name]", "高风险企业")          # tiers are taken in order: the narrow one first
    page.check("input[name=tier1_risk][value=red]")
    page.fill("input[name=tier1_amount]", "100")
    page.fill("input[name=tier2_name]", "一般企业")
    page.fill("input[name=tier2_amount]", "50")
    click_and_wait(page, "button[name=action][value=preview]")
    page.wait_for_selector("table.preview-tiers")


def test_two_supervisors_run_a_plan_to_publication(live_server, page, new_context, browser, dialogs):
    live, today = live_server, clock.today()     # the bureau's day (China), as the console counts it
    create_user(live.app, SECOND, "supervisor", "370100", display_name="李审批")
    team = make_team(live, "P")
    more_inspectors(live)

    sign_in(page, live.url, SUPERVISOR)
    assert page.url.endswith("/console/")                                          # the workbench is home
    fill_plan(page, live.url, today)
    rows = page.locator("table.preview-tiers tbody tr").all_inner_texts()
    assert any("一般企业" in r for r in rows) and any("高风险企业" in r for r in rows)
    shoot(page, "plan-new", live.url, redo=lambda p: fill_plan(p, live.url, today))
    click_and_wait(page, "button[name=action][value=save]")
    assert "计划已保存为草稿" in page.locator("[role=status]").inner_text()
    key = page.url.split("/console/plans/")[1].split("?")[0]
    confirm(page, "button.draw")
    assert "已完成随机抽取" in page.locator("[role=status]").inner_text()
    assert page.locator("table.tasks tbody tr").count() == 1 + 2      # the red one, and half of three rounded up
    exclusions = page.locator("table.exclusions").inner_text()
    assert "与该企业存在回避关系（配偶在该企业任职）" in exclusions and "不具备以下行业的执法领域：机械" in exclusions
    assert "赵回避" not in page.locator("table.tasks tbody tr", has_text="山东泉城化工").inner_text()
    page.goto(f"{live.url}/console/plans/{key}?verify=1")
    assert "核验一致" in page.locator("p.verify").inner_text()
    shoot(page, "plan-draw", live.url)

    second = new_context().new_page()
    second.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(second, live.url, SECOND)
    tile = second.locator("a[data-count=plans]")
    assert tile.locator(".n").inner_text() == "1"
    shoot(second, "workbench", live.url)
    click_and_wait(second, "a[data-count=plans]")
    click_and_wait(second, f"a[href='/console/plans/{key}']")
    assert "核验一致" in second.locator("p.verify").inner_text()
    shoot(second, "plan-approve", live.url)
    confirm(second, "button.approve")
    assert "已审批通过" in second.locator("[role=status]").inner_text()
    confirm(second, "button.dispatch")
    assert "已下发" in second.locator("h1").inner_text()

    with live.app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=50)
    assert len(tasks) >= 2 and all(t["status"] == "dispatched" for t in tasks)
    for member in team:                                 # each inspector's phone has the tasks of their teams
        mine = [t for t in tasks if member.inspector_id in t["inspectors"]]
        assert mine
        phone = phone_context(browser)
        try:
            kit = phone.new_page()
            open_kit(kit, live.url, member.username)
            for task in mine:
                kit.wait_for_selector(f"[data-t=task][data-task='{task['_id']}']")
            assert kit.locator("[data-t=task]").count() == len(mine)
        finally:
            phone.close()

    random_tasks = sorted((t for t in tasks if t["random"]), key=lambda t: t["_id"])
    checked, absent = random_tasks[0], random_tasks[1]
    ident = file_approved_inspection(live.app, checked, team, today)   # as the worker files it, then approved
    click_and_wait(page, "header nav a[href='/console/plans']")
    click_and_wait(page, f"a[href='/console/plans/{key}']")
    click_and_wait(page, f"a[href='/console/plans/{key}/publication']")
    row = page.locator("table.publications tbody tr", has_text=checked["enterprise_name"]).first
    assert "检查 6 项，一般隐患 1 项，重大隐患 0 项" in row.locator("form.from-inspection").inner_text()
    with page.expect_navigation():
        row.locator("form.from-inspection button[type=submit]").click()
    figures = page.locator("dl.figures").inner_text()              # what will be published, to confirm
    assert "6" in figures and "整改中" in figures and today.isoformat() in figures
    click_and_wait(page, "button.confirm")
    assert "已登记并公示" in page.locator("[role=status]").inner_text()
    row = page.locator("table.publications tbody tr", has_text=absent["enterprise_name"]).first
    row.locator("details.edit summary").click()
    row.locator("form.not-inspected input[name=checked_on]").fill(today.isoformat())
    row.locator("form.not-inspected input[name=reason]").fill("企业已停产，现场无人")
    with page.expect_navigation():
        row.locator("form.not-inspected button[type=submit]").click()
    assert "企业已停产，现场无人" in page.locator("dl.figures").inner_text()
    click_and_wait(page, "button.confirm")
    assert "已登记并公示" in page.locator("[role=status]").inner_text()
    with live.app.app_context():
        published = database("public").get(f"result:{checked['_id'][5:]}")
        skipped = database("public").get(f"result:{absent['_id'][5:]}")
    assert (published["outcome"], published["items_checked"]) == ("problems_found", 6) and "inspectors" not in published
    assert skipped["outcome"] == "not_inspected" and skipped["reason"] == "企业已停产，现场无人"
    assert dialogs == []


def file_approved_inspection(app, task: dict, team, today: date) -> str:
    """What the worker files from the team's finished inspection (the fields a result is read from), and
    its approval on review, written as the review writes them (review:<id>:1, review_status approved)."""
    ident = f"inspection:{uuid.uuid4()}"
    started = f"{today.isoformat()}T01:30:00Z"          # 09:30 in China: the check's date is today
    member = next(m for m in team if m.inspector_id in task["inspectors"])
    doc = {"_id": ident, "type": "inspection", "task": task["_id"], "plan": task["plan"], "status": "finished",
           "checklist": task.get("checklist"), "started_at": started, "finished_at": started,
           "inspector": member.inspector_id, "team": task["inspectors"], "region": task["region"],
           "enterprise": task["enterprise"], "enterprise_name": task["enterprise_name"], "site": task["site"],
           "task_kind": "random", "submitted_at": started, "hazards": {"general": 1, "major": 0},
           "answers": [{"item": f"item-{n}", "value": "fail" if n == 0 else "pass"} for n in range(6)],
           "review_status": "approved"}
    review = {"_id": f"review:{ident}:1", "type": "review", "inspection": ident, "decision": "approved",
              "comments": "", "items": {}, "by": SECOND, "by_name": "李审批", "at": started, "team": task["inspectors"]}
    with app.app_context():
        database("records").bulk_docs([doc, review])
    return ident
