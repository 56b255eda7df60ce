"""gunicorn settings for the Flask server; every value can be overridden from the environment."""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Requests mostly wait on CouchDB, so a few threads per worker; the sync gateway's long polls need them.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Uploads (register imports) are capped by the app (IMPORT_MAX_MB); headers stay small.
limit_request_field_size = 16384
