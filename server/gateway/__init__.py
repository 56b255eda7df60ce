"""The sync gateway (同步网关): PouchDB on a phone replicates its own inspector database through /sync/<db>.

rules (pure) decides whose database and which endpoint, query (pure) which parameters, body (pure) checks a
request body as it streams; proxy and longpoll carry the bytes to CouchDB; views ties them to Flask.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.gateway import views
    from sync.notify import Notifier
    app.register_blueprint(views.bp)
    app.extensions["worker_notify"] = Notifier()  # the gateway's word to the worker after a phone's write
    # Before the global guard (which would answer an anonymous POST with a CSRF error): see refuse_anonymous.
    app.before_request_funcs.setdefault(None, []).insert(0, views.refuse_anonymous)
