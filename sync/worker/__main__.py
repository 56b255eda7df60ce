"""`python -m sync.worker`: the long-running worker process (settings from the environment, as the server)."""
from __future__ import annotations

import logging
import signal
import threading

from server import create_app
from server.db import couch, database
from server.hazards.escalation import escalate_overdue
from server.hazards.service import today
from server.qr.signing import parse_keys
from sync.seal import seal_key
from sync.worker.feed import Worker
from sync.worker.wake import Wake, db_updates_seq


def build(app) -> Worker:
    cfg = app.config
    args = {"seal_secret": seal_key(cfg["SECRET_KEY"]), "qr_keys": parse_keys(cfg["QR_KEYS"]),
            "base_url": cfg["PUBLIC_BASE_URL"], "signature_max_bytes": cfg["SIGNATURE_MAX_KB"] * 1024,
            "max_depth": cfg["SYNC_MAX_JSON_DEPTH"]}
    limits = {"keep_days": cfg["PHONE_KEEP_DAYS"], "budget": cfg["PHONE_DOC_BUDGET"],
              "purge_every_s": cfg["PHONE_PURGE_EVERY_S"], "heartbeat_s": cfg["WORKER_HEARTBEAT_S"],
              "sweep_s": cfg.get("WORKER_SWEEP_S", 60), "poll_s": cfg["WORKER_POLL_S"]}
    periodic = [(cfg["ESCALATE_EVERY_S"], "escalate-overdue",
                 lambda: escalate_overdue(database("records"), database("audit"), today()))]
    return Worker(couch(), cfg.get("DB_PREFIX", ""), database("registry"), database("records"), args, limits,
                  periodic)


def start_wake(app, worker: Worker, stop: threading.Event) -> Wake:
    """Follow CouchDB's `_db_updates` where it has the feed (Apache CouchDB 3), and listen for the gateway."""
    wake = Wake(stop)
    prefix = app.config.get("DB_PREFIX", "")
    since = db_updates_seq(couch())
    if since is not None:
        worker.follows_updates = True
        wake.follow(couch(), prefix, since, on_end=lambda: setattr(worker, "follows_updates", False))
        logging.getLogger(__name__).info("worker: following CouchDB's _db_updates feed")
    if app.config.get("WORKER_NOTIFY_SOCKET"):
        wake.listen(app.config["WORKER_NOTIFY_SOCKET"], prefix)
    return wake


def main() -> None:
    app = create_app()
    stop = threading.Event()
    with app.app_context():
        worker = build(app)
        wake = start_wake(app, worker, stop)

        def halt(*_):
            stop.set()
            wake.kick()
        signal.signal(signal.SIGTERM, halt)
        signal.signal(signal.SIGINT, halt)
        logging.getLogger(__name__).info("worker started")
        try:
            worker.run_forever(float(app.config.get("WORKER_POLL_S", 2.0)), stop, wake)
        finally:
            wake.close()


if __name__ == "__main__":
    main()
