"""The public report form (举报) over HTTP: from a site's QR page and on its own, anonymous and named, the
receipt code and its status page; what the stored document holds (and does not)."""
from __future__ import annotations

import io
import re

from server.db import database
from server.reports import store
from tests.integration.reports_fixtures import TEXT, fast_pow, jpeg, qr_site, receipt_code, solved, web_form  # noqa: F401 (fixtures)


def _reports(app) -> list[dict]:
    with app.app_context():
        rows = database("reports").all_docs(include_docs=True, startkey="report:", endkey="report:\ufff0")
    return [r["doc"] for r in rows]


def test_qr_page_links_to_a_form_for_that_site_and_a_named_report_is_filed(app, client, qr_site):
    page = client.get(qr_site["qr_path"]).get_data(as_text=True)
    link = re.search(r'id="report-hazard" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith("/report?") and "site%3A" not in link and "site:" not in link
    form = client.get(link).get_data(as_text=True)
    assert "济南举报测试化工有限公司" in form and "主厂区" in form and 'name="region"' not in form
    data = {**qr_site["args"], **solved(app, client, link), "text": TEXT, "name": "王内部", "contact": "13900001111",
            "insider": "1", "happened_on": "2026-11-30", "photos": [(io.BytesIO(jpeg(exif_gps=True)), "x.jpg")]}
    res = client.post("/report", data=data, content_type="multipart/form-data")
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"
    code = receipt_code(res.get_data(as_text=True))
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code)
    doc, = _reports(app)
    assert doc["channel"] == "qr" and doc["site"] == qr_site["site_id"] and doc["enterprise"] == qr_site["body"]["uscc"]
    assert doc["region"] == "370102" and doc["insider"] is True and doc["anonymous"] is False
    assert doc["status"] == "received" and doc["happened_on"] == "2026-11-30"
    assert doc["identity"]["alg"] == "AES-256-GCM" and "王内部" not in str(doc) and "13900001111" not in str(doc)
    assert code.replace("-", "") not in str(doc) and code not in str(doc)
    assert set(doc["receipt"]) == {"locator", "salt", "hash"}
    assert sorted(doc["_attachments"]) == ["photo-1.jpg", "thumb-1.jpg"]


def test_photos_are_kept_without_their_exif(app, client, qr_site):
    from PIL import Image
    data = {**web_form(), **solved(app, client), "photos": [(io.BytesIO(jpeg((900, 700), exif_gps=True)), "g.jpg")]}
    assert client.post("/report", data=data, content_type="multipart/form-data").status_code == 200
    doc, = _reports(app)
    with app.app_context():
        kept = database("reports").get_attachment(doc["_id"], "photo-1.jpg")
    assert b"SecretPhoneMaker" not in kept and b"Exif" not in kept[:200]
    assert not Image.open(io.BytesIO(kept)).getexif()
    assert doc["photo_meta"][0]["metadata_removed"] is True and doc["photo_meta"][0]["sent_as"] == "JPEG"


def test_png_photos_are_accepted_and_turned_into_jpeg(app, client, qr_site):
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(out, "PNG")
    data = {**web_form(), **solved(app, client), "photos": [(io.BytesIO(out.getvalue()), "p.png")]}
    assert client.post("/report", data=data, content_type="multipart/form-data").status_code == 200
    assert _reports(app)[0]["photo_meta"][0]["sent_as"] == "PNG"


def test_standalone_form_anonymous_report_and_status_page(app, client, qr_site):
    form = client.get("/report").get_data(as_text=True)
    assert 'name="region"' in form and "历下区" in form
    res = client.post("/report", data={**web_form(), **solved(app, client)})
    assert res.status_code == 200
    code = receipt_code(res.get_data(as_text=True))
    doc, = _reports(app)
    assert doc["channel"] == "web" and doc["site"] is None and doc["identity"] is None and doc["enterprise_name"] == "某某化工厂"
    status = client.post("/report/status", data={"code": code.lower().replace("-", " ")})
    html = status.get_data(as_text=True)
    assert status.status_code == 200 and "已收到，正在分办" in html
    assert TEXT not in html and "某某化工厂" not in html and doc["_id"] not in html


def test_status_page_shows_public_outcome_words_and_nothing_internal(app, client, qr_site):
    code = receipt_code(client.post("/report", data={**web_form(), **solved(app, client)}).get_data(as_text=True))
    with app.app_context():
        doc = _reports(app)[0]
        doc.update(status="verified_true", triage={"decision": "verify", "reason": "内部理由XYZ", "department": None,
                                                    "by": "sup", "at": doc["received_at"]},
                   outcome={"result": "true", "public_text_zh": "经核查属实，已责令整改。", "public_text_en": "Found true; ordered to fix.",
                            "at": doc["received_at"], "cases": ["case:abc"]})
        store.reports().put(doc)
    html = client.post("/report/status", data={"code": code}).get_data(as_text=True)
    assert "核查属实，已依法处理" in html and "经核查属实，已责令整改。" in html
    assert "内部理由XYZ" not in html and "case:abc" not in html
    en = client.post("/report/status", data={"code": code}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Found true; ordered to fix." in en


def test_a_wrong_or_malformed_code_is_told_apart_from_nothing(app, client, qr_site):
    client.post("/report", data={**web_form(), **solved(app, client)})
    for code in ("AAAA-BBBB-CCCC-DDDD-EEEE", "short", "<script>", "x" * 5000, ""):
        res = client.post("/report/status", data={"code": code})
        assert res.status_code == 404 and "回执码不正确" in res.get_data(as_text=True)
    assert client.get("/report/status").status_code == 200


def test_english_form_and_receipt(app, client, qr_site):
    headers = {"Accept-Language": "en"}
    assert "Report a safety hazard" in client.get("/report", headers=headers).get_data(as_text=True)
    res = client.post("/report", data={**web_form(), **solved(app, client)}, headers=headers)
    assert "Your receipt code" in res.get_data(as_text=True)
