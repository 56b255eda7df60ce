"""Review results on the phone, in real Chromium: a supervisor returns a record with comments (overall and on
one item) through the review API; the phone shows it under "returned", the inspector reopens it, corrects
it and finishes again; the corrected revision reaches the server as the answer to that review, and the
approval that follows shows on the phone."""
from __future__ import annotations

from server.db import database
from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context, run_worker_until
from tests.e2e.helpers import SUPERVISOR, Api
from tests.e2e.kit_actions import finish_record, sign_all

COMMENT = "消防控制室值班记录未拍照，请补充说明"
ITEM = "fl-16-1"


def synced(page) -> None:
    page.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)


def test_return_correct_resubmit_approve(live_server, browser):
    team = make_team(live_server, "R")
    task = dispatch(live_server, team, count=1, enterprise=3)[0]
    context = phone_context(browser)
    api = Api(live_server.url, SUPERVISOR)
    try:
        page = context.new_page()
        open_kit(page, live_server.url, team[0].username)
        finish_record(page, task)
        synced(page)
        with live_server.app.app_context():
            records = database("records")
        filed = {}
        run_worker_until(live_server.app, lambda: filed.update(
            next(iter(records.find({"type": "inspection", "task": task["_id"]}, limit=1)), {})) or bool(filed))
        key = filed["_id"].split(":", 1)[1]
        assert filed["review_status"] == "pending"

        res = api.http.post(f"/api/v1/inspections/{key}/review",
                            json={"decision": "returned", "comments": COMMENT, "items": {ITEM: "请写明值班人员"}})
        assert res.status_code == 200, res.text
        run_worker_until(live_server.app, lambda: True)               # the worker delivers the review
        page.goto(live_server.url + "/app/#/")
        page.wait_for_selector(f"[data-t=tasks-returned] [data-task='{task['_id']}']", timeout=60_000)
        page.click(f"[data-t=tasks-returned] [data-task='{task['_id']}']")
        page.click("text=查看检查记录")
        assert COMMENT in page.inner_text("[data-t=review-comments]")
        assert "请写明值班人员" in page.inner_text(f"[data-t=item][data-item='{ITEM}'] [data-t=item-comment]")
        assert page.locator(f"[data-t=item][data-item='{ITEM}'] input:not([disabled])").count() == 0  # read-only

        page.click("text=更正并重新提交")
        note = page.locator(f"[data-t=item][data-item='{ITEM}'] textarea.note")
        note.fill("值班人员：孙某、周某，已补充值班记录照片")
        note.press("Tab")
        sign_all(page)                       # the change voided the signatures: signed again
        page.fill("[data-t=correction-note]", "补充值班人员说明")   # a correction after submission needs its note
        page.press("[data-t=correction-note]", "Tab")
        page.wait_for_selector("[data-t=finish-button]:not([disabled])")
        page.click("[data-t=finish-button]")
        page.wait_for_selector("[data-t=tag].finished")
        synced(page)

        def corrected():
            doc = records.get(filed["_id"])
            return doc["source"]["rev"] != filed["source"]["rev"] and doc["review_status"] == "pending"
        run_worker_until(live_server.app, corrected)
        again = records.get(filed["_id"])
        assert again["corrects"] == f"review:{filed['_id']}:1"
        assert next(a for a in again["answers"] if a["item"] == ITEM)["note"].startswith("值班人员：孙某")

        res = api.http.post(f"/api/v1/inspections/{key}/review", json={"decision": "approved"})
        assert res.status_code == 200, res.text
        run_worker_until(live_server.app, lambda: True)
        page.goto(live_server.url + f"/app/#/inspection/{filed['_id']}")
        page.wait_for_selector("[data-t=review].approved", timeout=60_000)
        page.goto(live_server.url + "/app/#/")
        page.wait_for_selector(f"[data-t=tasks-done] [data-task='{task['_id']}'] .tag.approved")
    finally:
        api.close()
        context.close()
