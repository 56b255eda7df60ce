"""Every route the app has, by every method it answers: what an anonymous visitor and a field inspector get.

The per-feature tests check scope (which supervisor sees which region); this one makes sure that no route,
including one added later, is open by accident: a route missing from the lists below fails the test."""
from __future__ import annotations

import re

import pytest

# Open to anyone: signing in (a token is issued for a username and password, like a login), the public pages and feed (一公开), the field kit's shell, health, the API
# description, static files, the language switch.
PUBLIC = {"auth.csrf_token", "auth.login", "auth.issue_token", "api-docs.openapi_json", "public_results.results",
          "public.results_page", "public.site_page", "healthz", "static", "console.set_language", "console.login",
          "fieldkit.root_redirect", "fieldkit.index", "fieldkit.shell_file", "fieldkit.generated_file",
          "fieldkit.service_worker", "apidocs.docs_page", "apidocs.docs_asset", "apidocs.static",
          "majors_pages.public_list",  # 挂牌督办 list, only when PUBLIC_MAJORS_LIST is on (test_majors_stats.py)
          # public reports (举报): the form, its submission and the receipt-code page (tests/integration/test_reports_public.py)
          "reports_public.report_form", "reports_public.submit", "reports_public.status_page"}
# Any signed-in user, field staff included: their own session and tokens, their own tasks (a task is shown
# to its team and hidden as 404 from everyone else: tests/integration/test_plans.py), the checklist
# templates their phone shows; the sync gateway (own database only: tests/integration/test_gateway_access.py).
SIGNED_IN = {"auth.logout", "auth.me", "auth.revoke_current_token", "tasks.my_tasks", "tasks.get_task",
             "checklists.list_templates", "checklists.latest", "checklists.one_version", "console.home",
             "console.logout", "gateway.server_root", "gateway.relay",
             # one's own sessions, tokens and password (tests/integration/test_sessions.py)
             "sessions.list_sessions", "sessions.revoke_session", "sessions.list_tokens", "sessions.revoke_token",
             "sessions.change_password", "account_console.account_page", "account_console.account_action"}
SAMPLE = {"int": "1", "path": "x/y"}


def url_of(rule) -> str:
    """The rule with each variable filled in with a harmless value ("x", 1): a guard must refuse before it
    looks anything up."""
    def fill(match):
        converter, name = (match.group(1) or "string"), match.group(2)
        return {"fmt": "pdf", "kind": "record"}.get(name, SAMPLE.get(converter, "x"))
    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


def routes(app):
    return [(rule.endpoint, method, url_of(rule)) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def send(client, method, url, **kwargs):
    return client.open(url, method=method, **kwargs)


def refused(res, url) -> bool:
    """401/403, or (console pages) a redirect to sign in or to the field kit; 404 for a missing record
    is not accepted here: the guard must come first."""
    if res.status_code in (401, 403):
        return True
    return not url.startswith("/api/") and res.status_code in (302, 303) and (
        "/login" in res.headers.get("Location", "") or "/app/" in res.headers.get("Location", ""))


def test_every_route_is_listed_or_guarded_for_anonymous_visitors(app, client):
    wrong = []
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC:
            continue
        res = send(client, method, url, json={})
        if not refused(res, url):
            wrong.append(f"{method} {url} ({endpoint}): {res.status_code}")
    assert not wrong, "open to anonymous visitors:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["inspector", "expert"])
def test_field_staff_reach_only_their_own_routes(app, login, role):
    """An inspector or expert, signed in, is refused every register, plan, review, hazard, document,
    statistics and console route (the console sends them to the field kit)."""
    staff = login(role, "370100")
    wrong = []
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC or endpoint in SIGNED_IN:
            continue
        res = send(staff, method, url, json={})
        if not refused(res, url):
            wrong.append(f"{method} {url} ({endpoint}): {res.status_code}")
    assert not wrong, f"open to a signed-in {role}:\n" + "\n".join(wrong)


def test_the_lists_name_only_routes_that_exist(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert (PUBLIC | SIGNED_IN) <= endpoints, (PUBLIC | SIGNED_IN) - endpoints
