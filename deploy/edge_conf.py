"""gunicorn settings for the edge (deploy/edge.py): one gevent process, many cheap connections.

Each connection is a greenlet, so a phone's long poll or a slow client costs memory, not a thread. One
process: the per-account long-poll limit (server/gateway/livelimit.py) is then exact, and on two cores the
other is CouchDB's and the thread pool's.
"""
import os
import resource

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("EDGE_WORKERS", "1"))
worker_class = "gevent"
# Live phones each keep one or two connections open (a long poll, a push); console users a few more.
worker_connections = int(os.environ.get("EDGE_CONNECTIONS", "4000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 20
keepalive = 30  # a phone re-polls at once: keep its connection for the next poll
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_field_size = 16384
# /metrics: the edge's samples (live sync long polls above all) go where the pool's do (deploy/metrics_dir.py).
from deploy.metrics_dir import mark_dead, metrics_dir  # noqa: E402

metrics_dir()


def child_exit(server, worker):
    mark_dead(worker.pid)


def on_starting(server):
    """Each connection is a file descriptor (two for a long poll: the phone's and CouchDB's): raise the
    soft limit to the hard one so worker_connections is reachable."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
