"""A correction after signing, in real Chromium: signatures bound to the content they signed are voided on
the phone by a later change (signed again, or a refusal recorded); after submission and a return, the
corrected version needs a 更正说明, and the review page and the record's PDF show it with what changed."""
from __future__ import annotations

from server.db import database
from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context, run_worker_until
from tests.e2e.helpers import SUPERVISOR, Api
from tests.e2e.kit_actions import answer_all, check_in_typed, draw_signature, sign_all
from tests.integration import pdf_tools

NOTE = "更正：补充安全出口清理情况"


def synced(page) -> None:
    page.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)


def edit_note(page, key: str, text: str) -> None:
    note = page.locator(f"[data-t=item][data-item='{key}'] textarea.note")
    note.fill(text)
    note.press("Tab")


def refuse(page, slot: str, why: str) -> None:
    page.click(f"[data-t=signer][data-slot={slot}] button")
    page.wait_for_selector("[data-t=pad]")
    page.fill("textarea[name=refusal_note]", why)
    page.click(".refusal button")
    page.wait_for_selector("body[data-screen=inspection]")


def filed_record(app, records, task_id: str, when) -> dict:
    found = {}

    def ready():
        found.clear()
        found.update(next(iter(records.find({"type": "inspection", "task": task_id}, limit=1)), {}))
        return bool(found) and when(found)
    run_worker_until(app, ready)
    return found


def test_a_change_after_signing_voids_and_a_correction_needs_a_note(live_server, browser):
    team = make_team(live_server, "S")
    task = dispatch(live_server, team, count=1, enterprise=1)[0]
    context = phone_context(browser)
    api = Api(live_server.url, SUPERVISOR)
    try:
        page = context.new_page()
        open_kit(page, live_server.url, team[0].username)
        check_in_typed(page, task)
        page.fill("input[name=manager-name]", "赵经理")
        page.press("input[name=manager-name]", "Tab")
        key = next(iter(answer_all(page)))
        sign_all(page)
        assert page.locator("[data-t=signer][data-state=signed]").count() == 3
        edit_note(page, key, "签名之后补写的说明")                       # changed after signing
        page.wait_for_selector("[data-t=signer][data-state=void] >> nth=2")
        assert page.locator("[data-t=signature-void]").count() == 3
        assert page.is_disabled("[data-t=finish-button]")
        assert "已失效的签名须重新签名或记录拒签" in page.inner_text("[data-t=problems]")
        sign_all(page, slots=("inspector-1", "inspector-2"))
        refuse(page, "manager", "现场负责人称需请示总部")
        assert page.locator("[data-t=signer][data-state=refused]").count() == 1
        page.click("[data-t=finish-button]")
        page.wait_for_selector("[data-t=tag].finished")
        synced(page)

        with live_server.app.app_context():
            records = database("records")
        filed = filed_record(live_server.app, records, task["_id"], lambda d: d.get("status") == "finished")
        uuid = filed["_id"].split(":", 1)[1]
        review_page = api.http.get(f"/console/review/{uuid}").text
        assert "signatures-void" not in review_page and review_page.count('data-state="signed"') == 2
        res = api.http.post(f"/api/v1/inspections/{uuid}/review", json={"decision": "returned", "comments": "请补充说明"})
        assert res.status_code == 200, res.text
        run_worker_until(live_server.app, lambda: True)

        page.goto(live_server.url + f"/app/#/inspection/{filed['_id']}")
        page.click("text=更正并重新提交", timeout=60_000)
        edit_note(page, key, "安全出口已清理，通道畅通")
        page.wait_for_selector("[data-t=signer][data-state=void] >> nth=2")
        sign_all(page)
        assert "请填写更正说明" in page.inner_text("[data-t=problems]")
        page.fill("[data-t=correction-note]", NOTE)
        page.press("[data-t=correction-note]", "Tab")
        page.wait_for_selector("[data-t=finish-button]:not([disabled])")
        page.click("[data-t=finish-button]")
        page.wait_for_selector("[data-t=tag].finished")
        synced(page)

        again = filed_record(live_server.app, records, task["_id"], lambda d: d.get("corrections"))
        assert again["corrections"][0]["note"] == NOTE and "correcting" not in again
        review_page = api.http.get(f"/console/review/{uuid}").text
        assert 'data-t="correction"' in review_page and NOTE in review_page
        assert "安全出口已清理，通道畅通" in review_page and "签名之后补写的说明" in review_page
        assert "signatures-void" not in review_page
        assert api.http.post(f"/api/v1/inspections/{uuid}/review", json={"decision": "approved"}).status_code == 200
        text = pdf_tools.flat(api.http.get(f"/console/documents/record/{uuid}.pdf", timeout=180).content)
        assert "更正记录" in text and f"更正说明：{NOTE}" in text and "已失效" not in text
    finally:
        api.close()
        context.close()
