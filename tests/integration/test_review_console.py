"""Console pages of review and the hazard loop: who sees which page and may post which form, and the forms' effects."""
import io

import pytest

from tests.integration.review_fixtures import TEAM, jpeg, submit, world
from tests.integration.worker_fixtures import records


@pytest.fixture
def approved(app, login):
    w = world(app)
    filed = submit(app, w)
    sup = login("supervisor", "370100")
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general, major = (h["_id"].split(":", 1)[1] for h in filed["hazards"])
    photo = filed["hazards"][0]["photos"][0].split(":", 1)[1]
    return {"sup": sup, "filed": filed, "key": filed["key"], "general": general, "major": major, "photo": photo}


def pages(a):
    return [f"/console/review", f"/console/review/{a['key']}", f"/console/hazards", f"/console/hazards/{a['general']}",
            f"/console/review/{a['key']}/signatures/signature-inspector.png",
            f"/console/photos/{a['photo']}/thumbnail", f"/console/photos/{a['photo']}/original"]


def test_every_page_in_scope_out_of_scope_and_for_other_roles(app, client, login, approved):
    readers = {"jinan": login("supervisor", "370100"), "lixia": login("supervisor", "370102"),
               "shandong": login("supervisor", "370000"), "admin": login("admin", "110000")}
    outsider = login("supervisor", "370200")
    for path in pages(approved):
        for name, session in readers.items():
            assert session.get(path).status_code == 200, (name, path)
        expected = 200 if path in ("/console/review", "/console/hazards") else 404
        assert outsider.get(path).status_code == expected, path
        for role in ("inspector", "expert"):
            assert login(role, "370102").get(path).status_code == 403, (role, path)
        res = client.get(path)
        assert res.status_code == 302 and "/login" in res.headers["Location"], path
    listing = outsider.get("/console/review?review_status=all").get_data(as_text=True)
    assert approved["filed"]["inspection"]["_id"][11:] not in listing
    assert approved["general"] not in outsider.get("/console/hazards").get_data(as_text=True)


def test_the_inspection_page_shows_evidence_names_signature_and_photos(approved):
    page = approved["sup"].get(f"/console/review/{approved['key']}").get_data(as_text=True)
    for text in ("扫码入企证据", "签名核验通过", "张伟", "李娜", "拒绝签名", "重大事故隐患", "已通过",
                 "(济南)应急检记〔2026〕1号", "/signatures/signature-inspector.png", f"/console/photos/{approved['photo']}"):
        assert text in page, text
    english = approved["sup"].get(f"/console/review/{approved['key']}?lang=en").get_data(as_text=True)
    assert "Check-in evidence" in english and "Major hazard" in english and 'lang="en"' in english


def test_forms_posted_out_of_scope_or_by_other_roles_are_refused(app, login, approved):
    outsider, inspector = login("supervisor", "370200"), login("inspector", "370102")
    k, g = approved["key"], approved["general"]
    forms = [(f"/console/review/{k}", {"decision": "approved"}), (f"/console/review/{k}/order", {"case": g, f"days.{g}": "5"}),
             (f"/console/hazards/{g}/order", {"days": "5"}), (f"/console/hazards/{g}/close", {}),
             (f"/console/hazards/{g}/rectify", {"text": "已整改完毕"}), (f"/console/hazards/{g}/reinspection", {}),
             (f"/console/hazards/{g}/five_in_place", {})]
    for path, form in forms:
        assert outsider.post(path, data={**form, "csrf_token": outsider.csrf}).status_code == 404, path  # like unknown
        assert inspector.post(path, data={**form, "csrf_token": inspector.csrf}).status_code == 403, path
    assert approved["sup"].client.post(f"/console/hazards/{g}/order", data={"days": "5"}).status_code == 403  # no CSRF
    assert approved["sup"].post(f"/console/hazards/{g}/explode", data={"csrf_token": approved["sup"].csrf}).status_code == 404
    assert records(app).get(f"case:{g}")["state"] == "found"


def test_the_forms_run_the_loop(app, approved):
    sup, k, g = approved["sup"], approved["key"], approved["general"]
    csrf = {"csrf_token": sup.csrf}
    res = sup.post(f"/console/review/{k}/order", data={**csrf, "case": g, f"days.{g}": "5"})
    assert res.status_code == 302 and "done=ordered" in res.headers["Location"]
    assert records(app).get(f"case:{g}")["state"] == "ordered"
    res = sup.post(f"/console/hazards/{g}/rectify", data={**csrf, "text": "已清理安全出口",
                                                          "photos": (io.BytesIO(jpeg((10, 160, 10))), "after.jpg")},
                   content_type="multipart/form-data")
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    case = records(app).get(f"case:{g}")
    assert case["state"] == "rectified" and len(case["rectification"]["photos"]) == 1
    res = sup.post(f"/console/hazards/{g}/reinspection", data={**csrf, "inspectors": TEAM[:1], "window_days": "7"})
    assert res.status_code == 422 and "两" in res.get_data(as_text=True)          # one inspector is not enough
    res = sup.post(f"/console/hazards/{g}/close", data={**csrf, "note": "<script>x</script>现场核实"})
    assert res.status_code == 302 and records(app).get(f"case:{g}")["state"] == "closed"
    page = sup.get(f"/console/hazards/{g}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;现场核实" in page and "<script>x</script>" not in page


def test_a_refused_step_shows_its_reason_on_the_page(approved):
    sup, m = approved["sup"], approved["major"]
    res = sup.post(f"/console/hazards/{m}/order", data={"csrf_token": sup.csrf, "days": "10"})
    assert res.status_code == 422 and "五到位" in res.get_data(as_text=True)
    res = sup.post(f"/console/hazards/{m}/five_in_place", data={"csrf_token": sup.csrf, "measures": "x" * 3000})
    assert res.status_code == 422 and "role=\"alert\"" in res.get_data(as_text=True)
    res = sup.post(f"/console/review/{approved['key']}", data={"csrf_token": sup.csrf, "decision": "approved"})
    assert res.status_code == 409 and "待审核" in res.get_data(as_text=True)


def test_bad_filters_on_the_pages_show_an_error_not_a_crash(approved):
    for path in ("/console/review?review_status=nope&limit=0", "/console/review?cursor=%%%",
                 "/console/hazards?state=nope", "/console/hazards?cursor=WyJjIl0"):
        res = approved["sup"].get(path)
        assert res.status_code == 200 and "role=\"alert\"" in res.get_data(as_text=True), path
