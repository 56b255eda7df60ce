"""Hostile input reaching the field kit, in real Chromium: markup in synced documents shows as text and never
runs; a file that is not a photo, or far too large, is refused with a message and stores nothing; a typed
code of junk is named for what it is; what the server refuses shows on the record it concerns."""
from __future__ import annotations

import pytest

from server.db import couch
from sync.phones import db_name
from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context, run_worker_until
from tests.e2e.helpers import SUPERVISOR, Api, enterprise_body
from tests.e2e.kit_actions import answer_item, check_in_typed, phone_docs

MARKUP = '<img src=x onerror="document.body.dataset.pwned=1">化工<script>document.body.dataset.pwned=1</script>'


@pytest.fixture(scope="module")
def team(live_server):
    return make_team(live_server, "H")


@pytest.fixture
def kit(live_server, browser, team, dialogs):
    context = phone_context(browser)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def test_markup_in_an_enterprise_name_is_shown_as_text(live_server, team, kit, dialogs):
    api = Api(live_server.url, SUPERVISOR)
    try:
        body = enterprise_body(MARKUP[:100], "370102", site_name='<b onmouseover="x()">主厂区</b>')
        api.create_enterprise(body)
    finally:
        api.close()
    live_server.enterprises.append(body)
    task = dispatch(live_server, team, count=1, enterprise=len(live_server.enterprises) - 1)[0]
    open_kit(kit, live_server.url, team[0].username)
    card = kit.wait_for_selector(f"[data-t=task][data-task='{task['_id']}']")
    assert "<img src=x" in card.inner_text() and "<b onmouseover" in card.inner_text()
    card.click()
    kit.wait_for_selector("[data-t=checkin-button]")
    assert kit.locator("img[src=x], script:not([src]), b[onmouseover]").count() == 0
    assert kit.get_attribute("body", "data-pwned") is None and dialogs == []


def test_a_file_that_is_not_a_photo_is_refused(live_server, team, kit):
    task = dispatch(live_server, team, count=1)[0]
    open_kit(kit, live_server.url, team[0].username)
    check_in_typed(kit, task)
    card = kit.locator("[data-t=item][data-item='gb-6-2']")
    card.locator("[data-t=photo-input]").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a jpeg at all" * 100})
    kit.wait_for_selector(".toast.error:has-text('不是照片')")
    card.locator("[data-t=photo-input]").evaluate("""input => {   // 41 MB made in the page: quicker than sending it
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(41 * 1024 * 1024)], 'big.jpg', {type: 'image/jpeg'}));
      input.files = files.files;
      input.dispatchEvent(new Event('change'));
    }""")
    kit.wait_for_selector(".toast.error:has-text('太大')")
    assert not [d for d in phone_docs(kit, team[0].inspector_id) if d["type"] == "photo" and d["task"] == task["_id"]]
    assert kit.get_attribute("[data-t=item][data-item='gb-6-2']", "data-photos") == "0"


def test_a_typed_code_of_junk_is_named_for_what_it_is(live_server, team, kit):
    task = dispatch(live_server, team, count=1)[0]
    open_kit(kit, live_server.url, team[0].username)
    kit.click(f"[data-t=task][data-task='{task['_id']}']")
    kit.click("[data-t=checkin-button]")
    kit.fill("input[name=site_code]", "<script>alert(1)</script>" * 3)   # the field keeps the first 40 characters
    assert len(kit.input_value("input[name=site_code]")) == 40
    kit.click("form.typed button[type=submit]")
    kit.wait_for_selector("[data-t=warnings]")
    warned = kit.eval_on_selector_all("[data-t=warnings] li", "items => items.map(i => i.dataset.w)")
    assert "fk.checkin.malformed" in warned and "fk.checkin.typed_unverified" in warned


def test_a_rejection_from_the_server_shows_on_the_record_it_concerns(live_server, team, kit):
    task = dispatch(live_server, team, count=1)[0]
    open_kit(kit, live_server.url, team[0].username)
    check_in_typed(kit, task)
    answer_item(kit, "gb-6-2", photo_seed=3)
    photo = next(d for d in phone_docs(kit, team[0].inspector_id) if d["type"] == "photo" and d["task"] == task["_id"])
    kit.evaluate("""async ([db, id]) => {            // a phone whose storage corrupted the photo's record
      const local = new PouchDB('fk_' + db);
      const doc = await local.get(id);
      doc.sha256 = '0'.repeat(64);
      await local.put(doc);
    }""", ["inspector_" + team[0].inspector_id.split(":")[1], photo["_id"]])
    kit.wait_for_selector("[data-t=sync-badge][data-status=synced]", timeout=60_000)
    with live_server.app.app_context():
        phone = couch().db(live_server.app.config["DB_PREFIX"] + db_name(team[0].inspector_id))
    run_worker_until(live_server.app, lambda: phone.get_or_none(f"rejection:{photo['_id']}") is not None)
    rejection = kit.wait_for_selector(f"[data-t=rejection][data-code='photo.hash_mismatch']", timeout=60_000)
    assert "SHA-256" in rejection.inner_text()
