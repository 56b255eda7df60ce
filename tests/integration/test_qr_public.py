"""Site QR codes over HTTP: downloads in scope only, the public page, forged and altered codes."""
import io
from urllib.parse import urlsplit

import pytest
from PIL import Image

from server.qr import signing
from tests.integration.helpers import enterprise


@pytest.fixture
def site(login):
    sup = login("supervisor", "370102")
    body = enterprise(name="<b>扫码</b>测试有限公司")
    assert sup.post("/api/v1/enterprises", json=body).status_code == 201
    site_id = f"site:{body['uscc']}:01"
    return sup, body, site_id, signing.site_token(site_id)


def public_path(app, site_id, kid="k1"):
    with app.app_context():
        keys = signing.parse_keys(app.config["QR_KEYS"])
        url = signing.qr_url(app.config["PUBLIC_BASE_URL"], site_id, keys, kid)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_png_svg_and_sheet_for_staff_in_scope(site, login):
    sup, body, site_id, token = site
    png = sup.get(f"/api/v1/qr/sites/{token}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.get_data())).size[0] > 100
    svg = sup.get(f"/api/v1/qr/sites/{token}.svg")
    assert svg.status_code == 200 and b"<svg" in svg.get_data()
    sheet = sup.get(f"/api/v1/qr/enterprises/{body['uscc']}/sheet").get_data(as_text=True)
    assert "size: A4" in sheet and "主厂区" in sheet and "<b>扫码</b>" not in sheet
    other = login("supervisor", "370112")
    assert other.get(f"/api/v1/qr/sites/{token}.png").status_code == 404
    assert other.get(f"/api/v1/qr/enterprises/{body['uscc']}/sheet").status_code == 404
    inspector = login("inspector", "370102")
    assert inspector.get(f"/api/v1/qr/sites/{token}.png").status_code == 403
    assert sup.get("/api/v1/qr/sites/..%2F..%2Fetc.png").status_code == 404


def test_public_page_for_a_genuine_code_shows_the_site_and_nothing_else(app, client, site):
    _sup, body, site_id, _token = site
    res = client.get(public_path(app, site_id))
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert "主厂区" in html and body["uscc"] in html and "12350" in html
    assert "&lt;b&gt;扫码&lt;/b&gt;" in html
    for secret in ("task", "plan", "检查计划", "inspector", "执法人员名单", body["legal_rep"], body["phone"]):
        assert secret not in html


def test_forged_and_altered_codes_are_recognised(app, client, site):
    _sup, body, site_id, token = site
    genuine = public_path(app, site_id)
    flipped = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    other_site = f"site:{body['uscc']}:02"
    swapped = genuine.replace(token, signing.site_token(other_site))
    for path in (flipped, swapped, f"/q/{token}", f"/q/{token}?k=zz&s=abc", f"/q/{token}?k=k1&s=" + "A" * 5000,
                 "/q/not-a-site", "/q/%3Cscript%3E?k=k1&s=x"):
        res = client.get(path)
        assert res.status_code == 404, path
        assert "无法验证" in res.get_data(as_text=True)


def test_key_rotation_old_codes_still_verify(app, client, site):
    _sup, _body, site_id, _token = site
    old_path = public_path(app, site_id, "k1")
    app.config["QR_KEYS"] = signing.generate_key_spec("k2") + "," + app.config["QR_KEYS"]
    app.config["QR_ACTIVE_KEY"] = "k2"
    new_path = public_path(app, site_id, "k2")
    assert "k=k2" in new_path
    assert client.get(old_path).status_code == 200 and client.get(new_path).status_code == 200
    app.config["QR_KEYS"] = app.config["QR_KEYS"].split(",")[0]   # k1 retired
    assert client.get(old_path).status_code == 404


def test_healthz_and_openapi(client, login):
    assert client.get("/healthz").get_json() == {"status": "ok"}           # public: the status alone
    health = login("admin").get("/healthz")
    assert health.status_code == 200 and health.get_json()["couchdb"]["reachable"] is True
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/enterprises" in spec["paths"] and "EnterpriseOut" in spec["components"]["schemas"]
