"""The major-hazard database's console (issue 15 item 6): who sees and does what, 挂牌督办 at a level, its
lifting after 销号, measures (函告/通报/约谈/曝光) with documents, bad input, and two supervisors racing."""
from __future__ import annotations

import threading

from tests.integration.lag import audit_entries as entries
from tests.integration.majors_fixtures import PDF, case_doc, in_days, make_case, set_state, supervise_form


def post(session, case, action, data, **kw):
    return session.post(f"/console/majors/{case['key']}/{action}", data=data, **kw)


def test_anonymous_and_field_staff_are_refused(app, client, login):
    case = make_case(app)
    for url in ("/console/majors", f"/console/majors/{case['key']}", "/console/majors/stats",
                "/console/majors/stats.csv"):
        res = client.get(url)
        assert res.status_code == 302 and "/login" in res.headers["Location"], url
    sent = client.post(f"/console/majors/{case['key']}/supervise", data=supervise_form(app))
    assert sent.status_code in (302, 401, 403)
    inspector = login("inspector", "370102")
    for url in ("/console/majors", f"/console/majors/{case['key']}", "/console/majors/stats"):
        assert inspector.get(url).status_code == 403, url
    assert post(inspector, case, "supervise", supervise_form(app)).status_code == 403
    assert case_doc(app, case)["supervised"] is False and not entries(app, "major.supervise")


def test_a_supervisor_of_another_region_sees_nothing(app, login):
    case = make_case(app)
    qingdao = login("supervisor", "370200")
    page = qingdao.get("/console/majors").get_data(as_text=True)
    assert "甲类仓库设在半地下室" not in page
    assert qingdao.get(f"/console/majors/{case['key']}").status_code == 404
    assert post(qingdao, case, "supervise", supervise_form(app)).status_code == 404
    assert post(qingdao, case, "measure", {"kind": "interview", "on": in_days(app, 0), "title": "约谈通知",
                                           "text": "约谈企业主要负责人"}).status_code == 404
    assert qingdao.get("/console/majors/stats?region=370102").status_code == 404
    assert case_doc(app, case).get("supervision") is None


def test_the_list_shows_every_major_hazard_with_its_source_and_filters(app, login):
    make_case(app, description="举报查实的粉尘涉爆隐患", source="report")
    make_case(app, description="企业自查的液氨泄漏隐患", source="self_report")
    make_case(app, description="检查发现的一般隐患", grade="general")
    sup = login("supervisor", "370100")
    page = sup.get("/console/majors").get_data(as_text=True)
    assert "举报查实的粉尘涉爆隐患" in page and "企业自查的液氨泄漏隐患" in page and "检查发现的一般隐患" not in page
    assert "举报查实" in page and "企业自查上报" in page
    only = sup.get("/console/majors?source=self_report").get_data(as_text=True)
    assert "企业自查的液氨泄漏隐患" in only and "举报查实的粉尘涉爆隐患" not in only
    assert sup.get("/console/majors?source=bogus&level=%3Cscript%3E").status_code == 422
    assert sup.get("/console/majors?cursor=not-a-cursor").status_code == 422


def test_a_city_supervisor_lists_a_major_hazard_at_city_level(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    res = post(sup, case, "supervise", supervise_form(app, "city"))
    assert res.status_code == 302, res.get_data(as_text=True)
    doc = case_doc(app, case)
    assert doc["supervised"] is True and doc["supervision"]["level"] == "city"
    assert doc["supervision"]["by"] == "supervisor370100" and doc["supervision"]["number"] == "济安委督〔2026〕3号"
    assert doc["history"][-1]["action"] == "supervise"
    audited, = entries(app, "major.supervise", count=1)
    assert audited["subject"] == case["_id"] and audited["details"]["level"] == "city"
    page = sup.get(f"/console/majors/{case['key']}").get_data(as_text=True)
    assert "市级挂牌督办" in page and "济安委督〔2026〕3号" in page
    assert "市级挂牌督办" in sup.get("/console/majors?level=city").get_data(as_text=True)
    too_high = post(sup, case, "supervise", supervise_form(app, "province"))
    assert too_high.status_code == 403 and "省级挂牌督办" in too_high.get_data(as_text=True)


def test_levels_go_up_never_down_and_a_county_lists_only_at_county_level(app, login):
    case = make_case(app)
    county = login("supervisor", "370102")
    assert post(county, case, "supervise", supervise_form(app, "city")).status_code == 403
    assert post(county, case, "supervise", supervise_form(app, "county")).status_code == 302
    again = post(county, case, "supervise", supervise_form(app, "county"))
    assert again.status_code == 409 and "只能提高督办级别" in again.get_data(as_text=True)
    admin = login("admin", "370000")
    assert post(admin, case, "supervise", supervise_form(app, "province")).status_code == 302
    held = case_doc(app, case)["supervision"]
    assert held["level"] == "province" and held["earlier"][0]["level"] == "county"
    assert len(entries(app, "major.supervise", count=2)) == 2


def test_malformed_and_hostile_input_is_refused_in_words(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    bad = [supervise_form(app, "regional"), supervise_form(app, number=""), supervise_form(app, deadline="2026-13-40"),
           supervise_form(app, deadline=in_days(app, -1)), supervise_form(app, text="x" * 5000),
           supervise_form(app, text="含控制字符\x07"), {"level": "city"}, {**supervise_form(app), "extra": "1"}]
    for form in bad:
        res = post(sup, case, "supervise", form)
        assert res.status_code == 422, (form, res.status_code)
        assert 'role="alert"' in res.get_data(as_text=True)
    assert post(sup, case, "dance", supervise_form(app)).status_code == 404
    assert sup.get("/console/majors/not-a-uuid").status_code == 404
    general = make_case(app, grade="general")
    assert post(sup, general, "supervise", supervise_form(app)).status_code == 409
    assert case_doc(app, case).get("supervision") is None and not entries(app, "major.supervise")


def test_measures_are_recorded_with_their_documents_and_shown_in_the_history(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    res = post(sup, case, "measure", {"kind": "interview", "on": in_days(app, 0), "number": "济安约〔2026〕1号",
                                      "title": "关于约谈企业主要负责人的通知", "text": "约谈法定代表人"})
    assert res.status_code == 302
    res = post(sup, case, "measure", {"kind": "letter", "on": in_days(app, -2), "title": "函告",
                                      "file": (__import__("io").BytesIO(PDF), "letter.pdf")},
               content_type="multipart/form-data")
    assert res.status_code == 302, res.get_data(as_text=True)
    doc = case_doc(app, case)
    kinds = [e["kind"] for e in doc["escalations"]]
    assert kinds == ["interview", "letter"] and doc["escalations"][1]["file"].startswith("majordoc:")
    assert [h["action"] for h in doc["history"][-2:]] == ["measure_interview", "measure_letter"]
    assert len(entries(app, "major.measure", count=2)) == 2
    page = sup.get(f"/console/majors/{case['key']}").get_data(as_text=True)
    assert "约谈" in page and "关于约谈企业主要负责人的通知" in page and "函告" in page
    file_key = doc["escalations"][1]["file"].split(":", 1)[1]
    got = sup.get(f"/console/majors/files/{file_key}.pdf")
    assert got.status_code == 200 and got.data == PDF and got.headers["Content-Type"] == "application/pdf"
    assert login("supervisor", "370200").get(f"/console/majors/files/{file_key}.pdf").status_code == 404
    assert sup.get("/console/majors/files/../../x.pdf").status_code == 404


def test_bad_measures_are_refused_and_leave_no_file(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    io = __import__("io")
    cases = [({"kind": "interview", "on": in_days(app, 3), "title": "约谈", "text": "明天"}, 422),
             ({"kind": "interview", "on": in_days(app, 0), "title": "约谈"}, 422),
             ({"kind": "banish", "on": in_days(app, 0), "title": "约谈", "text": "x"}, 422),
             ({"kind": "notice", "on": in_days(app, 0), "title": "通报",
               "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "evil.pdf")}, 422)]
    for form, status in cases:
        res = post(sup, case, "measure", form, content_type="multipart/form-data")
        assert res.status_code == status, (form, res.status_code)
    big = (io.BytesIO(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)), "big.pdf")
    res = post(sup, case, "measure", {"kind": "notice", "on": in_days(app, 0), "title": "通报", "file": big},
               content_type="multipart/form-data")
    assert res.status_code == 422 and "10 MB" in res.get_data(as_text=True)
    assert not case_doc(app, case).get("escalations") and not entries(app, "major.measure")
    with app.app_context():
        from server.db import database
        assert not database("records").find({"type": "major_document"})


def test_supervision_is_lifted_only_after_the_case_is_closed(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    assert post(sup, case, "supervise", supervise_form(app)).status_code == 302
    early = post(sup, case, "lift", {"note": "已整改"})
    assert early.status_code == 409 and "隐患销号后才能解除挂牌督办" in early.get_data(as_text=True)
    assert post(login("supervisor", "370102"), case, "lift", {"note": "县里解除"}).status_code == 409
    set_state(app, case, "closed")
    assert post(login("supervisor", "370102"), case, "lift", {"note": "县里解除"}).status_code == 403
    assert post(sup, case, "lift", {"note": ""}).status_code == 422
    assert post(sup, case, "lift", {"note": "复查合格，予以销号"}).status_code == 302
    doc = case_doc(app, case)
    assert doc["supervised"] is False and doc["supervision"]["lifted"]["note"] == "复查合格，予以销号"
    assert len(entries(app, "major.supervise_lift", count=1)) == 1
    assert post(sup, case, "supervise", supervise_form(app)).status_code == 409


def test_two_supervisors_listing_at_the_same_moment_one_wins(app, login):
    case = make_case(app)
    city, admin = login("supervisor", "370100"), login("admin", "370000")
    start, results = threading.Barrier(2), []

    def go(session):
        start.wait()
        results.append(post(session, case, "supervise", supervise_form(app, "city")).status_code)
    threads = [threading.Thread(target=go, args=(s,)) for s in (city, admin)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [302, 409], results
    assert len(entries(app, "major.supervise", count=1)) == 1
    assert [h["action"] for h in case_doc(app, case)["history"]].count("supervise") == 1


def test_an_admin_sees_every_region_and_a_supervisor_only_below_theirs(app, login):
    jinan, qingdao = make_case(app, description="济南的重大隐患"), make_case(app, region="370202", description="青岛的重大隐患")
    admin = login("admin", "370000")
    page = admin.get("/console/majors").get_data(as_text=True)
    assert "济南的重大隐患" in page and "青岛的重大隐患" in page
    assert admin.get(f"/console/majors/{qingdao['key']}").status_code == 200
    assert admin.get("/console/majors?region=3702").get_data(as_text=True).count("的重大隐患") == 1
    sup = login("supervisor", "370100")
    assert sup.get(f"/console/majors/{jinan['key']}").status_code == 200
    assert sup.get(f"/console/majors/{qingdao['key']}").status_code == 404
    assert "青岛的重大隐患" not in sup.get("/console/majors?region=37").get_data(as_text=True)
    assert sup.get("/console/majors/stats.csv?region=370200").status_code == 404
    assert login("supervisor", "370200").get(f"/console/majors/{jinan['key']}/supervise").status_code == 405
