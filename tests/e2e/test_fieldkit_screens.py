"""Saves the field kit's main screens in both languages to docs/screenshots/ (fieldkit-<screen>.<lang>.png),
at a phone's size, and checks each one is a real picture in the right language."""
from __future__ import annotations

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.fieldkit_helpers import dispatch, jpeg_file, make_team, open_kit, phone_context
from tests.e2e.kit_actions import answer_item, check_in_typed, draw_signature
from tests.e2e.screenshots import OUT_DIR
from tests.e2e.test_screenshots import cjk_font_installed

SCREENS = ("login", "tasks", "task", "checkin-warning", "inspection", "hazard", "sign", "sync")
WORDS = {"zh_CN": "检查", "en": "nspect"}
LOWER_BOUND = {"zh_CN": "合格：不低于 75", "en": "Compliant: at least 75"}      # gb-6-2-d has a minimum only


def shoot(page, screen: str, locale: str, shots: list) -> None:
    path = OUT_DIR / f"fieldkit-{screen}.{locale.replace('_', '-')}.png"
    page.screenshot(path=str(path), full_page=False)
    shots.append((path, page.inner_text("body")))


def walk(live, browser, locale: str) -> list:
    team = make_team(live, "P" + locale[:1].upper())
    tasks = dispatch(live, team, count=2, enterprise=1)
    dispatch(live, team, count=1, enterprise=2, window={"start": "2099-03-01", "end": "2099-03-03"})
    context = phone_context(browser)
    shots: list = []
    try:
        page = context.new_page()
        page.goto(live.url + "/app/")
        page.wait_for_selector("body[data-ready='1']")
        page.evaluate("(loc) => localStorage.setItem('fk.locale', loc)", locale)
        page.reload()
        page.wait_for_selector("form.login")
        shoot(page, "login", locale, shots)
        open_kit(page, live.url, team[0].username)
        page.wait_for_selector("[data-t=sync-badge][data-status=synced]", timeout=60_000)
        expect(page.locator("[data-t=task]")).to_have_count(3)        # the list is drawn again after the sync
        shoot(page, "tasks", locale, shots)
        page.click(f"[data-t=task][data-task='{tasks[0]['_id']}']")
        page.wait_for_selector("[data-t=checkin-button]")
        shoot(page, "task", locale, shots)
        page.click("[data-t=checkin-button]")
        page.fill("input[name=site_code]", "91370102MA3C5EXJ4X-01")     # somebody else's site, typed
        page.click("form.typed button[type=submit]")
        page.wait_for_selector("[data-t=warnings]")
        shoot(page, "checkin-warning", locale, shots)
        page.goto(live.url + "/app/#/")
        check_in_typed(page, tasks[1])
        page.fill("input[name=manager-name]", "赵经理")
        page.press("input[name=manager-name]", "Tab")
        answer_item(page, "gb-6-2", photo_seed=5)
        answer_item(page, "gb-6-2-d", 82)
        page.locator("[data-t=item][data-item='gb-6-3']").scroll_into_view_if_needed()
        shoot(page, "inspection", locale, shots)
        answer_item(page, "gb-6-1", "no")                             # a failed major item opens its hazard
        page.wait_for_selector("body[data-screen=hazard]")
        page.set_input_files("form.hazard-form [data-t=photo-input]", jpeg_file(9))
        page.wait_for_selector("form.hazard-form [data-t=photo]")
        shoot(page, "hazard", locale, shots)
        page.click("[data-t=save-hazard]")
        page.click("[data-t=signer][data-slot=inspector-1] button")
        page.wait_for_selector("[data-t=pad]")
        draw_signature(page)
        shoot(page, "sign", locale, shots)
        page.goto(live.url + "/app/#/sync")
        page.wait_for_selector("[data-t=sync-facts]")
        shoot(page, "sync", locale, shots)
    finally:
        context.close()
    return shots


def test_screenshots_of_the_field_kit(live_server, browser):
    assert cjk_font_installed(), "no Chinese font: run `make browser`"
    for locale in ("zh_CN", "en"):
        shots = walk(live_server, browser, locale)
        assert [p.name.split(".")[0] for p, _ in shots] == [f"fieldkit-{s}" for s in SCREENS]
        assert LOWER_BOUND[locale] in dict((p.name.split(".")[0], text) for p, text in shots)["fieldkit-inspection"]
        for path, text in shots:
            assert WORDS[locale] in text, f"{path.name} is not in {locale}"
            with Image.open(path) as picture:
                assert picture.size == (412, 915)
                low, high = picture.convert("L").getextrema()
                assert high - low > 100, f"{path.name} looks blank"
