"""Orders and the five in place (五到位) agree: one rule for both deadlines, no order longer than the 治理期限,
a form that pre-selects only what it can issue, and a PDF link with progress after issuing."""
import re
from datetime import timedelta

import pytest

from server import clock
from server.calendar.workdays import add_days
from tests.integration.review_fixtures import submit, world

H = "/api/v1/hazards"
DAY = "2026-12-02"


def five(deadline: str) -> dict:
    return {"measures": "更换防爆电气设备并加装可燃气体报警", "responsible": "张三（设备部经理）", "funds": "8万元，企业自筹",
            "deadline": deadline, "contingency": "停用二号车间，设置警戒区"}


@pytest.fixture
def approved(app, login):
    app.config["CLOCK_TODAY"] = DAY
    # Started on DAY (10:00 in China), whatever the real date: a check started after "today" is refused.
    filed = submit(app, world(app), started_at=f"{DAY}T02:00:00+00:00")
    sup = login("supervisor", "370100")
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general, major = (h["_id"].split(":", 1)[1] for h in filed["hazards"])
    with app.app_context():
        today = clock.today()
    return {"sup": sup, "key": filed["key"], "general": general, "major": major, "today": today}


def order(a, *items):
    return a["sup"].post("/api/v1/orders", json={"inspection": a["key"], "items": [{"case": c, "days": d} for c, d in items]})


def test_the_five_in_place_deadline_obeys_the_orders_rule(approved):
    sup, major = approved["sup"], approved["major"]
    res = sup.post(f"{H}/{major}/five_in_place", json=five("2026-12-01"))
    assert res.status_code == 422 and "2026-12-01" in res.get_json()["message"] and "已经过去" in res.get_json()["message"]
    res = sup.post(f"{H}/{major}/five_in_place", json=five("2029-12-31"))
    assert res.status_code == 422 and "太远" in res.get_json()["message"]
    assert sup.get(f"{H}/{major}").get_json()["five_in_place"] is None
    assert sup.post(f"{H}/{major}/five_in_place", json=five(DAY)).status_code == 200       # today is not past


def test_a_major_order_longer_than_the_five_in_place_is_refused_with_both_dates(approved):
    sup, major, today = approved["sup"], approved["major"], approved["today"]
    limit = add_days(today, 10, "working")
    assert sup.post(f"{H}/{major}/five_in_place", json=five(limit.isoformat())).status_code == 200
    res = order(approved, (approved["general"], 5), (major, 11))
    body = res.get_json()
    assert res.status_code == 422 and limit.isoformat() in body["message"] and "五到位" in body["message"]
    assert add_days(today, 11, "working").isoformat() in body["message"]
    assert sup.get(f"{H}/{approved['general']}").get_json()["state"] == "found"           # nothing moved
    res = order(approved, (major, 10))
    assert res.status_code == 201
    item = res.get_json()["items"][0]
    assert item["deadline"] == limit.isoformat() == item["five_deadline"] and item["deadline_provisional"] is False
    assert sup.get(f"{H}/{major}").get_json()["deadline_note"] is None                     # they agree
    res = sup.post(f"{H}/{major}/five_in_place", json=five((limit - timedelta(days=1)).isoformat()))
    assert res.status_code == 422 and "早于已下达的整改指令期限" in res.get_json()["message"]


def test_a_shorter_major_order_says_why_it_differs(approved):
    sup, major, today = approved["sup"], approved["major"], approved["today"]
    sup.post(f"{H}/{major}/five_in_place", json=five(add_days(today, 20, "working").isoformat()))
    assert order(approved, (major, 5)).status_code == 201
    case = sup.get(f"{H}/{major}").get_json()
    assert "早于五到位治理期限" in case["deadline_note"]
    assert case["deadline_note"] in sup.get(f"/console/hazards/{major}").get_data(as_text=True)


def default_submission(page: str) -> dict:
    """What the order form sends if the user just presses the button: its checked boxes and their days."""
    form = page[page.index('class="order-form"'):]
    form = form[:form.index("</form>")]
    checked = re.findall(r'name="case" value="([^"]+)"[^>]*\n?\s*checked', form)
    data = {"case": checked}
    for key in checked:
        data[f"days.{key}"] = re.search(rf'name="days\.{key}"[^>]*value="(\d+)"', form).group(1)
    return data


def test_the_order_form_never_preselects_what_it_would_refuse(app, approved):
    sup, key, major, general = approved["sup"], approved["key"], approved["major"], approved["general"]
    page = sup.get(f"/console/review/{key}").get_data(as_text=True)
    row = re.search(rf'<input type="checkbox" name="case" value="{major}"[^>]*>', page).group(0)
    assert "disabled" in row and "checked" not in row
    assert default_submission(page)["case"] == [general]
    limit = add_days(approved["today"], 8, "working")
    sup.post(f"{H}/{major}/five_in_place", json=five(limit.isoformat()))
    page = sup.get(f"/console/review/{key}").get_data(as_text=True)
    data = default_submission(page)
    assert sorted(data["case"]) == sorted([general, major]) and data[f"days.{major}"] == "8"
    assert f"五到位治理期限 {limit.isoformat()}" in page
    res = sup.post(f"/console/review/{key}/order", data=data)
    assert res.status_code == 302, res.get_data(as_text=True)[-2000:]
    assert sup.get(f"{H}/{major}").get_json()["deadline"] == limit.isoformat()


def test_a_five_in_place_with_no_working_day_left_blocks_the_row(app, approved):
    sup, key, major = approved["sup"], approved["key"], approved["major"]
    assert sup.post(f"{H}/{major}/five_in_place", json=five(DAY)).status_code == 200
    page = sup.get(f"/console/review/{key}").get_data(as_text=True)
    row = re.search(rf'<input type="checkbox" name="case" value="{major}"[^>]*>', page).group(0)
    assert "disabled" in row and "之前已没有可用的工作日" in page
    assert "之前已没有可用的工作日" in sup.get(f"/console/hazards/{major}").get_data(as_text=True)


def test_after_issuing_the_page_links_to_the_pdf_with_progress(app, client, login, approved):
    sup, key, general = approved["sup"], approved["key"], approved["general"]
    res = sup.post(f"/console/review/{key}/order", data={"case": [general], f"days.{general}": "5"})
    assert res.status_code == 302 and "order_key=" in res.headers["Location"]
    order_key = re.search(r"order_key=([0-9a-f-]{36})", res.headers["Location"]).group(1)
    done = sup.get(res.headers["Location"])
    page = done.get_data(as_text=True)
    link = re.search(r'<a class="pdf-progress" href="([^"]+)" data-busy="([^"]+)"', page)
    assert link and link.group(1) == f"/console/documents/order/{order_key}.pdf" and link.group(2) == "正在生成…"
    assert '<script src="/static/pdf-link.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)                               # nothing inline
    csp = done.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src" not in csp
    script = client.get("/static/pdf-link.js")
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert "aria-busy" in script.get_data(as_text=True) and "http" not in script.get_data(as_text=True).split("*/", 1)[1]
    assert sup.get(link.group(1)).headers["Content-Type"] == "application/pdf"
    other = login("supervisor", "370200").get(f"/console/review/{key}?done=ordered&order_key={order_key}")
    assert other.status_code == 404                                                     # out of scope
    lixia_admin = login("admin", "110000").get(f"/console/review/{key}?done=ordered&order_key=not-a-uuid")
    assert lixia_admin.status_code == 200 and "pdf-progress" not in lixia_admin.get_data(as_text=True)
