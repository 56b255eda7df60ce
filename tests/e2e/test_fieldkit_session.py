"""The field kit's session in real Chromium: a session that lapses while offline keeps every local record
and sync resumes after the next sign-in; signing out is refused while anything is unsynced; a new version
is offered, never forced."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from server.db import database
from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context, run_worker_until
from tests.e2e.helpers import PASSWORD
from tests.e2e.kit_actions import check_in_typed, phone_docs


@pytest.fixture(scope="module")
def team(live_server):
    return make_team(live_server, "E")


@pytest.fixture
def phone(browser):
    context = phone_context(browser)
    yield context, context.new_page()
    context.close()


def synced(page):
    page.wait_for_selector("[data-t=sync-badge][data-waiting='0'][data-status=synced]", timeout=60_000)


def test_session_expires_while_offline_and_nothing_is_lost(live_server, team, phone):
    context, page = phone
    task = dispatch(live_server, team, count=1)[0]
    open_kit(page, live_server.url, team[0].username)
    synced(page)
    context.set_offline(True)
    check_in_typed(page, task)
    local = [d for d in phone_docs(page, team[0].inspector_id) if d["task"] == task["_id"]]
    app, lifetime = live_server.app, live_server.app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=1)     # the session ends while the phone is away
    try:
        time.sleep(1.5)
        context.set_offline(False)
        page.wait_for_selector("[data-t=banner-signin]", timeout=30_000)
        assert phone_docs(page, team[0].inspector_id)[-1:] and local   # the record is still on the phone
        with app.app_context():
            records = database("records")
            assert records.get_or_none(local[0]["_id"]) is None       # and nothing went up without a session
    finally:
        app.permanent_session_lifetime = lifetime
    page.click("[data-t=banner-signin] button")
    assert page.input_value("input[name=username]") == team[0].username  # only this phone's owner
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    synced(page)
    run_worker_until(app, lambda: records.get_or_none(local[0]["_id"]) is not None)
    assert records.get(local[0]["_id"])["checkin"] == local[0]["checkin"]


def test_sign_out_is_refused_while_anything_is_unsynced(live_server, team, phone):
    context, page = phone
    task = dispatch(live_server, team, count=1)[0]
    open_kit(page, live_server.url, team[1].username)
    synced(page)
    page.route("**/_bulk_docs", lambda route: route.abort())  # uploads fail; the rest of the network works
    check_in_typed(page, task)
    page.goto(live_server.url + "/app/#/sync")
    page.click("button.logout")
    refusal = page.wait_for_selector("[data-t=logout-result]:has-text('未同步')")
    assert "1" in refusal.inner_text()
    page.unroute("**/_bulk_docs")
    page.click("[data-t=logout-result] button")              # "sync now"
    synced(page)
    page.click("button.logout")
    page.wait_for_selector("form.login")
    assert page.input_value("input[name=username]") == ""     # the phone forgot who it was …
    assert page.evaluate("async () => (await indexedDB.databases()).filter(d => d.name.includes('fk_')).length") == 0


def test_a_new_version_is_offered_not_forced(live_server, team, phone):
    context, page = phone
    open_kit(page, live_server.url, team[0].username)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    errors = context.new_cdp_session(page).send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Installable (manifest, icons, a service worker with a fetch handler); a Playwright context is always
    # an incognito profile, which Chromium names as the one reason it would not offer the install itself.
    assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors
    app = live_server.app
    before = page.evaluate("fetch('config.json').then(r => r.json())")["photo"]["quality"]
    app.config["FIELDKIT_PHOTO_QUALITY"] = 77                 # the shell's settings change: a new version
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        page.wait_for_selector("[data-t=banner-update]", timeout=30_000)
        assert page.url.endswith("/app/") or "#/" in page.url  # still where the inspector was
        page.click("[data-t=banner-update] button")
        page.wait_for_function("() => document.body.dataset.ready === '1' && !document.querySelector('[data-t=banner-update]')",
                               timeout=30_000)
        assert page.evaluate("fetch('config.json').then(r => r.json())")["photo"]["quality"] == 0.77 != before
    finally:
        app.config["FIELDKIT_PHOTO_QUALITY"] = 82


def test_persistent_storage_is_asked_for_at_sign_in_and_at_each_start(live_server, team, browser):
    """Chromium refuses persistent storage in Playwright's incognito contexts, so what is checked is that
    the kit asks: once when the inspector signs in, and again whenever it starts with a stored profile."""
    context = phone_context(browser)
    context.add_init_script("""
        window.__persistAsked = 0;
        if (navigator.storage) {
          const ask = navigator.storage.persist.bind(navigator.storage);
          navigator.storage.persist = () => { window.__persistAsked += 1; return ask(); };
        }""")
    try:
        page = context.new_page()
        open_kit(page, live_server.url, team[0].username)
        assert page.evaluate("window.__persistAsked") == 1
        page.reload()
        page.wait_for_selector("[data-t=tasks-today]")
        assert page.evaluate("window.__persistAsked") == 1      # a fresh page: asked again on start
    finally:
        context.close()
