"""Enterprise self-reports (企业自查, issue 15 item 5): enterprise accounts, the enterprise portal at /enterprise/,
and the bureau's review of what enterprises report. The portal never reads the `reports` database."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.enterprise_portal import confine, console, portal
    from server.enterprise_portal import orders_view  # noqa: F401  (its pages are routes of portal.bp)
    confine.init_app(app)   # enterprise accounts reach only /enterprise/… (whatever other routes allow)
    app.register_blueprint(portal.bp)
    console.init_app(app)
