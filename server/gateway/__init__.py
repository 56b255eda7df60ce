"""The sync gateway (同步网关): PouchDB on a phone replicates its own inspector database through /sync/<db>.

rules (pure) decides whose database and which endpoint, query (pure) which parameters, body (pure) checks a
request body as it streams; proxy and longpoll carry the bytes to CouchDB; views ties them to Flask.
"""
from __future__ import annotations

from functools import partial

from flask import Flask, request


def init_app(app: Flask) -> None:
    from server.gateway import views
    from sync.notify import Notifier
    app.register_blueprint(views.bp)
    app.extensions["worker_notify"] = Notifier()  # the gateway's word to the worker after a phone's write
    # Before the global guard (which would answer an anonymous POST with a CSRF error): see refuse_anonymous.
    app.before_request_funcs.setdefault(None, []).insert(0, views.refuse_anonymous)
    _limiter_steps_aside(app, views.bp.name)


def _limiter_steps_aside(app: Flask, blueprint: str) -> None:
    """No rate limit applies under /sync, yet flask-limiter's hooks run on every request: a sixth of the
    instructions of a sync request, and a replication makes hundreds (docs/benchmarks.md). They are wrapped
    to do nothing there. A limit put on a gateway view would therefore not apply: the gateway has none."""
    from server.accounts.guard import limiter

    def ours(func) -> bool:
        return getattr(func, "__self__", None) is limiter or (isinstance(func, partial) and limiter in func.args)

    def elsewhere(func, passed):
        def hook(*args):
            return passed(*args) if request.blueprint == blueprint else func(*args)
        return hook
    for hooks, passed in ((app.before_request_funcs, lambda: None), (app.after_request_funcs, lambda resp: resp),
                          (app.teardown_request_funcs, lambda exc=None: None)):
        hooks[None] = [elsewhere(f, passed) if ours(f) else f for f in hooks.get(None, [])]
