"""The audit-log reader for auditors (审计查阅): entries by object, actor and period, paged, exported as CSV;
admins and auditors only. Reading the log is itself logged."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.auditlog import console
    app.register_blueprint(console.bp)
