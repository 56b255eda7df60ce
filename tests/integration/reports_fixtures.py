"""Fixtures and helpers for the public report (举报) tests: a site with its QR arguments, a solved form."""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from server.qr import signing
from server.reports import public_abuse
from tests.integration.helpers import enterprise

FAST_POW = {"REPORT_POW_BITS": 6}
TEXT = "仓库里堆放了大量易燃物品，消防通道被堵死，灭火器过期。"


@pytest.fixture
def fast_pow(app, tmp_path):
    """Cheap proof of work, a rate-limit file of this test's own (limits high: one test checks them)."""
    app.config.update(FAST_POW, REPORT_LIMIT_DB=str(tmp_path / "limits.sqlite"), REPORT_RATE_LIMIT="1000 per hour",
                      REPORTER_KEY_FILE=str(tmp_path / "reporter.key"))
    return app


@pytest.fixture
def qr_site(app, login, fast_pow):
    """A supervisor of 370102, an enterprise with its main site, and the site's signed QR arguments."""
    sup = login("supervisor", "370102")
    body = enterprise(name="济南举报测试化工有限公司")
    assert sup.post("/api/v1/enterprises", json=body).status_code == 201
    site_id = f"site:{body['uscc']}:01"
    with app.app_context():
        keys = signing.parse_keys(app.config["QR_KEYS"])
        url = signing.qr_url(app.config["PUBLIC_BASE_URL"], site_id, keys, "k1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return {"sup": sup, "body": body, "site_id": site_id, "qr_path": f"{parts.path}?{parts.query}",
            "args": {"t": parts.path.rsplit("/", 1)[1], "k": query["k"], "s": query["s"]}}


def challenge_of(html: str) -> str:
    return re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)


def solved(app, client, path: str = "/report") -> dict:
    """A fresh challenge from the form at `path`, with its nonce."""
    html = client.get(path).get_data(as_text=True)
    challenge = challenge_of(html)
    with app.app_context():
        return {"pow_challenge": challenge, "pow_nonce": public_abuse.solve(challenge)}


def jpeg(size=(640, 480), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretPhoneMaker"   # Make
        exif[0x8825] = {1: "N", 2: (36.0, 40.0, 0.0)}   # GPS IFD
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def web_form(**extra) -> dict:
    form = {"region": "370102", "enterprise_name": "某某化工厂", "text": TEXT, "location": "北门仓库",
            "happened_on": "", "anonymous": "1"}
    form.update(extra)
    return form


def receipt_code(html: str) -> str:
    return re.search(r'id="receipt-code">([0-9A-Z-]+)<', html).group(1)
