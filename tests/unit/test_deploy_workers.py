"""How many gunicorn processes deploy/gunicorn.conf.py starts by default."""
import importlib.util
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load(monkeypatch, cores=None, **env):
    for name in ("WEB_CONCURRENCY", "COUCHDB_URL", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The settings file names the metrics directory in the environment: restored after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/inspection-metrics-under-test")
    if cores:
        monkeypatch.setattr("multiprocessing.cpu_count", lambda: cores)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("url,cores,expected", [
    ("http://admin:pw@127.0.0.1:5985", 2, 1), ("http://localhost:5984", 8, 7), ("http://[::1]:5984", 4, 3),
    ("http://127.0.0.1:5985", 1, 1), ("http://couch.internal:5984", 2, 2), ("https://10.0.0.5:6984", 4, 4),
    ("", 4, 4), ("not a url", 2, 2), ("http://127.0.0.1.evil.example:5984", 2, 2)])
def test_a_core_is_left_to_a_couchdb_on_this_machine(monkeypatch, url, cores, expected):
    assert load(monkeypatch).default_workers(url, cores) == expected


def test_web_concurrency_overrides(monkeypatch):
    assert load(monkeypatch, WEB_CONCURRENCY="5", COUCHDB_URL="http://127.0.0.1:5985").workers == 5
    assert load(monkeypatch, COUCHDB_URL="http://127.0.0.1:5985").workers >= 1


@pytest.mark.parametrize("cores,url,workers,threads", [
    (2, "http://127.0.0.1:5985", 1, 32), (2, "http://couch.internal:5984", 2, 16),
    (8, "http://127.0.0.1:5985", 7, 19), (1, "http://127.0.0.1:5985", 1, 16)])
def test_the_process_left_to_couchdb_keeps_its_threads(monkeypatch, cores, url, workers, threads):
    """Each phone in a live sync holds a thread in its long poll: fewer processes must not mean fewer phones."""
    conf = load(monkeypatch, cores=cores, COUCHDB_URL=url)
    assert (conf.workers, conf.threads) == (workers, threads)
    assert conf.workers * conf.threads >= 16 * cores


def test_gunicorn_threads_overrides(monkeypatch):
    assert load(monkeypatch, cores=2, GUNICORN_THREADS="4", COUCHDB_URL="http://127.0.0.1:5985").threads == 4
