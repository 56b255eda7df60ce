"""The API reference in a real browser: Swagger UI renders the server's own spec under its CSP, offline."""


def test_api_docs_render_in_chromium_without_csp_errors(live_server, page):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("requestfailed", lambda req: problems.append("failed: " + req.url))
    outside = []
    page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
               if not route.request.url.startswith(live_server.url) else route.continue_())
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)   # the spec was read and drawn
    assert page.locator(".swagger-ui .opblock").count() > 50
    assert page.get_by_text("/api/v1/plans/{key}/approver").count() >= 1
    assert not outside, outside
    assert not [p for p in problems if "Content Security Policy" in p or "failed:" in p], problems
