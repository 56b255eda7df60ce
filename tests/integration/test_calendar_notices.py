"""Holiday notices on a real CouchDB: who may see and enter them, hostile input, the provisional deadline of
an order counted into 2027 (API, pages, PDF preview), and its recount once the 2027 notice is saved."""
from pathlib import Path

import pytest

import server
from server.db import registry
from tests.integration.lag import audit_actions
from tests.integration.review_fixtures import submit, world

PAGE = "/console/status/calendar"
ROOT = str(Path(server.__file__).resolve().parents[1])   # no message may show where the server lives
NOTICE = {"year": "2027", "reference": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
          "holidays": "2027-01-01\n2027-02-06\n2027-02-07\n2027-02-08", "workdays": "2027-01-09"}


def stored(app, year=2027):
    with app.app_context():
        return registry().get_or_none(f"calendar:{year}")



def test_who_may_see_the_screen_and_who_may_enter_a_notice(app, client, login):
    admin, sup, inspector = login("admin", "370000"), login("supervisor", "370100"), login("inspector", "370102")
    res = client.get(PAGE)
    assert res.status_code == 302 and "/login" in res.headers["Location"]
    assert client.post(PAGE, data=NOTICE).status_code in (302, 403)
    assert inspector.get(PAGE).status_code == 403 and inspector.post(PAGE, data=NOTICE).status_code == 403
    page = sup.get(PAGE).get_data(as_text=True)
    assert "节假日安排" in page and 'name="holidays"' not in page and "只有系统管理员" in page
    assert sup.post(PAGE, data=NOTICE).status_code == 403
    assert sup.post(f"{PAGE}/recount").status_code == 403
    assert stored(app) is None
    page = admin.get(PAGE).get_data(as_text=True)
    assert 'name="holidays"' in page and ROOT not in page
    status = admin.get("/console/status").get_data(as_text=True)
    assert PAGE in status and "可计算工作日期限至" in status and ROOT not in status and "extra_days" not in status


def test_an_admin_enters_the_notice_audited_and_it_is_official_at_once(app, login):
    admin = login("admin", "370000")
    res = admin.post(PAGE, data=NOTICE)
    assert res.status_code == 302 and "done=saved" in res.headers["Location"]
    doc = stored(app)
    assert doc["holidays"] == ["2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08"]
    assert doc["workdays"] == ["2027-01-09"] and doc["entered_by"] == admin.username
    assert audit_actions(app, "calendar:2027", 1) == ["calendar.notice"]
    with app.app_context():
        from server.calendar.workdays import deadline, is_working_day, known_until
        assert is_working_day(__import__("datetime").date(2027, 1, 9)) is True       # the make-up Saturday
        assert known_until().year >= 2027
        assert deadline(__import__("datetime").date(2026, 12, 30), 3).provisional is False
    page = admin.get(res.headers["Location"]).get_data(as_text=True)
    assert "2027 年通知已保存" in page and "2027-01-09" in page
    again = admin.post(PAGE, data={**NOTICE, "workdays": ""})                       # a correction replaces it
    assert again.status_code == 302 and stored(app)["workdays"] == []
    assert audit_actions(app, "calendar:2027", 2) == ["calendar.notice", "calendar.notice"]


@pytest.mark.parametrize("change, says", [
    ({"year": "abc"}, "年份"), ({"year": "1999"}, "年份"), ({"year": "2026"}, "2026"),
    ({"holidays": "2027-01-01\n1月2日放假"}, "1月2日放假"), ({"holidays": "2028-01-01 2027-01-01"}, "2028-01-01"),
    ({"workdays": "2027-01-06"}, "星期一至星期五"), ({"workdays": "2027-01-01"}, "同时"),
    ({"holidays": "2027-01-01\n" * 600}, "放假日期"), ({"reference": "通"}, "通知文号"),
    ({"reference": "通知\x00文号"}, "通知文号"), ({"sneaky": "1"}, "sneaky"), ({"holidays": ""}, "放假日期"),
])
def test_malformed_hostile_and_oversized_notices_are_refused_and_nothing_is_stored(app, login, change, says):
    admin = login("admin", "370000")
    res = admin.post(PAGE, data={**NOTICE, **change})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and 'role="alert"' in page and says in page, page[-3000:]
    assert stored(app) is None and ROOT not in page


@pytest.fixture
def ordered_into_2027(app, login):
    """An approved inspection whose general hazard is ordered on 2026-12-20 with 30 working days."""
    app.config["CLOCK_TODAY"] = "2026-12-20"
    # started on a day not after the test's "today", whatever the real date (a later check is refused)
    filed = submit(app, world(app), started_at="2026-12-02T02:00:00+00:00")
    sup = login("supervisor", "370100")
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general, major = (h["_id"].split(":", 1)[1] for h in filed["hazards"])
    res = sup.post("/api/v1/orders", json={"inspection": filed["key"], "items": [{"case": general, "days": 30}]})
    assert res.status_code == 201, res.get_json()
    return {"sup": sup, "order": res.get_json(), "general": general, "major": major, "filed": filed}


def test_a_deadline_counted_into_2027_is_provisional_everywhere_it_is_shown(app, ordered_into_2027):
    sup, order, general = ordered_into_2027["sup"], ordered_into_2027["order"], ordered_into_2027["general"]
    item = order["items"][0]
    assert item["deadline"] == "2027-02-01" and item["deadline_provisional"] is True   # 元旦 by rule, no 调休
    case = sup.get(f"/api/v1/hazards/{general}").get_json()
    assert case["deadline_provisional"] is True and case["deadline_rule"] == {"from": "2026-12-20", "days": 30,
                                                                                "unit": "working"}
    assert "暂定" in sup.get(f"/console/hazards/{general}").get_data(as_text=True)
    listed = sup.get("/api/v1/hazards?state=ordered").get_json()["items"]
    assert [i["deadline_provisional"] for i in listed if i["id"] == general] == [True]
    assert "暂定" in sup.get("/console/hazards?state=ordered").get_data(as_text=True)
    preview = sup.get(f"/console/documents/order/{order['id'][6:]}.html").get_data(as_text=True)
    assert "2027年2月1日前（暂定）" in preview, preview[:2000]


def test_saving_the_notice_recounts_provisional_deadlines_in_cases_and_orders(app, login, ordered_into_2027):
    admin, sup = login("admin", "370000"), ordered_into_2027["sup"]
    general, order = ordered_into_2027["general"], ordered_into_2027["order"]
    assert "暂定期限：1 个" in admin.get(PAGE).get_data(as_text=True)
    res = admin.post(PAGE, data={**NOTICE, "holidays": "2027-01-01"})           # and Saturday 9 January worked
    assert res.status_code == 302 and "changed=1" in res.headers["Location"] and "orders=1" in res.headers["Location"]
    case = sup.get(f"/api/v1/hazards/{general}").get_json()
    assert case["deadline"] == "2027-01-29" and case["deadline_provisional"] is False
    assert case["history"][-1]["action"] == "recount_deadline"
    item = sup.get(f"/api/v1/orders/{order['id'][6:]}").get_json()["items"][0]
    assert item["deadline"] == "2027-01-29" and item["deadline_provisional"] is False
    assert "calendar.recount" in audit_actions(app, "hazards", 1)
    assert "按节假日通知重算期限" in sup.get(f"/console/hazards/{general}").get_data(as_text=True)
    assert "暂定期限：0 个" in admin.get(PAGE).get_data(as_text=True)
    assert admin.post(f"{PAGE}/recount").status_code == 302                      # nothing left: harmless
    out = app.test_cli_runner().invoke(args=["recount-deadlines"])
    assert out.exit_code == 0 and '"changed": 0' in out.output


def test_a_broken_calendar_file_takes_no_page_down_and_names_no_path(app, login, tmp_path, monkeypatch):
    bad = tmp_path / "extra_days.json"
    bad.write_text("{broken")
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(bad))
    sup = login("supervisor", "370100")
    for path in ("/console/plans", "/console/status", PAGE, "/console/hazards", "/api/v1/tasks/overdue-publications"):
        res = sup.get(path)
        assert res.status_code == 200 and str(tmp_path) not in res.get_data(as_text=True), path
    assert "格式不正确" in sup.get("/console/status").get_data(as_text=True)


def test_two_admins_saving_the_same_year_at_once_leave_one_notice_and_one_audit_entry_each(app, login):
    from concurrent.futures import ThreadPoolExecutor
    first, second = login("admin", "370000"), login("admin", "370000", username="admin2")
    bodies = [(first, {**NOTICE, "workdays": "2027-01-09"}), (second, {**NOTICE, "workdays": "2027-01-10"})]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda sb: sb[0].post(PAGE, data=sb[1]), bodies))
    codes = sorted(r.status_code for r in results)
    assert codes in ([302, 302], [302, 422]), codes
    assert stored(app)["workdays"] in (["2027-01-09"], ["2027-01-10"])
    assert audit_actions(app, "calendar:2027", codes.count(302)) == ["calendar.notice"] * codes.count(302)
    if 422 in codes:
        refused = next(r for r in results if r.status_code == 422).get_data(as_text=True)
        assert "刚被他人修改" in refused
