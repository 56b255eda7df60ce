"""The plan area's API blueprints beyond plans and tasks, registered by server.api in one line."""
from __future__ import annotations


def register(api) -> None:
    from server.auditlog import api as auditlog_api
    from server.plans import approval, avoidance_api, reassign
    for module in (reassign, approval, auditlog_api, avoidance_api):
        api.register_blueprint(module.blp)
