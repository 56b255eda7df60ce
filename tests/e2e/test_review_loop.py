"""Review and the hazard loop in Debian's Chromium: a supervisor returns, then approves, a filed inspection;
a major hazard goes through the five in place, an order, its rectification with a photo, a re-inspection
task answered on a phone, and close-out (销号). Phones are their inspector databases; the worker is real."""
from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from server.db import registry
from tests.e2e.helpers import SUPERVISOR, sign_in
from tests.integration.review_fixtures import TEAM, jpeg, submit, world
from tests.integration.worker_fixtures import inspection, phone_db, records, run_worker


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def images_loaded(page, selector: str) -> list[int]:
    """The natural widths of the matching images: 0 means the browser could not show one."""
    return page.eval_on_selector_all(selector, "els => els.map(e => e.complete ? e.naturalWidth : 0)")


def test_a_supervisor_returns_then_approves_an_inspection(live_server, page, dialogs):
    app = live_server.app
    w = world(app, name="济南华泰机械制造有限公司")
    filed = submit(app, w)
    key = filed["key"]
    sign_in(page, live_server.url, SUPERVISOR)
    click_and_wait(page, "header nav a[href='/console/review']")
    row = page.locator("table.queue tbody tr", has_text=w["name"])
    assert "核验通过" in row.inner_text() and "待审核" in row.inner_text()
    click_and_wait(page, f"a[href='/console/review/{key}']")
    assert page.locator("h1").inner_text().startswith(w["name"])
    evidence = page.locator("dl.checkin").inner_text()
    assert "签名核验通过" in evidence and "定位精度" in evidence and "距场所" in evidence
    page.wait_for_load_state("networkidle")
    assert all(width > 0 for width in images_loaded(page, "a.thumb img"))
    assert images_loaded(page, "img.signature") and all(images_loaded(page, "img.signature"))
    full = page.context.request.get(live_server.url + page.locator("a.thumb").first.get_attribute("href"))
    assert full.status == 200 and Image.open(io.BytesIO(full.body())).size == (640, 480)

    page.check("input[name=decision][value=returned]")
    page.fill("textarea[name=comments]", "请补拍安全出口照片并注明位置")
    page.fill("input[name='item.fire-6-5']", "照片看不清出口标志")
    click_and_wait(page, "#review-form button[type=submit]")
    assert "已退回" in page.locator("p[role=status]").inner_text()
    assert "已退回" in page.locator("h1").inner_text()
    run_worker(app)
    delivered = filed["db"].get(f"review:{filed['inspection']['_id']}")
    assert delivered["decision"] == "returned" and delivered["items"] == {"fire-6-5": "照片看不清出口标志"}

    phone = filed["db"].get(filed["inspection"]["_id"])
    filed["db"].put({**phone, "place": "二号车间（已补拍）", "corrects": f"review:{filed['inspection']['_id']}:1"})
    run_worker(app)
    page.reload()
    assert "待审核" in page.locator("h1").inner_text() and "二号车间（已补拍）" in page.locator("dl.facts").first.inner_text()
    page.check("input[name=decision][value=approved]")
    click_and_wait(page, "#review-form button[type=submit]")
    assert "已通过" in page.locator("h1").inner_text()
    assert "(济南)应急检记〔2026〕" in page.locator("dl.facts").first.inner_text()
    assert page.locator("section.card", has_text="审核记录").locator("tbody tr").count() == 2
    assert dialogs == []


def test_a_major_hazard_goes_round_the_loop_to_close_out(live_server, page, dialogs):
    app = live_server.app
    w = world(app, name="山东泉城化工有限公司", sector="machinery")
    filed = submit(app, w)
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(f"{live_server.url}/console/review/{filed['key']}")
    page.check("input[name=decision][value=approved]")
    click_and_wait(page, "#review-form button[type=submit]")

    major = filed["hazards"][1]["_id"].split(":", 1)[1]
    blocked = page.locator(f"form.order-form input[name=case][value='{major}']")   # major without the five:
    assert blocked.is_disabled() and not blocked.is_checked()                       # never pre-selected
    assert "五到位" in page.locator("form.order-form tr.blocked").inner_text()
    page.goto(f"{live_server.url}/console/hazards/{major}")
    page.fill("textarea[name=measures]", "更换为防爆型电气设备，加装可燃气体报警器")
    page.fill("textarea[name=contingency]", "停用甲类仓库，设置警戒区，配备灭火器材")
    page.fill("input[name=responsible]", "赵刚（设备部经理）")
    page.fill("input[name=funds]", "8万元，企业自筹")
    page.fill("input[name=deadline]", (date.today() + timedelta(days=30)).isoformat())
    click_and_wait(page, "form.five button[type=submit]")
    assert "五到位已保存" in page.locator("[role=status]").inner_text()

    page.goto(f"{live_server.url}/console/review/{filed['key']}")
    click_and_wait(page, "form.order-form button[type=submit]")
    assert "(济南)应急责改〔2026〕" in page.locator("[role=status]").inner_text()

    page.goto(f"{live_server.url}/console/hazards/{major}")
    assert "整改中" in page.locator("p.badges").inner_text() and "挂牌督办" in page.locator("p.badges").inner_text()
    page.fill("textarea[name=text]", "已更换防爆电气设备，报警器已安装调试")
    page.set_input_files("input[name=photos]", {"name": "after.jpg", "mimeType": "image/jpeg",
                                                "buffer": jpeg((30, 140, 40))})
    click_and_wait(page, "form[enctype] button[type=submit]")
    assert "已整改待复查" in page.locator("p.badges").inner_text()
    assert page.locator("button", has_text="销号").count() == 0                    # major: re-inspection first
    for person in TEAM:
        page.check(f"input[name=inspectors][value='{person}']")
    click_and_wait(page, "form[action$='/reinspection'] button[type=submit]")
    assert "复查任务已派发" in page.locator("[role=status]").inner_text()

    case = records(app).get(f"case:{major}")
    with app.app_context():
        task = registry().get(case["reinspection_task"])
    phone = phone_db(app, TEAM[1])
    assert phone.get(task["_id"])["hazards"][0]["hazard"] == f"hazard:{major}"
    answer = inspection(app, task, checklist="checklist:reinspection:v1",
                        answers=[{"item": f"hazard:{major}", "value": "pass", "note": "防爆设备已更换，报警器正常"}])
    phone.put(answer)
    run_worker(app)

    page.goto(f"{live_server.url}/console/review")
    row = page.locator("table.queue tbody tr", has_text="整改复查")
    assert w["name"] in row.inner_text()
    click_and_wait(page, f"a[href='/console/review/{answer['_id'][11:]}']")
    assert "复查通过" in page.locator("table.answers").inner_text()
    page.check("input[name=decision][value=approved]")
    click_and_wait(page, "#review-form button[type=submit]")
    assert "(济南)应急复查〔2026〕" in page.locator("dl.facts").first.inner_text()

    page.goto(f"{live_server.url}/console/hazards/{major}")
    assert "已复查" in page.locator("p.badges").inner_text()
    page.fill("input[name=note]", "复查合格，予以销号")
    click_and_wait(page, "form[action$='/close'] button[type=submit]")
    assert "已销号" in page.locator("p.badges").inner_text()
    steps = page.locator("table.history tbody tr td:nth-child(2)").all_inner_texts()
    assert steps == ["发现隐患", "落实五到位", "下达整改指令", "登记整改情况", "安排复查", "登记复查结论", "销号"]

    page.goto(f"{live_server.url}/console/hazards?state=closed")
    assert page.locator("table.register tbody tr", has_text="甲类仓库").count() == 1
    download = page.context.request.get(f"{live_server.url}/api/v1/hazards/export?format=csv&state=closed")
    assert download.status == 200 and "甲类仓库内使用非防爆电气设备" in download.body().decode("utf-8-sig")
    assert dialogs == []
