"""The JSON API under /api/v1: flask-smorest writes the OpenAPI document from the marshmallow schemas."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def init_api(app: Flask) -> Api:
    api = Api(app, spec_kwargs={"info": {"description": "安全生产执法检查：名录库、双随机抽查、现场检查与隐患闭环"}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    from server.accounts import users_api, views as auth_views
    from server.registry import checklists_api, enterprises_api, imports_api, inspectors_api
    from server.qr import views as qr_views
    for module in (auth_views, users_api, enterprises_api, inspectors_api, checklists_api, imports_api, qr_views):
        api.register_blueprint(module.blp)
    app.extensions["api"] = api
    return api
