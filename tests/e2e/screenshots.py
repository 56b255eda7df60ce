"""Screenshots of the console and the public site page in both languages, for docs/screenshots/.

Run by tests/e2e/test_screenshots.py against the live server (`make e2e` or
`.venv/bin/python -m pytest tests/e2e/test_screenshots.py`). Console screens are taken at desktop width,
the public page at a phone's, as the people who see them use them.
"""
from __future__ import annotations

import base64
import random
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e.helpers import DESKTOP, PHONE, csv_file, csv_row, sign_in, site_url, uscc

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "docs" / "screenshots"
LOCALES = ("zh_CN", "en")
# The QR codes in the pictures encode this base URL and a fixed, public key, so that they come out the
# same on every run (no churn in git) and show what a production code looks like. Never a real key.
DOC_BASE_URL = "https://aqjc.example.gov.cn"
DOC_QR_KEYS = "k1:" + base64.urlsafe_b64encode(b"docs-screenshots-only-not-secret").decode().rstrip("=")
SCREENS = ("login", "enterprises", "enterprise", "import-errors", "qr-sheet", "stats", "public-site")


def bad_register() -> dict:
    """A register with two bad lines, so that the error table shows what a supervisor would fix."""
    rng = random.Random(7)
    good, mistyped = uscc("370102", rng), uscc("370102", rng)
    mistyped = mistyped[:-1] + ("0" if mistyped[-1] != "0" else "1")   # a wrong check character
    return csv_file("register.csv", csv_row("济南示例机械有限公司", good),
                    csv_row("济南示例食品有限公司", mistyped),
                    csv_row("济南示例建材有限公司", uscc("370102", rng), region="999999", industry="不存在的行业"))


def file_name(screen: str, locale: str) -> str:
    return f"{screen}.{locale.replace('_', '-')}.png"


def _language_cookie(context, base_url: str, locale: str) -> None:
    # The same cookie the 中文/English links set: the screens render as a user who chose it sees them.
    context.add_cookies([{"name": "lang", "value": locale, "url": base_url}])


def _console(browser, base_url: str, username: str, enterprise: dict, locale: str, out: Path,
             records_year: int) -> list[Path]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        _language_cookie(context, base_url, locale)
        page = context.new_page()
        shots = []

        def shoot(screen: str, target=None, full_page: bool = True) -> None:
            path = out / file_name(screen, locale)
            (target or page).screenshot(path=str(path), full_page=full_page)
            shots.append(path)

        page.goto(base_url + "/login")
        shoot("login", full_page=False)
        sign_in(page, base_url, username)
        page.goto(base_url + "/console/enterprises")   # home is the workbench, shot by test_plan_lifecycle
        shoot("enterprises")
        page.goto(f"{base_url}/console/enterprises/{enterprise['uscc']}")
        shoot("enterprise")
        page.goto(base_url + "/console/import")
        page.set_input_files("input[name=file]", bad_register())
        with page.expect_navigation():
            page.click("main form button[type=submit]:not([name=dry_run])")  # import, not the preview
        page.wait_for_selector("table.problems")
        shoot("import-errors")
        page.goto(f"{base_url}/api/v1/qr/enterprises/{enterprise['uscc']}/sheet")
        page.wait_for_selector(".qr svg")
        shoot("qr-sheet")
        page.goto(f"{base_url}/console/stats?year={records_year}")
        page.wait_for_selector("svg.chart")
        shoot("stats")
        return shots
    finally:
        context.close()


@contextmanager
def documentation_codes(app):
    """QR codes signed with DOC_QR_KEYS for DOC_BASE_URL while the pictures are taken, then as before."""
    saved = {k: app.config[k] for k in ("QR_KEYS", "QR_ACTIVE_KEY", "PUBLIC_BASE_URL")}
    app.config.update(QR_KEYS=DOC_QR_KEYS, QR_ACTIVE_KEY="k1", PUBLIC_BASE_URL=DOC_BASE_URL)
    try:
        yield
    finally:
        app.config.update(saved)


def _public(browser, base_url: str, app, enterprise: dict, locale: str, out: Path) -> Path:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        _language_cookie(context, base_url, locale)
        page = context.new_page()
        # The code's path and signature, opened on the live server (the app checks them against its base URL).
        code = urlsplit(site_url(app, enterprise["uscc"]))
        page.goto(f"{base_url}{code.path}?{code.query}")
        page.wait_for_selector("section.public h1")
        path = out / file_name("public-site", locale)
        page.screenshot(path=str(path), full_page=False)
        return path
    finally:
        context.close()


def capture_all(browser, base_url: str, app, username: str, enterprise: dict, out: Path = OUT_DIR,
                records_year: int | None = None) -> list[Path]:
    """Every screen in SCREENS in every locale, as PNG files under `out`; returns their paths.

    The statistics screen shows the records `seed_records` wrote for `records_year`.
    """
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with documentation_codes(app):
        for locale in LOCALES:
            shots += _console(browser, base_url, username, enterprise, locale, out, records_year)
            shots.append(_public(browser, base_url, app, enterprise, locale, out))
    return shots
