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


def build(app) -> Worker:
    cfg = app.config
    args = {"seal_secret": seal_key(cfg["SECRET_KEY"]), "qr_keys": parse_keys(cfg["QR_KEYS"]),
            "base_url": cfg["PUBLIC_BASE_URL"], "signature_max_bytes": cfg["SIGNATURE_MAX_KB"] * 1024}
    limits = {"keep_days": cfg["PHONE_KEEP_DAYS"], "budget": cfg["PHONE_DOC_BUDGET"],
              "purge_every_s": cfg["PHONE_PURGE_EVERY_S"]}
    periodic = [(cfg["ESCALATE_EVERY_S"], "escalate-overdue",
                 lambda: escalate_overdue(database("records"), database("audit"), today()))]
    return Worker(couch(), cfg.get("DB_PREFIX", ""), database("registry"), database("records"), args, limits,
                  periodic)


def main() -> None:
    app = create_app()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with app.app_context():
        worker = build(app)
        logging.getLogger(__name__).info("worker started")
        worker.run_forever(float(app.config.get("WORKER_POLL_S", 2.0)), stop)


if __name__ == "__main__":
    main()
