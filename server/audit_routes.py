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
    "users_console.new_user": ("user.create",), "users_console.update_user": ("user.update",),
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
    "tasks.record_result": ("task.result",), "tasks.cancel": ("task.cancel",), "tasks.reassign": ("task.reassign_request",),
    "inspections.review": ("review.*",), "review_console.decide": ("review.*",),
    "hazards.five_in_place": ("hazard.*",), "hazards.rectify": ("hazard.*",), "hazards.upload_photo": ("hazard.photo",),
    "hazards.schedule_reinspection": ("task.reinspection",), "hazards.order_one": ("order.issue", "hazard.*"),
    "hazards.close": ("hazard.*",), "orders.issue_order": ("order.issue",),
    "review_console.issue_order": ("order.issue",),
    "hazards_console.case_action": ("hazard.*", "order.*", "task.reinspection"),
    "sessions.revoke_session": ("session.revoke",), "sessions.revoke_token": ("token.revoke",),
    "sessions.change_password": ("user.password",), "users.revoke_user_sessions": ("user.sessions_revoked",),
    "account_console.account_action": ("session.revoke", "token.revoke", "user.password", "user.sessions_revoked"),
    "task_reassign.confirm_reassign": ("task.reassign",), "task_reassign.refuse_reassign": ("task.reassign_refused",),
    "plan_approval.change_approver": ("plan.approver_change",),
    "avoidance_applications.record": ("avoidance.apply",), "avoidance_applications.decide": ("avoidance.decide",),
    "avoidance_console.record_application": ("avoidance.apply",),
    "avoidance_console.decide_application": ("avoidance.decide",),
    "availability_console.set_certificate": ("inspector.certificate",),
    "availability_console.add_leave": ("inspector.leave",), "availability_console.remove_leave": ("inspector.leave",),
    "plans_console.new_plan": ("plan.create",), "plans_actions.draw": ("plan.draw", "plan.redraw"),
    "plans_actions.approve": ("plan.approve",), "plans_actions.redraw_request": ("plan.redraw_request",),
    "plans_actions.redraw": ("plan.redraw", "plan.draw"), "plans_actions.dispatch": ("plan.dispatch",),
    "plans_actions.cancel": ("task.cancel",), "plans_actions.reassign": ("task.reassign_request",),
    "plans_publication.publish": ("task.result",),
    "plans_reassign.confirm": ("task.reassign",), "plans_reassign.refuse": ("task.reassign_refused",),
    "checklist_editor.publish": ("checklist.publish",), "decisions_console.issue_decision": ("decision.issue",),
    "signing.sign": ("document.sign", "document.refuse"),
    "calendar_console.save_notice": ("calendar.notice",), "calendar_console.recount_now": ("calendar.recount",),
    "report_verify.open_task": ("report.verify",), "report_verify.record_outcome": ("report.outcome",),
    "report_rewards.reward_action": ("report.reward_*",),
    # 企业自查 (issue 15 item 5): the enterprise's portal and the bureau's side of it
    "enterprise_portal.change_password": ("user.password",),
    "enterprise_portal.start_selfcheck": ("selfreport.start",),
    "enterprise_portal.save_answers": ("selfreport.answers",),
    "enterprise_portal.add_hazard": ("selfreport.hazard_add",),
    "enterprise_portal.remove_hazard": ("selfreport.hazard_remove",),
    "enterprise_portal.submit": ("selfreport.submit",),
    "enterprise_portal.send_evidence": ("hazard.*",),
    "selfreport_review.open_account": ("enterprise_account.create",),
    "selfreport_review.decide": ("selfreport.*",),
    "majors_console.case_action": ("major.supervise", "major.supervise_lift", "major.measure"),
    "majors.supervise": ("major.supervise",), "majors.lift": ("major.supervise_lift",),
    "majors.record_measure": ("major.measure",),
    # 举报 (issue 15): a public submission is audited by the actor "public", without the sender's address
    "reports_public.submit": ("report.receive",),
    "reports_console.decide": ("report.not_safety", "report.referred", "report.verify"),
    "reports_console.duplicate": ("report.duplicate",), "reports_console.reveal": ("report.reveal",),
}
# Console forms that change nothing until sent back with a field's value (a confirmation page, a preview
# first): their audit entry is expected only on the request that acts.
ACTS_WHEN = {
    "plans_console.new_plan": ("action", "save"), "plans_publication.publish": ("confirmed", "yes"),
    **{f"plans_actions.{name}": ("confirmed", "yes")
       for name in ("draw", "approve", "redraw_request", "redraw", "dispatch", "cancel", "reassign")},
    "plans_reassign.confirm": ("confirmed", "yes"), "plans_reassign.refuse": ("confirmed", "yes"),
}
# State-changing routes with no audit entry of their own, and why.
NOT_AUDITED = {
    "gateway.server_root": "phone replication traffic (thousands of requests); the worker's filing is the record",
    "gateway.relay": "phone replication traffic (thousands of requests); the worker's filing is the record",
    "reports_public.status_page": "a receipt-code look-up reads a report's progress and changes nothing",
}


def expected(endpoint: str | None) -> tuple[str, ...] | None:
    return ACTIONS.get(endpoint or "")


def acts(endpoint: str | None) -> bool:
    """Whether this request is the one that changes something (not a confirmation page or a preview)."""
    field, value = ACTS_WHEN.get(endpoint or "", (None, None))
    return field is None or request.form.get(field) == value


def init_app(app: Flask) -> None:
    app.extensions["audit_misses"] = []

    @app.after_request
    def _audited(resp):
        # An anonymous request that "succeeds" changed nothing (a logout without a session).
        if (request.method in STATE_CHANGING and resp.status_code < 400 and request.endpoint in ACTIONS
                and (g.get("user") is not None or g.get("audit_actions")) and acts(request.endpoint)
                and "Idempotent-Replayed" not in resp.headers):   # a replayed answer did its audit the first time
            done = g.get("audit_actions", [])
            if not any(fnmatch(a, p) for a in done for p in ACTIONS[request.endpoint]):
                logging.getLogger(__name__).error("state change without its audit entry: %s %s",
                                                  request.method, request.path)
                app.extensions["audit_misses"].append(request.endpoint)
        return resp
