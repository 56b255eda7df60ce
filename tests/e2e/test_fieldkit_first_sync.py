"""A fresh phone's first sync in real Chromium (issue 16): its progress shows while the first pull runs, and the
kit never says "synced" before that pull has completed."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.fieldkit_helpers import dispatch, make_team, open_kit, phone_context

# Every 20 ms: the badge's status, the first-sync progress if shown, and whether the first pull completed.
WATCH = """
window.__seen = [];
setInterval(() => {
  const badge = document.querySelector('[data-t=sync-badge]');
  if (!badge) return;
  const bar = document.querySelector('[data-t=first-progress]');
  const pulled = Object.keys(localStorage).some((k) => k.startsWith('fk.firstPull.'));
  const last = window.__seen[window.__seen.length - 1];
  const now = {status: badge.dataset.status, progress: bar ? Number(bar.value) : null, pulled,
               tasks: document.querySelectorAll('[data-t=task]').length};
  if (!last || JSON.stringify(last) !== JSON.stringify(now)) window.__seen.push(now);
}, 20);
"""


def test_a_fresh_phone_shows_first_sync_progress_and_synced_only_after_its_first_pull(live_server, browser):
    team = make_team(live_server, "F", size=1)
    dispatch(live_server, team, count=80, enterprise=3)
    context = phone_context(browser)
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        open_kit(page, live_server.url, team[0].username)
        page.wait_for_selector("[data-t=sync-badge][data-status=synced]", timeout=90_000)
        expect(page.locator("[data-t=task]")).to_have_count(80, timeout=20_000)
        seen = page.evaluate("window.__seen")
    finally:
        context.close()
    statuses = [s["status"] for s in seen]
    assert "first_sync" in statuses and statuses.index("first_sync") < statuses.index("synced")
    assert all(s["pulled"] for s in seen if s["status"] == "synced"), "synced shown before the first pull completed"
    progress = [s["progress"] for s in seen if s["progress"] is not None]
    assert progress and all(0 <= p < 100 for p in progress), progress
