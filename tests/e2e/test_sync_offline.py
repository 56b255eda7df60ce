"""Browser PouchDB → sync gateway while the network drops again and again: every photo arrives intact."""
import hashlib
import time
from pathlib import Path

import pytest

from server.db import couch
from sync.phones import db_name, ensure_db
from tests.e2e.helpers import PASSWORD, create_user, sign_in

POUCHDB = Path(__file__).resolve().parents[2] / "node_modules" / "pouchdb" / "dist" / "pouchdb.min.js"
INSPECTOR = "inspector:e2e0000000aa"
PAGE = "<!doctype html><meta charset=utf-8><title>sync test</title><script src=/__test__/pouchdb.min.js></script>"

START_UPLOAD = """async ({dbName, count, size}) => {
  const csrf = (await (await fetch('/api/v1/auth/csrf')).json()).csrf_token;
  const local = new PouchDB('phone-' + Date.now());
  window.hashes = {};
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(size);
    for (let off = 0; off < size; off += 65536) crypto.getRandomValues(bytes.subarray(off, Math.min(size, off + 65536)));
    const id = 'photo:' + crypto.randomUUID();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    window.hashes[id] = Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
    await local.put({_id: id, type: 'photo', _attachments: {'photo.jpg': {content_type: 'image/jpeg',
                     data: new Blob([bytes], {type: 'image/jpeg'})}}});
  }
  const remote = new PouchDB(location.origin + '/sync/' + dbName, {skip_setup: true,
    fetch: (url, opts) => { opts.headers.set('X-CSRFToken', csrf); opts.credentials = 'same-origin';
                            return PouchDB.fetch(url, opts); }});
  window.errors = [];
  window.replication = local.replicate.to(remote, {live: true, retry: true, batch_size: 4,
    back_off_function: delay => Math.min(delay ? delay * 2 : 200, 1000)});
  window.replication.on('error', e => window.errors.push(String(e)));
  window.interrupted = 0;
  window.replication.on('paused', e => { if (e) window.interrupted += 1; });
  return Object.keys(window.hashes).length;
}"""


@pytest.fixture
def inspector_page(live_server, browser):
    create_user(live_server.app, "e2e_inspector", "inspector", "370102", inspector_id=INSPECTOR)
    with live_server.app.app_context():
        ensure_db(couch(), live_server.app.config["DB_PREFIX"], INSPECTOR)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, "e2e_inspector", PASSWORD)
    page.route("**/__test__/pouchdb.min.js", lambda route: route.fulfill(path=str(POUCHDB),
                                                                          content_type="text/javascript"))
    page.route("**/__test__/page.html", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.goto(live_server.url + "/__test__/page.html")
    yield context, page
    context.close()


def server_photos(app) -> dict[str, str]:
    with app.app_context():
        db = couch().db(app.config["DB_PREFIX"] + db_name(INSPECTOR))
        rows = db.all_docs(startkey="photo:", endkey="photo:\ufff0")
        return {r["id"]: hashlib.sha256(db.get_attachment(r["id"], "photo.jpg")).hexdigest() for r in rows}


def test_photos_survive_repeated_network_cuts(live_server, inspector_page):
    context, page = inspector_page
    count = page.evaluate(START_UPLOAD, {"dbName": db_name(INSPECTOR), "count": 24, "size": 200_000})
    for _ in range(8):                       # cut the network again and again while photos go up
        time.sleep(0.25)
        context.set_offline(True)
        time.sleep(0.4)
        context.set_offline(False)
    deadline = time.monotonic() + 90
    while len(server_photos(live_server.app)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    expected = page.evaluate("window.hashes")
    assert server_photos(live_server.app) == expected
    assert page.evaluate("window.interrupted") > 0, "no cut landed during the upload: the test proved nothing"
    page.evaluate("window.replication.cancel()")
