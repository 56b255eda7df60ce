"""The checklist screen for issue 13 in real Chromium: a machinery firm is shown its sector's items and the
cross-cutting ones; numbers and whole sections can be 不适用; a failed item opens a hazard worded as the
violation, which the inspector edits; and no screen shows an internal key or code."""
from __future__ import annotations

from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context
from tests.e2e.kit_actions import check_in_typed, phone_docs
from tests.key_scan import key_like

CHECKLIST = "checklist:industry_trade_major:v1"
GATHERING = "会议室、活动室、休息室、更衣室、交接班室等5类人员聚集场所设置在熔融金属吊运跨或者浇注跨的地坪区域内。"


def no_keys(page, screen: str) -> None:
    hits = key_like(page.inner_text("body"))
    assert not hits, (screen, hits)


def card(page, key: str):
    return page.locator(f"[data-t=item][data-item='{key}']")


def test_sector_items_not_applicable_and_violation_wording(live_server, browser):
    team = make_team(live_server, "R")
    task = dispatch(live_server, team, count=1, enterprise=0, checklist=CHECKLIST)[0]   # 机械 (machinery)
    context = phone_context(browser)
    try:
        page = context.new_page()
        open_kit(page, live_server.url, team[0].username)
        page.wait_for_selector(f"[data-t=task][data-task='{task['_id']}']", timeout=60_000)
        no_keys(page, "tasks")
        check_in_typed(page, task)
        no_keys(page, "inspection")
        assert "手工输入场所编码（无二维码签名，不能核验）" in page.inner_text("[data-t=checkin]")

        shown = set(page.eval_on_selector_all("[data-t=item]", "cards => cards.map(c => c.dataset.item)"))
        assert {"it-7-1", "it-7-7", "it-3-1", "it-11-3", "it-12-2-n", "law-81"} <= shown     # machinery and '*'
        assert not shown & {"it-4-1", "it-4-8-p", "it-5-13-p", "it-6-1", "it-8-1", "it-10-1"}  # other sectors

        card(page, "it-12-2-n").locator("[data-t=item-na]").check()        # a number item: 不适用
        page.wait_for_selector("[data-t=item][data-item='it-12-2-n'][data-answer='na']")
        assert card(page, "it-12-2-n").locator("input[type=number]").is_disabled()

        dust = page.locator("[data-t=group]", has=page.locator("[data-item='it-11-1']"))
        dust.locator("[data-t=section-na]").click()                        # the whole dust section
        page.wait_for_selector("[data-t=item][data-item='it-11-10'][data-answer='na']")
        dust = page.locator("[data-t=group]", has=page.locator("[data-item='it-11-1']"))
        assert set(dust.locator("[data-t=item]").evaluate_all("cs => cs.map(c => c.dataset.answer)")) == {"na"}

        card(page, "it-7-1").locator("input[value=no]").click()            # major: its hazard opens at once
        page.wait_for_selector("body[data-screen=hazard]")
        assert page.input_value("textarea[name=description]") == GATHERING
        no_keys(page, "hazard")
        page.fill("textarea[name=description]", GATHERING + "（一号车间东侧浇注跨旁设休息室）")
        page.click("[data-t=save-hazard]")
        page.wait_for_selector("body[data-screen=inspection]")
        problems = page.inner_text("[data-t=problems]")
        assert "尚未作答" in problems and "（第" in problems
        no_keys(page, "inspection after answers")
        page.goto(live_server.url + "/app/#/sync")
        page.wait_for_selector("[data-t=sync-facts]")
        no_keys(page, "sync")

        local = phone_docs(page, team[0].inspector_id)
        hazard = next(d for d in local if d["type"] == "hazard")
        assert hazard["description"].startswith(GATHERING) and hazard["description"].endswith("旁设休息室）")
        inspection = next(d for d in local if d["type"] == "inspection")
        values = {a["item"]: a["value"] for a in inspection["answers"]}
        assert values["it-12-2-n"] == "na" and values["it-11-3"] == "na" and values["it-7-1"] == "no"
    finally:
        context.close()
