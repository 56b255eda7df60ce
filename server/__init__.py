"""The Flask application: JSON API, supervisor console, public pages (and, later, the sync gateway)."""
from __future__ import annotations

import logging

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface

import i18n
from server.config import Config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application from the environment, with `test_config` overriding for tests."""
    app = Flask(__name__)
    app.session_interface = _SessionInterface()
    cfg = Config()
    app.config.from_mapping(cfg.as_dict())
    if test_config:
        app.config.from_mapping(test_config)
    Config.check(_ConfigView(app.config))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per CouchDB request is noise

    from server import db, errors, health
    from server.accounts import guard
    from server.api import init_api

    db.init_app(app)
    guard.init_app(app)
    from server.accounts import capacity as accounts_capacity
    accounts_capacity.init_app(app)  # shared sign-in limits, bounded password hashing (issue 17)
    init_api(app)
    errors.init_app(app)  # after the Api, so that its handlers replace flask-smorest's defaults
    health.init_app(app)
    from server import cli
    cli.init_app(app)
    from server.console import views as console_views
    from server.public import views as public_views
    console_views.init_app(app)
    from server.hazards import console as hazards_console
    from server.review import console as review_console
    review_console.init_app(app)
    hazards_console.init_app(app)
    public_views.init_app(app)
    from server import documents
    documents.init_app(app)  # 执法文书: /console/documents/<kind>/<uuid>.pdf|.html
    from server import stats
    stats.init_app(app)  # the statistics page and the views' answer cache
    from server import gateway
    gateway.init_app(app)  # the sync gateway, /sync/<db>
    from server import fieldkit
    fieldkit.init_app(app)  # the inspectors' PWA, /app/

    @app.before_request
    def _locale():
        g.locale = i18n.negotiate(request.headers.get("Accept-Language"),
                                  request.args.get("lang") or request.cookies.get("lang"))
        i18n.current_locale.set(g.locale)

    @app.after_request
    def _security_headers(resp):
        # One pass over the response's headers, not one scan per setdefault (the sync gateway answers
        # hundreds of requests per replication; four setdefaults were a tenth of each).
        present = {name.lower() for name in resp.headers.keys()}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                resp.headers.add(name, value)
        return resp

    app.jinja_env.globals["t"] = i18n.t
    return app


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"))


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a request without the cookie (a phone's sync request with a bearer
    token) gets its empty session without building the cookie signer first."""

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


class _ConfigView:
    """Lets Config.check read a Flask config mapping as attributes."""

    def __init__(self, mapping):
        self.__dict__.update(mapping)
