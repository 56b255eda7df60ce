"""Checking in on site (扫码入企) in real Chromium: the right code inside the fence goes straight in; a wrong
site, a code that is not ours, a position outside the geofence, or a typed code warns clearly and goes
on only with a written reason, which reaches the server beside the worker's own verdict."""
from __future__ import annotations

import pytest

from server.db import database
from tests.e2e.fieldkit_helpers import (FAR_AWAY, ON_SITE, camera_browser, dispatch, make_team, open_kit,
                                        phone_context, qr_camera_file, run_worker_until, signed_qr)
from tests.e2e.helpers import site_url

REASON = "入口二维码被遮挡，经现场负责人确认后进入"


@pytest.fixture(scope="module")
def team(live_server):
    return make_team(live_server, "C")


@pytest.fixture
def check_in(live_server, team, launch, browser, tmp_path):
    """Signs in on a phone whose camera shows a payload (None: a phone without a camera) and opens the
    task's check-in; returns the task and the page."""
    def start(camera_payload: str | None, geolocation: dict):
        task = dispatch(live_server, team, count=1, enterprise=0)[0]
        chromium = browser if camera_payload is None else camera_browser(launch, qr_camera_file(tmp_path, camera_payload))
        context = phone_context(chromium, geolocation=geolocation)
        opened.append(context)
        page = context.new_page()
        open_kit(page, live_server.url, team[0].username)
        page.click(f"[data-t=task][data-task='{task['_id']}']")
        page.click("[data-t=checkin-button]")
        return task, page
    opened = []
    yield start
    for context in opened:
        context.close()


def go_on_with_reason(page) -> list[str]:
    page.wait_for_selector("[data-t=warnings]", timeout=20_000)
    warnings = page.eval_on_selector_all("[data-t=warnings] li", "items => items.map(i => i.dataset.w)")
    page.fill("textarea[name=override_reason]", REASON)
    page.click("[data-t=go-on]")
    page.wait_for_selector("body[data-screen=inspection]")
    return warnings


def filed_checkin(live, page, task) -> dict:
    page.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)
    with live.app.app_context():
        records = database("records")
    found = {}

    def filed():
        rows = records.find({"type": "inspection", "task": task["_id"]}, limit=5)
        found.update(rows[0] if rows else {})
        return bool(rows)
    run_worker_until(live.app, filed)
    return found


def test_the_right_code_inside_the_fence_checks_in_without_a_question(live_server, check_in):
    task, page = check_in(signed_qr(live_server, 0), ON_SITE)
    page.wait_for_selector("body[data-screen=inspection]", timeout=20_000)
    record = filed_checkin(live_server, page, task)
    assert record["checkin"]["override_reason"] is None and record["checkin"]["method"] == "scan"
    assert record["checkin_verdict"]["overall"] == "ok"
    assert record["checkin"]["position"]["accuracy_m"] == ON_SITE["accuracy"]


def test_wrong_site_warns_and_the_reason_reaches_the_server(live_server, check_in):
    other_site = signed_qr(live_server, 1)            # a real, signed code — of another enterprise's site
    task, page = check_in(other_site, ON_SITE)
    assert go_on_with_reason(page) == ["fk.checkin.wrong_site"]
    record = filed_checkin(live_server, page, task)
    assert record["checkin"]["override_reason"] == REASON
    assert record["checkin_verdict"]["qr"] == "ok" and record["checkin_verdict"]["site"] == "wrong_site"


def test_a_code_that_is_not_ours(live_server, check_in):
    foreign = site_url(live_server.app, live_server.enterprises[0]["uscc"]).replace("http://127.0.0.1", "http://10.9.8.7")
    task, page = check_in(foreign, ON_SITE)
    assert go_on_with_reason(page) == ["fk.checkin.not_ours"]
    assert filed_checkin(live_server, page, task)["checkin_verdict"]["qr"] == "qr.not_ours"


def test_outside_the_geofence(live_server, check_in):
    task, page = check_in(signed_qr(live_server, 0), FAR_AWAY)
    page.wait_for_selector("[data-t=warnings]", timeout=20_000)
    assert "米" in page.inner_text("[data-t=warnings] li[data-w='fk.checkin.outside']")  # says how far
    assert go_on_with_reason(page) == ["fk.checkin.outside"]
    verdict = filed_checkin(live_server, page, task)["checkin_verdict"]
    assert verdict["geofence"] == "outside" and verdict["distance_m"] > 1500


def test_no_camera_typed_site_code(live_server, check_in):
    task, page = check_in(None, ON_SITE)
    page.wait_for_selector("text=无法使用摄像头", timeout=20_000)
    page.fill("input[name=site_code]", task["site"].split(":")[1] + "-01")
    page.click("form.typed button[type=submit]")
    assert go_on_with_reason(page) == ["fk.checkin.typed_unverified"]
    verdict = filed_checkin(live_server, page, task)["checkin_verdict"]
    assert verdict["qr"] == "typed" and verdict["site"] == "ok" and verdict["overall"] == "warning"


def test_a_reason_is_required_to_go_on(live_server, check_in):
    task, page = check_in(signed_qr(live_server, 1), ON_SITE)
    page.wait_for_selector("[data-t=warnings]", timeout=20_000)
    page.fill("textarea[name=override_reason]", "好")
    page.click("[data-t=go-on]")
    page.wait_for_selector("text=请填写原因")
    assert page.get_attribute("body", "data-screen") == "checkin"
