"""The Flask application: JSON API, supervisor console, public pages (and, later, the sync gateway)."""
from __future__ import annotations

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
    from server import audit_keys
    audit_keys.remember(app.config)  # the worker's threads append outside an application context
    from server.logs import configure_logging
    configure_logging(app.config.get("LOG_FORMAT", "text"))

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
    from server import metrics
    metrics.init_app(app)  # /metrics and the request timings it reports
    from server import audit_routes
    audit_routes.init_app(app)  # every state-changing route appends its audit entry (logged if not)
    from server import cli
    cli.init_app(app)
    from server.console import views as console_views
    from server.public import views as public_views
    console_views.init_app(app)
    from server.hazards import console as hazards_console
    from server.review import console as review_console
    review_console.init_app(app)
    hazards_console.init_app(app)
    from server.plans import console as plans_console
    from server.workbench import console as workbench_console
    plans_console.init_app(app)  # 双随机 plans: list, inbox, new plan, draw, approval, dispatch, 一公开
    workbench_console.init_app(app)  # 工作台, the supervisors' home
    public_views.init_app(app)
    from server.registry import checklist_editor
    checklist_editor.init_app(app)  # 检查表编辑: a new template version from the console
    from server import documents
    documents.init_app(app)  # 执法文书: /console/documents/<kind>/<uuid>.pdf|.html
    from server import decisions, signing
    decisions.init_app(app)  # 现场处理措施决定书: /console/decisions/new/<inspection uuid>
    signing.init_app(app)  # signature pad: /console/documents/<kind>/<uuid>/sign
    from server import stats
    stats.init_app(app)  # the statistics page and the views' answer cache
    from server import majors
    majors.init_app(app)  # 重大事故隐患数据库: /console/majors, its statistics, the optional /public/majors
    from server.accounts import console as account_console
    account_console.init_app(app)  # 我的账号: own sessions, tokens, password
    from server.accounts import users_console
    users_console.init_app(app)  # 用户管理: /console/users, the API's user management for admins
    from server import gateway
    gateway.init_app(app)  # the sync gateway, /sync/<db>
    from server import fieldkit
    fieldkit.init_app(app)  # the inspectors' PWA, /app/
    from server import calendar
    calendar.init_app(app)  # holiday notices under 系统状态, provisional deadlines and their recount
    from server import apidocs, auditlog
    apidocs.init_app(app)
    auditlog.init_app(app)  # the audit-log reader for auditors, /console/audit
    from server.plans import availability_console, avoidance_console
    app.register_blueprint(avoidance_console.bp)  # enterprises' 回避 applications, /console/avoidance
    app.register_blueprint(availability_console.bp)  # an inspector's certificate and leave
    from server import reports
    reports.init_app(app)  # 举报: public form /report, receipt page, triage /console/reports (issue 15)
    from server.reports import verification_console
    verification_console.init_app(app)  # 举报核查 and rewards: /console/reports/<key>/verify, /console/reports/rewards
    from server import enterprise_portal
    enterprise_portal.init_app(app)  # 企业自查: enterprise accounts, /enterprise/ portal, /console/selfreports

    @app.before_request
    def _locale():
        g.locale = i18n.negotiate(request.headers.get("Accept-Language"),
                                  request.args.get("lang") or request.cookies.get("lang"))
        i18n.current_locale.set(g.locale)

    from server import surface
    surface.init_app(app)  # CSP, HSTS over HTTPS, JSON depth limit (server/surface.py)
    from server import idempotency
    idempotency.init_app(app)  # Idempotency-Key on creating requests (plans, orders, imports, results)

    app.jinja_env.globals["t"] = i18n.t
    return app


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
