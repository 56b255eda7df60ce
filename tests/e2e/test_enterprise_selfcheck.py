"""企业自查 in Chromium: the bureau opens the enterprise's account in the console, the enterprise signs in on a
phone, changes its first password, self-inspects against its sector's checklist, reports a hazard with a
photo and its plan and submits; the bureau accepts it and the case is in the hazard register (隐患台账) with
source 企业自查上报. Screenshot `enterprise-selfcheck` in both languages."""
from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from tests.e2e.helpers import DESKTOP, PHONE, SUPERVISOR, sign_in
from tests.e2e.screenshots import LOCALES, OUT_DIR, file_name
from tests.e2e.test_screenshots import cjk_font_installed

NEW_PASSWORD = "quiet lantern orchard 47"
HAZARD = "二号车间配电箱门损坏，带电部位外露"


def photo() -> dict:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(out, "JPEG", quality=80)
    return {"name": "peidianxiang.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def open_account(page, base: str, uscc: str) -> tuple[str, str]:
    """The supervisor opens the account from the enterprise's register page and reads the password."""
    page.goto(f"{base}/console/enterprises/{uscc}")
    with page.expect_navigation():
        page.click("[data-t=open-account]")
    return page.inner_text("[data-t=new-username]"), page.inner_text("[data-t=initial-password]")


def first_sign_in(page, base: str, username: str, password: str) -> None:
    sign_in(page, base, username, password)
    assert page.url.endswith("/enterprise/account")              # the first password is the bureau's
    page.fill("input[name=current_password]", password)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=confirm_password]", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("p.ok[role=status]").count() == 1


def self_inspect(page, base: str) -> str:
    """Every item complies but the first; the first fails and gets its hazard with a photo and plan."""
    page.goto(base + "/enterprise/")
    with page.expect_navigation():
        page.click("[data-t=start-selfcheck]")
    page.eval_on_selector_all("input[type=radio][value=yes]", "els => els.forEach(e => { e.checked = true; })")
    page.locator("input[type=radio][value=no]").first.check()
    failing = page.locator("input[type=radio][value=no]").first.get_attribute("name")[2:]
    with page.expect_navigation():
        page.click("[data-t=save-answers]")
    form = page.locator("[data-t=hazard-form]")
    form.locator("textarea[name=description]").fill(HAZARD)
    form.locator("input[name=location]").fill("二号车间东侧")
    form.locator("select[name=item]").select_option(failing)
    form.locator("input[name=photos]").set_input_files(photo())
    form.locator("textarea[name=measures]").fill("更换配电箱门并加锁，张贴警示标志")
    form.locator("input[name=responsible]").fill("赵刚（设备部经理）")
    form.locator("input[name=funds]").fill("2000元，企业自筹")
    form.locator("input[name=deadline]").fill((date.today() + timedelta(days=20)).isoformat())
    with page.expect_navigation():
        page.click("[data-t=add-hazard]")
    assert HAZARD in page.inner_text("main")
    assert page.locator(".hazard img").count() == 1
    return page.url


def shoot(page, url: str) -> list:
    shots = []
    for locale in LOCALES:
        page.context.add_cookies([{"name": "lang", "value": locale, "url": url}])
        page.goto(url)
        page.locator(".hazard").first.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -80)")
        path = OUT_DIR / file_name("enterprise-selfcheck", locale)
        page.screenshot(path=str(path))
        shots.append(path)
    page.context.add_cookies([{"name": "lang", "value": "zh_CN", "url": url}])
    return shots


def test_enterprise_self_report_reviewed_by_the_bureau(live_server, new_context):
    assert cjk_font_installed(), "no Chinese font: run `make browser`"
    base, firm = live_server.url, live_server.enterprises[0]
    bureau = new_context(DESKTOP).new_page()
    sign_in(bureau, base, SUPERVISOR)
    username, password = open_account(bureau, base, firm["uscc"])
    phone = new_context(PHONE).new_page()
    first_sign_in(phone, base, username, password)
    report_url = self_inspect(phone, base)
    shots = shoot(phone, report_url)
    with phone.expect_navigation():
        phone.click("[data-t=submit-selfcheck]")
    assert "已上报" in phone.inner_text("main")
    phone.goto(base + "/console/")
    assert "403" in phone.inner_text("main")                     # an enterprise never reaches the console

    bureau.goto(base + "/console/")
    assert bureau.inner_text("[data-count=selfreports] .n") == "1"
    bureau.goto(base + "/console/selfreports")
    with bureau.expect_navigation():
        bureau.click(f"text={firm['name']}")
    with bureau.expect_navigation():
        bureau.click("[data-t=accept]")
    assert bureau.locator("p.ok[role=status]").count() == 1
    bureau.goto(base + "/console/hazards")
    with bureau.expect_navigation():
        bureau.click(f"text={HAZARD}")
    case = bureau.inner_text("main")
    assert "企业自查上报" in case and firm["name"] in case
    assert bureau.locator("main .photos img").count() == 1
    for path in shots:
        with Image.open(path) as image:
            assert image.size == (PHONE["width"], PHONE["height"])
