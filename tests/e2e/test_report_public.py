"""A public report in Chromium: a phone scans a site's QR code, opens the report form from that page, the
page's script does the proof of work, the report is sent with a photo, the receipt code is shown once and
the status page reads it; the supervisor of the region sees it in the triage queue. Screenshots
`report-form`, `report-receipt` and `report-triage` in both languages."""
from __future__ import annotations

import hashlib
import io
import re
import time

from PIL import Image

from tests.e2e.helpers import DESKTOP, PHONE, SUPERVISOR, sign_in, site_url
from tests.e2e.screenshots import LOCALES, OUT_DIR, file_name
from tests.e2e.test_screenshots import cjk_font_installed

TEXT = {"zh_CN": "二号车间东侧安全出口被货物堵死，夜班时可燃气体报警器被关闭。",
        "en": "The east fire exit of workshop 2 is blocked by goods; the gas alarm is switched off at night."}


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 60, 30)).save(out, "JPEG")
    return out.getvalue()


def _report_from_qr(context, live_server, locale: str) -> tuple[str, float]:
    """Scan → report form → send; returns the receipt code and how long the proof of work took (s)."""
    page = context.new_page()
    enterprise = live_server.enterprises[0]
    page.goto(site_url(live_server.app, enterprise["uscc"]))
    page.click("#report-hazard")
    page.wait_for_selector("#report-form")
    page.wait_for_function("() => typeof window.reportPowSha256 === 'function'")   # the page's script has run
    assert enterprise["name"] in page.content()
    for sample in ("", "abc", "举报" * 40, "v1.1796198067.16.ccaa:123456"):   # one and several SHA-256 blocks
        assert page.evaluate("t => window.reportPowSha256(t)", sample) == hashlib.sha256(sample.encode()).hexdigest()
    started = time.monotonic()
    page.fill("textarea[name=text]", TEXT[locale])
    page.fill("input[name=location]", "二号车间东门" if locale == "zh_CN" else "Workshop 2, east door")
    page.fill("input[name=happened_on]", "2026-11-28")
    page.check("input[name=insider]")
    page.set_input_files("input[name=photos]", {"name": "exit.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    page.screenshot(path=str(OUT_DIR / file_name("report-form", locale)), full_page=True)
    with page.expect_navigation(timeout=60_000):
        page.click("#report-submit")
    elapsed = time.monotonic() - started
    code = page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    page.screenshot(path=str(OUT_DIR / file_name("report-receipt", locale)), full_page=True)
    page.goto(live_server.url + "/report/status")
    page.fill("input[name=code]", code.lower())
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.inner_text("#report-state") == ("已收到，正在分办" if locale == "zh_CN" else "Received, being assigned")
    return code, elapsed


def _refer_first(page) -> None:
    """Open the newest report from the queue and refer it to another department through the form."""
    with page.expect_navigation():
        page.click("#report-queue tbody tr:first-child a")
    page.check("input[name=decision][value=referred]")
    page.fill("input[name=department]", "市消防救援支队")
    page.fill("textarea[name=reason]", "消防通道堵塞属消防救援机构职责")
    with page.expect_navigation():
        page.click("#decide-form button[type=submit]")
    assert page.inner_text("#report-status") == "已转交其他部门"
    assert "举报人" in page.content() and "内部职工举报" in page.content()


def test_report_from_the_qr_page_to_the_receipt_and_the_triage_queue(live_server, browser, dialogs):
    assert cjk_font_installed(), "no Chinese font: run `make browser`"
    shots, timings = [], []
    for locale in LOCALES:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        try:
            context.add_cookies([{"name": "lang", "value": locale, "url": live_server.url}])
            _, elapsed = _report_from_qr(context, live_server, locale)
            timings.append(elapsed)
        finally:
            context.close()
        shots += [OUT_DIR / file_name("report-form", locale), OUT_DIR / file_name("report-receipt", locale)]
    for locale in LOCALES:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        try:
            context.add_cookies([{"name": "lang", "value": locale, "url": live_server.url}])
            page = context.new_page()
            sign_in(page, live_server.url, SUPERVISOR)
            page.goto(live_server.url + "/console/reports")
            rows = page.locator("#report-queue tbody tr")
            assert rows.count() == 2 and TEXT["zh_CN"][:10] in page.content()
            target = OUT_DIR / file_name("report-triage", locale)
            page.screenshot(path=str(target), full_page=True)
            shots.append(target)
        finally:
            context.close()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, SUPERVISOR)
        page.goto(live_server.url + "/console/reports")
        _refer_first(page)
    finally:
        context.close()
    assert not dialogs
    print(f"proof of work at {live_server.app.config['REPORT_POW_BITS']} bits, fill + send: "
          + ", ".join(f"{t:.1f} s" for t in timings))
    for path in shots:
        with Image.open(path) as picture:
            low, high = picture.convert("L").getextrema()
        assert high - low > 100, f"{path.name} looks blank"
