"""Document PDFs are bounded work (issue 17): cached per version, refused when too large, stopped when too
slow, limited in concurrency."""
from __future__ import annotations

import time
import pytest

from server.documents import pdf_guard
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in


@pytest.fixture(scope="module")
def env(couch_url, tmp_path_factory):
    with module_app(couch_url) as app:
        show = rf.showcase(app)
        app.config["PDF_CACHE_DIR"] = str(tmp_path_factory.mktemp("pdf-cache"))
        url = f"/console/documents/record/{show.inspection['_id'].split(':', 1)[1]}.pdf"
        yield app, url


@pytest.fixture
def settings(env):
    app, _ = env
    saved = dict(app.config)
    yield app.config
    app.config.update(saved)


def _clear_cache(app):
    from pathlib import Path
    for path in Path(app.config["PDF_CACHE_DIR"]).glob("*.pdf"):
        path.unlink()


def test_a_pdf_is_rendered_once_per_version_then_served_from_the_cache(env):
    app, url = env
    _clear_cache(app)
    client = signed_in(app, "supervisor", "370102")
    first = client.get(url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    began = time.perf_counter()
    again = client.get(url)
    assert again.status_code == 200 and again.data == first.data
    assert time.perf_counter() - began < 2
    from pathlib import Path
    assert len(list(Path(app.config["PDF_CACHE_DIR"]).glob("*.pdf"))) == 1


def test_a_document_too_long_is_refused_at_once(env, settings):
    app, url = env
    _clear_cache(app)
    settings["PDF_MAX_CHARS"] = 500
    began = time.perf_counter()
    res = signed_in(app, "supervisor", "370102").get(url)
    assert res.status_code == 413 and res.json["code"] == "too_large" and "500" in res.json["message"]
    assert time.perf_counter() - began < 5


def test_a_rendering_past_its_time_is_stopped_and_the_next_one_works(env, settings):
    app, url = env
    _clear_cache(app)
    settings["PDF_TIMEOUT_S"] = 0.05
    client = signed_in(app, "supervisor", "370102")
    began = time.perf_counter()
    res = client.get(url)
    assert res.status_code == 413 and "0.05" in res.json["message"]
    assert time.perf_counter() - began < 5
    settings["PDF_TIMEOUT_S"] = 120
    assert client.get(url).status_code == 200


def test_renderings_beyond_the_pool_and_its_queue_are_told_to_retry(env, settings):
    app, url = env
    _clear_cache(app)
    settings.update(PDF_CONCURRENCY=1, PDF_QUEUE=2)
    client = signed_in(app, "supervisor", "370102")
    pdf_guard._state["waiting"] += 3   # three renderings in flight: the pool's one and its queue of two
    try:
        began = time.perf_counter()
        res = client.get(url)
        assert res.status_code == 429 and res.json["code"] == "rate_limited"
        assert time.perf_counter() - began < 3   # told at once, no thread held waiting
    finally:
        pdf_guard._state["waiting"] -= 3
    assert client.get(url).status_code == 200
    assert pdf_guard._state["waiting"] == 0
