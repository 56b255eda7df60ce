"""Signatures captured on screen in the console for an order (and a decision): stored with the document's
version and content hash, printed on the PDF, a refusal recordable, void once the document changes; who may
sign; hostile images and signers are refused."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageDraw

from server.db import database
from tests.integration import pdf_tools
from tests.integration.review_fixtures import NAMES
from tests.integration.test_hazards_api import FIVE, H, loop_world, order  # noqa: F401  (fixture)


def pad_png(ink: bool = True, size=(600, 200)) -> str:
    picture = Image.new("RGB", size, "white")
    if ink:
        ImageDraw.Draw(picture).line([(20, 100), (200, 40), (380, 160), (560, 60)], fill="black", width=4)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def issued(loop_world):
    sup, major = loop_world["sup"], loop_world["major"]
    sup.post(f"{H}/{major}/five_in_place", json=FIVE)
    res = order(sup, loop_world, (major, 10))
    assert res.status_code == 201, res.get_json()
    return {**loop_world, "order": res.get_json(), "uuid": res.get_json()["id"].split(":", 1)[1]}


def post(client, uuid, **form):
    return client.post(f"/console/documents/order/{uuid}/sign", data={"csrf_token": client.csrf, **form})


def test_sign_refuse_print_and_audit(app, issued):
    sup, uuid = issued["sup"], issued["uuid"]
    page = sup.get(f"/console/documents/order/{uuid}/sign").get_data(as_text=True)
    assert 'src="/static/signpad.js"' in page and "<script>" not in page and f'value="inspector:{NAMES[0]}"' in page
    assert f"/console/documents/order/{uuid}/sign" in sup.get(f"/console/documents/order/{uuid}.html").get_data(as_text=True)
    res = post(sup, uuid, signer=f"inspector:{NAMES[0]}", action="sign", image=pad_png())
    assert res.status_code == 303, res.get_data(as_text=True)[:300]
    res = post(sup, uuid, signer="manager", manager_name="王厂长", action="refuse", refusal_note="称需请示总公司")
    assert res.status_code == 303
    with app.app_context():
        stored = database("records").get(f"signing:order:{uuid}")
        trail = database("audit").find({"type": "audit", "subject": f"order:{uuid}"}, limit=20)
    assert [e["signer"] for e in stored["entries"]] == ["inspector", "manager"]
    assert all(len(e["content_sha256"]) == 64 and e["doc_rev"] for e in stored["entries"])
    assert {"document.sign", "document.refuse"} <= {e.get("action") for e in trail}
    pdf = sup.get(f"/console/documents/order/{uuid}.pdf").data
    text = pdf_tools.flat(pdf)
    assert len(pdf_tools.images(pdf)) == 1 and "王厂长于" in text and "拒绝签字（说明：称需请示总公司）" in text
    shown = sup.get(f"/console/documents/order/{uuid}/sign").get_data(as_text=True)
    assert shown.count('data-state="signed"') == 1 and shown.count('data-state="refused"') == 1


def test_a_changed_document_voids_its_signatures(app, issued):
    sup, uuid = issued["sup"], issued["uuid"]
    assert post(sup, uuid, signer="manager", manager_name="王厂长", action="sign", image=pad_png()).status_code == 303
    with app.app_context():
        records = database("records")
        doc = records.get(f"order:{uuid}")
        doc["items"][0]["description"] = "改动后的问题描述"
        records.put(doc)
    pdf = sup.get(f"/console/documents/order/{uuid}.pdf").data
    assert pdf_tools.images(pdf) == [] and "王厂长于" in pdf_tools.flat(pdf) and "的签名已失效" in pdf_tools.flat(pdf)
    assert 'data-state="void"' in sup.get(f"/console/documents/order/{uuid}/sign").get_data(as_text=True)


def test_hostile_and_wrong_input_is_refused(app, issued):
    sup, uuid = issued["sup"], issued["uuid"]
    big = Image.new("RGB", (3000, 1000), "white")
    ImageDraw.Draw(big).line([(0, 0), (3000, 1000)], fill="black", width=9)
    out = io.BytesIO()
    big.save(out, "PNG")
    jpeg = io.BytesIO()
    Image.new("RGB", (100, 50), "black").save(jpeg, "JPEG")
    bad_images = ["", "javascript:alert(1)", "data:image/png;base64,!!!!", pad_png(ink=False),
                  "data:image/png;base64," + base64.b64encode(out.getvalue()).decode(),
                  "data:image/png;base64," + base64.b64encode(jpeg.getvalue()).decode(),
                  "data:image/png;base64," + "A" * 800_000]
    for image in bad_images:
        res = post(sup, uuid, signer=f"inspector:{NAMES[0]}", action="sign", image=image)
        assert res.status_code == 422 and "签名图像无效" in res.get_data(as_text=True), image[:40]
    for signer, name in [("inspector:冒名者", ""), ("manager", ""), ("manager", "长" * 51), ("witness", "x"),
                         ("inspector:<script>", "")]:
        res = post(sup, uuid, signer=signer, manager_name=name, action="sign", image=pad_png())
        assert res.status_code == 422 and "<script>" not in res.get_data(as_text=True), signer
    no_csrf = sup.client.post(f"/console/documents/order/{uuid}/sign", data={"signer": "manager", "manager_name": "x",
                                                                           "action": "refuse"})
    assert no_csrf.status_code in (400, 403)
    with app.app_context():
        assert database("records").get_or_none(f"signing:order:{uuid}") is None
    assert sup.get(f"/console/documents/order/{uuid[:-1]}x/sign").status_code == 404
    assert sup.get(f"/console/documents/record/{uuid}/sign").status_code == 404


@pytest.mark.parametrize("role,region,status", [("supervisor", "370200", 404), ("inspector", "370100", 403),
                                                ("admin", "370000", 200), ("supervisor", "370102", 200)])
def test_who_may_sign(app, issued, login, role, region, status):
    client = login(role, region)
    assert client.get(f"/console/documents/order/{issued['uuid']}/sign").status_code == status
    res = post(client, issued["uuid"], signer="manager", manager_name="王厂长", action="refuse")
    assert res.status_code == (303 if status == 200 else status)


def test_anonymous_is_sent_to_sign_in(app, issued):
    res = app.test_client().get(f"/console/documents/order/{issued['uuid']}/sign")
    assert res.status_code == 302 and "/login" in res.headers["Location"]
