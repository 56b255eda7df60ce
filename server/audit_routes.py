"""Which audit action each state-changing route performs, and a check after every such request that it did.

tests/integration/test_audit_routes.py fails on a state-changing route that is neither here nor in
NOT_AUDITED; at run time a successful request whose route appended none of its actions is logged (and
kept in app.extensions["audit_misses"] for the tests)."""
from __future__ import annotations

import logging
from fnmatch import fnmatch

from flask import Flask, g, request

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
ACTIONS: dict[str, tuple[str, ...]] = {
    "auth.login": ("login.*",), "console.login": ("login.*",),
    "auth.logout": ("session.end",), "console.logout": ("session.end",),
    "auth.issue_token": ("token.issue", "login.failed"), "auth.revoke_current_token": ("token.revoke",),
    "users.create_user": ("user.create",), "users.update_user": ("user.update",),
    "enterprises.create_enterprise": ("enterprise.create",), "enterprises.update_enterprise": ("enterprise.update",),
    "enterprises.deregister_enterprise": ("enterprise.deregister",), "enterprises.add_site": ("site.create",),
    "enterprises.update_site": ("site.update",),
    "inspectors.create_inspector": ("inspector.create",), "inspectors.update_inspector": ("inspector.update",),
    "checklists.publish": ("checklist.publish",),
    "imports.upload": ("registry.import",), "console.import_page": ("registry.import",),
    "plans.create": ("plan.create",), "plans.draw_plan": ("plan.draw", "plan.redraw"),
    "plans.approve": ("plan.approve",), "plans.request_redraw": ("plan.redraw_request",),
    "plans.confirm_redraw": ("plan.redraw", "plan.draw"), "plans.dispatch": ("plan.dispatch",),
    "plans.close": ("plan.close",),
    "tasks.record_result": ("task.result",), "tasks.cancel": ("task.cancel",), "tasks.reassign": ("task.reassign",),
    "inspections.review": ("review.*",), "review_console.decide": ("review.*",),
    "hazards.five_in_place": ("hazard.*",), "hazards.rectify": ("hazard.*",), "hazards.upload_photo": ("hazard.photo",),
    "hazards.schedule_reinspection": ("task.reinspection",), "hazards.order_one": ("order.issue", "hazard.*"),
    "hazards.close": ("hazard.*",), "orders.issue_order": ("order.issue",),
    "review_console.issue_order": ("order.issue",),
    "hazards_console.case_action": ("hazard.*", "order.*", "task.reinspection"),
    "sessions.revoke_session": ("session.revoke",), "sessions.revoke_token": ("token.revoke",),
    "sessions.change_password": ("user.password",), "users.revoke_user_sessions": ("user.sessions_revoked",),
    "account_console.account_action": ("session.revoke", "token.revoke", "user.password", "user.sessions_revoked"),
}
# State-changing routes with no audit entry of their own, and why.
NOT_AUDITED = {
    "gateway.server_root": "phone replication traffic (thousands of requests); the worker's filing is the record",
    "gateway.relay": "phone replication traffic (thousands of requests); the worker's filing is the record",
}


def expected(endpoint: str | None) -> tuple[str, ...] | None:
    return ACTIONS.get(endpoint or "")


def init_app(app: Flask) -> None:
    app.extensions["audit_misses"] = []

    @app.after_request
    def _audited(resp):
        # An anonymous request that "succeeds" changed nothing (a logout without a session).
        if (request.method in STATE_CHANGING and resp.status_code < 400 and request.endpoint in ACTIONS
                and (g.get("user") is not None or g.get("audit_actions"))
                and "Idempotent-Replayed" not in resp.headers):   # a replayed answer did its audit the first time
            done = g.get("audit_actions", [])
            if not any(fnmatch(a, p) for a in done for p in ACTIONS[request.endpoint]):
                logging.getLogger(__name__).error("state change without its audit entry: %s %s",
                                                  request.method, request.path)
                app.extensions["audit_misses"].append(request.endpoint)
        return resp
