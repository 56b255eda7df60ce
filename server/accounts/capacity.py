"""Sign-in under load (issue 17): the shared login limits and the bounded hashing pool, wired to the app."""
from __future__ import annotations

from flask import Flask

from server.accounts import login_limits
from server.accounts.hash_pool import HashBusy, busy_answer


def init_app(app: Flask) -> None:
    login_limits.init_app(app)
    app.register_error_handler(HashBusy, lambda exc: busy_answer())
