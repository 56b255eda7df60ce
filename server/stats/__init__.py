"""Statistics (统计): figures from the `records` views, the API and its export, the console page."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.stats import page, queries
    queries.init_app(app)
    page.init_app(app)
