"""gunicorn settings for the Flask server; every value can be overridden from the environment."""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# One process per core (each has its own interpreter lock) and many threads, since requests mostly wait on
# CouchDB and each phone's long poll holds a thread. Twice as many processes as cores cost the sync
# gateway a quarter more CPU (more per-process caches to fill, more switching) for nothing.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 16))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Uploads (register imports) are capped by the app (IMPORT_MAX_MB); headers stay small.
limit_request_field_size = 16384
