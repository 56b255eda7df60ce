"""An inspector's whole day in the field kit, in real Chromium: sign in, lose signal, reload, scan the site's
QR code with the camera, work the checklist, record two hazards with photos, sign, finish, get signal
back — and the server's `records` holds exactly what was entered, photos byte for byte."""
from __future__ import annotations

import hashlib

import pytest

from server.db import database
from tests.e2e.fieldkit_helpers import (camera_browser, dispatch, jpeg_file, make_team, open_kit, phone_context,
                                        qr_camera_file, run_worker_until, signed_qr, wait_sw_ready)
from tests.e2e.kit_actions import answer_all, draw_signature, phone_docs, photo_bytes


@pytest.fixture
def day(live_server, launch, tmp_path):
    team = make_team(live_server, "D")
    task = dispatch(live_server, team, count=1, enterprise=0)[0]
    context = phone_context(camera_browser(launch, qr_camera_file(tmp_path, signed_qr(live_server, 0))))
    yield live_server, team, task, context
    context.close()


def test_a_full_day_offline(day):
    live, team, task, context = day
    page = context.new_page()
    open_kit(page, live.url, team[0].username)
    wait_sw_ready(page)
    page.wait_for_selector(f"[data-t=task][data-task='{task['_id']}']")

    context.set_offline(True)
    page.reload()                                   # no signal: the shell comes from the service worker
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("[data-t=banner-offline]")
    page.click(f"[data-t=task][data-task='{task['_id']}']")
    page.click("text=到达现场，扫码签到")
    page.wait_for_selector("body[data-screen=inspection]", timeout=20_000)  # QR read, right site, inside the fence

    page.fill("input[name=manager-name]", "赵经理")
    page.press("input[name=manager-name]", "Tab")
    page.fill("input[name=place]", "主厂区一号车间")
    page.press("input[name=place]", "Tab")
    major_item = "gb-6-1"
    answers = answer_all(page, failing={major_item: "no"}, photos_from=100)
    page.wait_for_selector("body[data-screen=hazard]")  # the failed major item opened its hazard, filled in
    assert "未设置在城市的边缘" in page.input_value("textarea[name=description]")  # the violation, not the rule
    assert page.is_checked("input[name=grade][value=major]")
    page.set_input_files("form.hazard-form [data-t=photo-input]", jpeg_file(1))
    page.wait_for_selector("form.hazard-form [data-t=photo]")
    page.fill("input[name=location]", "一号车间东侧疏散通道")
    page.fill("input[name=proposed_deadline]", "2026-12-31")
    page.click("[data-t=save-hazard]")
    page.wait_for_selector("body[data-screen=inspection]")

    page.click("button.add-hazard")                 # a second, general hazard found on the way
    page.wait_for_selector("body[data-screen=hazard]")
    page.fill("textarea[name=description]", "配电箱前堆放杂物")
    page.set_input_files("form.hazard-form [data-t=photo-input]", jpeg_file(2))
    page.wait_for_selector("form.hazard-form [data-t=photo]")
    page.click("[data-t=save-hazard]")
    page.wait_for_selector("body[data-screen=inspection]")

    for slot in ("inspector-1", "inspector-2", "manager"):
        page.click(f"[data-t=signer][data-slot={slot}] button")
        page.wait_for_selector("[data-t=pad]")
        draw_signature(page)
        page.click("text=确认签名")
        page.wait_for_selector("body[data-screen=inspection]")
    page.wait_for_selector("[data-t=finish-button]:not([disabled])")
    page.click("[data-t=finish-button]")
    page.wait_for_selector("[data-t=tag].finished")
    local = phone_docs(page, team[0].inspector_id)
    assert page.get_attribute("[data-t=sync-badge]", "data-waiting") != "0"

    page.evaluate("""() => { window.seen = {progress: false, bytes: false};   // what the bar shows on the way up
      new MutationObserver(() => {
        window.seen.progress ||= !!document.querySelector('[data-t=progress]');
        window.seen.bytes ||= !!document.querySelector('[data-t=bytes-left]');
      }).observe(document.getElementById('bar'), {subtree: true, childList: true}); }""")
    context.set_offline(False)                      # signal again: everything goes up by itself
    page.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)
    assert page.evaluate("window.seen") == {"progress": True, "bytes": True}
    records = database_in(live, "records")
    ids = [d["_id"] for d in local]
    run_worker_until(live.app, lambda: all(records.get_or_none(i) for i in ids))

    inspection = next(d for d in local if d["type"] == "inspection")
    filed = records.get(inspection["_id"])
    assert filed["status"] == "finished" and filed["answers"] == inspection["answers"]
    assert {a["item"]: a["value"] for a in filed["answers"]} == answers
    assert filed["manager"]["name"] == "赵经理" and filed["place"] == "主厂区一号车间"
    assert [s["name"] for s in filed["signatures"]] == [m.name for m in team] + ["赵经理"]
    assert filed["checkin_verdict"]["qr"] == "ok" and filed["checkin_verdict"]["site"] == "ok"
    assert filed["checkin_verdict"]["geofence"] == "ok"
    hazards = sorted((d for d in local if d["type"] == "hazard"), key=lambda d: d["grade"])
    assert [records.get(h["_id"])["description"] for h in hazards] == [h["description"] for h in hazards]
    assert hazards[1]["grade"] == "major" and hazards[1]["item"] == major_item
    assert records.get(hazards[1]["_id"])["location"] == "一号车间东侧疏散通道"
    photos = [d for d in local if d["type"] == "photo"]
    assert len(photos) == 9 + 2                     # nine items need a photo, one per hazard
    for photo in photos:
        on_phone = photo_bytes(page, team[0].inspector_id, photo["_id"])
        on_server = records.get_attachment(photo["_id"], "original.jpg")
        assert on_server == on_phone and hashlib.sha256(on_server).hexdigest() == photo["sha256"]
        assert max(photo["width"], photo["height"]) <= live.app.config["FIELDKIT_PHOTO_LONG_EDGE"]


def database_in(live, name):
    with live.app.app_context():
        return database(name)
