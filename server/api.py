"""The JSON API under /api/v1: flask-smorest writes the OpenAPI document from the marshmallow schemas."""
from __future__ import annotations

from flask import Flask
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_smorest import Api


def schema_name(schema) -> str | None:
    """Component name for a schema; variants (partial, only, exclude) are inlined, not named twice."""
    if not isinstance(schema, type) and (schema.partial or schema.only or schema.exclude):
        return None
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


def init_api(app: Flask) -> Api:
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    api = Api(app, spec_kwargs={"marshmallow_plugin": plugin,
                                "info": {"description": "安全生产执法检查：名录库、双随机抽查、现场检查与隐患闭环"}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    from server.accounts import sessions_api, users_api, views as auth_views
    from server.registry import checklists_api, enterprises_api, imports_api, inspectors_api
    from server.plans import plans_api, tasks_api
    from server.public import results_api
    from server.qr import views as qr_views
    from server.review import api as review_api
    from server.hazards import api as hazards_api
    from server.stats import api as stats_api
    for module in (auth_views, users_api, sessions_api, enterprises_api, inspectors_api, checklists_api, imports_api, qr_views,
                   plans_api, tasks_api, results_api, review_api, hazards_api, stats_api):
        api.register_blueprint(module.blp)
    api.register_blueprint(hazards_api.orders_blp)
    from server.majors import api as majors_api
    api.register_blueprint(majors_api.blp)   # 重大事故隐患数据库 (issue 15)
    from server.plans import blueprints as plan_blueprints
    plan_blueprints.register(api)
    app.extensions["api"] = api
    return api
