"""gunicorn settings for the Flask server; every value can be overridden from the environment."""
import ipaddress
import multiprocessing
import os
from urllib.parse import urlsplit

bind = os.environ.get("BIND", "127.0.0.1:8000")


def default_workers(couchdb_url: str, cores: int) -> int:
    """One process per core (each has its own interpreter lock), less one when CouchDB runs on this machine
    (the embedded pouchdb-server of `make run`, or a local Apache CouchDB): during a sync CouchDB is the
    busiest process. On two cores, two gunicorn processes made replications through the gateway 5-10 %
    slower than one in every paired run (docs/benchmarks.md); twice as many processes as cores cost a
    quarter more CPU (more per-process caches to fill, more switching) for nothing."""
    host = urlsplit(couchdb_url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    return max(1, cores - 1) if local else cores


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(os.environ.get("COUCHDB_URL", ""),
                                                                   multiprocessing.cpu_count()))
# Many threads per process: requests mostly wait on CouchDB, and each phone in a live sync holds one in its
# long poll. 16 per core in all, whatever the processes: the process left to CouchDB keeps its threads.
THREADS_PER_CORE = 16
threads = int(os.environ.get("GUNICORN_THREADS")
              or max(THREADS_PER_CORE, -(-THREADS_PER_CORE * multiprocessing.cpu_count() // workers)))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Uploads (register imports) are capped by the app (IMPORT_MAX_MB); headers stay small.
limit_request_field_size = 16384
# gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, one path shared by every gunicorn the same
# user runs on the host (a second instance, a test run). Off unless a path of this instance's own is set.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# /metrics across processes: every process keeps its samples in one directory (deploy/metrics_dir.py),
# set before the workers import the application; `make run`'s launcher empties it before a fresh start.
from deploy.metrics_dir import mark_dead, metrics_dir  # noqa: E402

metrics_dir()


def child_exit(server, worker):
    mark_dead(worker.pid)
