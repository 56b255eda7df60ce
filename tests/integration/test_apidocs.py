"""The API reference at /api/v1/docs: served from the pinned package, nothing from outside, CSP kept."""
import re


def test_docs_page_and_its_assets_load_from_this_server(client):
    res = client.get("/api/v1/docs")
    assert res.status_code == 200 and res.mimetype == "text/html"
    assert res.headers["Content-Security-Policy"].startswith("default-src 'self'")   # scripts from here only
    page = res.get_data(as_text=True)
    assert 'data-spec="/api/v1/openapi.json"' in page
    assert "<script>" not in page and "http://" not in page and "https://" not in page   # no inline, no CDN
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [r for r in refs if r.startswith("/api/v1/docs/")]
    assert len(assets) == 5
    kinds = {}
    for url in assets:
        got = client.get(url)
        assert got.status_code == 200, url
        kinds[url.rsplit("/", 1)[1]] = got.mimetype
        assert len(got.data) > 100
    assert kinds["swagger-ui-bundle.js"] in ("application/javascript", "text/javascript")
    assert kinds["swagger-ui.css"] == "text/css"
    init = client.get("/api/v1/docs/static/docs-init.js").get_data(as_text=True)
    assert "data-spec" in init and "validatorUrl: null" in init
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/api/v1/plans/{key}/approver" in spec.get_json()["paths"]


def test_docs_assets_refuse_anything_else(client):
    for name in ("index.html", "swagger-ui.js.map", "..%2F..%2Fserver%2F__init__.py", "x" * 300, "%00"):
        assert client.get(f"/api/v1/docs/assets/{name}").status_code == 404, name
    assert client.post("/api/v1/docs").status_code in (403, 405)


def test_docs_page_speaks_english_too(client):
    page = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "API reference" in page and 'lang="en"' in page
