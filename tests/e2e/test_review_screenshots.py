"""Screenshots of the review queue, an inspection's page and a hazard's page in both languages, for
docs/screenshots/ (the records are filed by the real worker from phone documents, as in use)."""
from __future__ import annotations

from PIL import Image

from tests.e2e.helpers import DESKTOP, SUPERVISOR, Api, sign_in
from tests.e2e.screenshots import LOCALES, OUT_DIR, file_name
from tests.e2e.test_screenshots import cjk_font_installed
from tests.integration.review_fixtures import submit, world
from tests.integration.worker_fixtures import now

SCREENS = ("review-queue", "review-inspection", "hazard")
FIVE = {"measures": "更换为防爆型电气设备，加装可燃气体报警器", "responsible": "赵刚（设备部经理）",
        "funds": "8万元，企业自筹", "deadline": "2026-12-25", "contingency": "停用甲类仓库，设置警戒区，配备灭火器材"}


ANSWERS = [{"item": "gb-6-1", "value": "yes", "note": ""},
           {"item": "gb-6-2", "value": "yes", "note": ""},
           {"item": "gb-6-4", "value": "no", "note": "甲类仓库设在半地下室"},
           {"item": "gb-6-5", "value": "no", "note": "二号车间东侧安全出口被杂物堵塞"},
           {"item": "gb-6-5-n", "value": 2, "note": "实有两个，可用一个"},
           {"item": "gb-6-9", "value": "na", "note": ""}]
PEOPLE = {"place": "二号车间、甲类仓库", "purpose": "2026年第四季度双随机抽查：消防安全重大隐患",
          "manager": {"name": "李经理", "role": "安全主管", "phone": "13800000000"},
          "witness": {"name": "周明", "role": "车间主任", "phone": "13900000000"}}


def seed(live_server) -> dict:
    """Four inspections waiting in the queue (one with doubtful check-in evidence) and one approved
    inspection whose major hazard is under a rectification order."""
    app = live_server.app
    shown = submit(app, world(app, name="济南华泰机械制造有限公司"), answers=ANSWERS, **PEOPLE)
    submit(app, world(app, region="370112", name="济南历城建材有限公司", sector="building_materials"), grades=("general",))
    far = {"lat": 36.70, "lng": 117.12, "accuracy_m": 25, "at": now()}
    doubtful = world(app, name="济南明湖食品加工有限公司", sector="light_industry")
    submit(app, doubtful, grades=(), checkin={"qr": "https://aqjc.example.gov.cn/q/unknown", "scanned_at": now(),
                                              "position": far, "override_reason": "企业门口二维码被遮挡，现场拍照为证"})
    loop = submit(app, world(app, name="山东泉城化工有限公司"), answers=ANSWERS, **PEOPLE)
    api = Api(live_server.url, SUPERVISOR)
    try:
        assert api.http.post(f"/api/v1/inspections/{loop['key']}/review", json={"decision": "approved"}).status_code == 200
        major = loop["hazards"][1]["_id"].split(":", 1)[1]
        assert api.http.post(f"/api/v1/hazards/{major}/five_in_place", json=FIVE).status_code == 200
        assert api.http.post(f"/api/v1/hazards/{major}/order", json={"days": 10}).status_code == 201
    finally:
        api.close()
    return {"inspection": shown["key"], "hazard": major}


def test_screenshots_of_review_and_the_hazard_loop(live_server, browser):
    assert cjk_font_installed(), "no Chinese font: run `make browser`"
    made = seed(live_server)
    shots = []
    for locale in LOCALES:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        try:
            context.add_cookies([{"name": "lang", "value": locale, "url": live_server.url}])
            page = context.new_page()
            sign_in(page, live_server.url, SUPERVISOR)
            for screen, path in (("review-queue", "/console/review"),
                                 ("review-inspection", f"/console/review/{made['inspection']}"),
                                 ("hazard", f"/console/hazards/{made['hazard']}")):
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                target = OUT_DIR / file_name(screen, locale)
                page.screenshot(path=str(target), full_page=True)
                shots.append(target)
        finally:
            context.close()
    assert sorted(shots) == sorted(OUT_DIR / file_name(s, loc) for s in SCREENS for loc in LOCALES)
    for path in shots:
        with Image.open(path) as picture:
            assert picture.size[0] == DESKTOP["width"] and picture.size[1] >= DESKTOP["height"] * 0.9, path.name
            low, high = picture.convert("L").getextrema()
        assert high - low > 100, f"{path.name} looks blank"
