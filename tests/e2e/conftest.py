"""E2E fixtures: the app served over real HTTP in a thread, Debian's Chromium driven by Playwright, seed data."""
from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.e2e.helpers import DESKTOP, SUPERVISOR, create_user, seed_enterprises

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@dataclass
class LiveServer:
    """The running app: its base URL, the Flask app (for keys and config), and the seeded enterprises."""

    url: str
    app: object
    enterprises: list[dict]


@pytest.fixture(scope="module")
def live_app(couch_url):
    """An app on its own fresh databases for this module, bootstrapped, and removed afterwards."""
    from server import create_app
    from server.cli import bootstrap_all
    from server.db import couch
    from server.qr.signing import generate_key_spec
    prefix = "e2e" + uuid.uuid4().hex[:8] + "_"
    app = create_app({
        "TESTING": True, "COUCHDB_URL": couch_url, "DB_PREFIX": prefix,
        "SECRET_KEY": "e2e-secret-key-" + "x" * 32, "QR_KEYS": generate_key_spec("k1"),
        "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "1000 per minute",
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # replaced by the real address once the port is known
    })
    with app.app_context():
        bootstrap_all()
    yield app
    with app.app_context():
        for name in couch().all_dbs():
            if name.startswith(prefix):
                couch().delete_db(name)


@pytest.fixture(scope="module")
def live_server(live_app):
    """The app on 127.0.0.1 at a free port, in a background thread, with a supervisor and four enterprises."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PUBLIC_BASE_URL"] = url  # so that QR codes point at this server
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        create_user(live_app, SUPERVISOR, "supervisor", "370100", display_name="王审核")
        yield LiveServer(url, live_app, seed_enterprises(url, SUPERVISOR))
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the run (a second one cannot start inside the first one's event loop)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the e2e tests need Debian's Chromium and a CJK font. "
                    "Run `make browser` (apt-get install chromium fonts-wqy-zenhei fontconfig).",
                    pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium; a missing browser fails the run (never a silent skip, never a download)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def launch(playwright):
    """Launches another Chromium with extra flags (e.g. a fake camera file), closed after the test."""
    launched = []

    def start(*extra_args: str):
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + list(extra_args))
        launched.append(chromium)
        return chromium
    yield start
    for chromium in launched:
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Makes browser contexts (own cookies each) and closes them after the test."""
    made = []

    def make(viewport: dict = DESKTOP, **options):
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context
    yield make
    for context in made:
        context.close()


@pytest.fixture
def dialogs():
    """Every JavaScript dialog (alert, confirm, prompt) a page opened; a test asserts it stays empty."""
    return []


@pytest.fixture
def page(new_context, dialogs):
    """A desktop-sized page in a fresh context that records and dismisses any dialog."""
    tab = new_context().new_page()

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()
    tab.on("dialog", record)
    return tab
