"""Saves the main screens to docs/screenshots/ in both languages, and checks each one is a real picture."""
from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from tests.e2e.helpers import DESKTOP, PHONE, SUPERVISOR, seed_records
from tests.e2e.screenshots import LOCALES, OUT_DIR, SCREENS, capture_all, file_name


def cjk_font_installed() -> bool:
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def test_screenshots_of_the_main_screens(live_server, browser):
    if not cjk_font_installed():
        pytest.fail("no Chinese font: the screenshots would show boxes. Run `make browser` "
                    "(apt-get install fonts-wqy-zenhei fontconfig).", pytrace=False)
    year = seed_records(live_server.app)
    shots = capture_all(browser, live_server.url, live_server.app, SUPERVISOR, live_server.enterprises[0],
                        records_year=year)
    assert sorted(shots) == sorted(OUT_DIR / file_name(s, loc) for s in SCREENS for loc in LOCALES)
    for path in shots:
        with Image.open(path) as picture:
            width, height = picture.size
            colours = picture.convert("L").getextrema()
        expected = PHONE if path.name.startswith("public-site") else DESKTOP
        assert width == expected["width"] and height >= expected["height"] * 0.9, path.name
        assert colours[1] - colours[0] > 100, f"{path.name} looks blank"
