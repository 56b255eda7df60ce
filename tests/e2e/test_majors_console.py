"""The major-hazard database in Chromium (issue 15 item 6): a supervisor lists a major hazard for 挂牌督办,
records a 约谈 with its PDF, reads the statistics; and the `major-hazards` screenshots in both languages."""
from __future__ import annotations

from datetime import timedelta

from PIL import Image

from server import clock
from server.db import registry
from tests.e2e.helpers import DESKTOP, SUPERVISOR, sign_in
from tests.e2e.screenshots import LOCALES, OUT_DIR, file_name
from tests.e2e.test_screenshots import cjk_font_installed
from tests.integration.lag import audit_entries as entries
from tests.integration.majors_fixtures import PDF, case_doc, make_case

WANG = "inspector:e2e-majors-wang"


def seed(app) -> dict:
    """Major hazards from each source in the supervisor's city, and one general hazard (not listed)."""
    with app.app_context():
        if registry().get_or_none(WANG) is None:
            registry().put({"_id": WANG, "type": "inspector", "name": "王建国", "region": "370102", "active": True,
                            "sectors": ["hazardous_chemicals"], "kind": "inspector", "cert_no": "37010200001",
                            "unit": "历下区应急管理局"})
    shown = make_case(app, name="山东泉城化工有限公司", description="甲类仓库设在半地下室，未设置防爆电气",
                      found_by=WANG, found_at="2026-11-24T02:30:00+00:00")
    make_case(app, name="济南明湖粉末冶金有限公司", description="粉尘除尘系统未采用防爆型设备", source="report",
              region="370112", sector="metallurgy", found_by=WANG, found_at="2026-11-18T06:10:00+00:00")
    make_case(app, name="济南华泰机械制造有限公司", description="液氨储罐区可燃气体报警装置失效", source="self_report",
              found_by="huatai.enterprise", found_at="2026-11-12T01:45:00+00:00")
    make_case(app, name="济南历城建材有限公司", description="配电箱未接地", grade="general", found_by=WANG)
    return shown


def _pdf(tmp_path) -> str:
    path = tmp_path / "约谈通知书.pdf"
    path.write_bytes(PDF)
    return str(path)


def _supervise(page, deadline: str) -> None:
    form = page.locator("form.supervise")
    form.locator("select[name=level]").select_option("city")
    form.locator("input[name=number]").fill("济安委督〔2026〕7号")
    form.locator("input[name=deadline]").fill(deadline)
    form.locator("textarea[name=text]").fill("请企业于期限内完成整改，并书面报告整改情况。")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("p.ok").inner_text() == "已挂牌督办。"
    assert "市级挂牌督办" in page.locator("section.supervision").inner_text()


def _record_interview(page, tmp_path) -> None:
    measure = page.locator("form.measure")
    measure.locator("select[name=kind]").select_option("interview")
    measure.locator("input[name=number]").fill("济安约〔2026〕2号")
    measure.locator("input[name=title]").fill("关于约谈企业主要负责人的通知")
    measure.locator("textarea[name=text]").fill("约谈企业法定代表人，督促落实整改。")
    measure.locator("input[name=file]").set_input_files(_pdf(tmp_path))
    with page.expect_navigation():
        measure.locator("button[type=submit]").click()
    assert page.locator("p.ok").inner_text() == "措施已记录。"
    assert "关于约谈企业主要负责人的通知" in page.locator("section.measures table").inner_text()
    history = page.locator("section.history").inner_text()
    assert "挂牌督办" in history and "约谈" in history


def test_supervisor_lists_a_major_hazard_records_an_interview_and_reads_the_statistics(live_server, page, dialogs,
                                                                                         tmp_path):
    app = live_server.app
    case = seed(app)
    with app.app_context():
        deadline = (clock.today() + timedelta(days=30)).isoformat()
    sign_in(page, live_server.url, SUPERVISOR)
    with page.expect_navigation():
        page.click("header nav a:text-is('重大隐患')")
    assert page.locator("h1").inner_text() == "重大事故隐患数据库"
    table = page.locator("table.majors").inner_text()
    assert "举报查实" in table and "企业自查上报" in table and "配电箱未接地" not in table
    with page.expect_navigation():
        page.click("table.majors a:text-is('甲类仓库设在半地下室，未设置防爆电气')")
    assert "王建国" in page.locator("main").inner_text()

    _supervise(page, deadline)
    _record_interview(page, tmp_path)
    with page.expect_popup() as popup:
        page.click("section.measures a:text-is('查看 PDF')")
    assert popup.value.url.endswith(".pdf")
    doc = case_doc(app, case)
    assert doc["supervision"]["level"] == "city" and doc["escalations"][0]["kind"] == "interview"
    assert {e["subject"] for e in entries(app, "major.measure")} >= {case["_id"]}

    page.goto(live_server.url + "/console/majors")
    with page.expect_navigation():
        page.click("a:text-is('统计与导出')")
    assert page.locator("h1").inner_text() == "重大事故隐患统计"
    sources = page.locator("table.sources").inner_text()
    assert "企业自查上报" in sources and "其中检查人员发现" in sources
    assert "市级挂牌督办" in page.locator("table.by-level").inner_text()
    with page.expect_download() as got:
        page.click("p.exports a:text-is('XLSX')")
    assert open(got.value.path(), "rb").read(2) == b"PK"
    assert dialogs == []


def test_screenshots_of_the_major_hazard_database(live_server, browser):
    assert cjk_font_installed(), "no Chinese font: run `make browser`"
    app = live_server.app
    if not any(True for _ in entries(app, "major.supervise")):
        seed(app)
    shots = []
    for locale in LOCALES:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        try:
            context.add_cookies([{"name": "lang", "value": locale, "url": live_server.url}])
            page = context.new_page()
            sign_in(page, live_server.url, SUPERVISOR)
            page.goto(live_server.url + "/console/majors")
            page.wait_for_selector("table.majors tbody tr")
            target = OUT_DIR / file_name("major-hazards", locale)
            page.screenshot(path=str(target), full_page=True)
            shots.append(target)
        finally:
            context.close()
    for path in shots:
        with Image.open(path) as picture:
            assert picture.size[0] == DESKTOP["width"], path.name
            low, high = picture.convert("L").getextrema()
        assert high - low > 100, f"{path.name} looks blank"
