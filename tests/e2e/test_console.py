"""The supervisor console and the public site page, driven in Debian's Chromium against the live server."""
from __future__ import annotations

import io
from urllib.parse import urljoin

from PIL import Image

from tests.e2e.helpers import (PHONE, SUPERVISOR, Api, altered, csv_file, csv_row, enterprise_body, sign_in,
                               site_url, uscc)


def link(page, anchor) -> str:
    """The absolute URL an <a> points to (its href is relative to the page)."""
    return urljoin(page.url, anchor.get_attribute("href"))


def list_names(page) -> list[str]:
    return page.locator("table.grid tbody td:first-child a").all_inner_texts()


def test_supervisor_finds_an_enterprise_and_its_qr_codes(live_server, page):
    first = live_server.enterprises[0]
    sign_in(page, live_server.url, SUPERVISOR)
    assert page.url.endswith("/console/")                  # home is the workbench (工作台)
    with page.expect_navigation():
        page.click("header nav a:text-is('检查对象名录')")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "检查对象名录"
    assert {e["name"] for e in live_server.enterprises} <= set(list_names(page))

    page.fill("input[name=q]", "明湖")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert list_names(page) == ["济南明湖食品加工有限公司"]

    page.fill("input[name=q]", "华泰")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    with page.expect_navigation():
        page.click(f"text={first['name']}")
    assert page.locator("h1").inner_text() == first["name"]
    assert first["uscc"] in page.locator("dl.facts").inner_text()
    site_row = page.locator("table.grid tbody tr").first
    assert "主厂区" in site_row.inner_text()

    png = page.context.request.get(link(page, site_row.locator("a", has_text="PNG")))
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.body())).size[0] > 100
    svg = page.context.request.get(link(page, site_row.locator("a", has_text="SVG")))
    assert svg.status == 200 and b"<svg" in svg.body()

    with page.context.expect_page() as opened:
        page.click("a.button", timeout=5000)
    sheet = opened.value
    sheet.wait_for_load_state()
    assert sheet.locator("article.site").count() == 1
    assert "主厂区" in sheet.locator(".site-name").inner_text()
    assert sheet.locator(".qr svg").bounding_box()["width"] > 200


def test_wrong_password_shows_the_error_and_starts_no_session(live_server, page):
    page.goto(live_server.url + "/console/enterprises")
    assert "/login" in page.url
    page.fill("input[name=username]", SUPERVISOR)
    page.fill("input[name=password]", "not the password at all")
    with page.expect_navigation() as nav:
        page.click("form button[type=submit]")
    assert nav.value.status == 401
    assert page.locator("p.error[role=alert]").inner_text() == "用户名或密码错误，或账号已停用。"
    assert page.locator("header nav").count() == 0
    page.goto(live_server.url + "/console/enterprises")
    assert page.url.startswith(live_server.url + "/login")


def test_language_switch_to_english_and_back(live_server, page):
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(live_server.url + "/console/enterprises")
    with page.expect_navigation():
        page.click("header a:text-is('English')")
    assert page.url.endswith("/console/enterprises")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Enterprises"
    assert page.locator("header nav a").all_inner_texts() == ["Workbench", "Enterprises", "Inspectors", "Checklists",
                                                             "Bulk import", "Plans", "Review", "Hazard register",
                                                             "Public reports", "Major hazards", "Enterprise self-reports",
                                                             "Statistics", "Status"]
    page.goto(live_server.url + "/console/import")   # the choice sticks across pages
    assert page.locator("h1").inner_text() == "Bulk import"
    with page.expect_navigation():
        page.click("header a:text-is('中文')")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "批量导入"


def test_bulk_import_reports_the_bad_line_then_imports_a_good_file(live_server, page):
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(live_server.url + "/console/import")
    bad = csv_file("bad.csv", csv_row("济南导入一号有限公司", uscc("370102")),
                   csv_row("济南导入二号有限公司", uscc("370102"), industry="不存在的行业"))
    page.set_input_files("input[name=file]", bad)
    with page.expect_navigation() as nav:
        page.click("main form button[type=submit]:not([name=dry_run])")  # import, not the preview
    assert nav.value.status == 422
    assert "文件未导入" in page.locator("p.error[role=alert]").inner_text()
    problems = page.locator("table.problems tbody tr")
    assert problems.count() >= 1
    assert [problems.nth(i).locator("td").first.inner_text() for i in range(problems.count())] == \
        ["3"] * problems.count()
    assert "行业" in problems.first.inner_text() or "industry" in problems.first.inner_text()

    good = csv_file("good.csv", csv_row("济南导入一号有限公司", uscc("370102")),
                    csv_row("济南导入二号有限公司", uscc("370112"), region="370112"))
    page.set_input_files("input[name=file]", good)
    with page.expect_navigation() as nav:
        page.click("main form button[type=submit]:not([name=dry_run])")  # import, not the preview
    assert nav.value.status == 200
    assert page.locator("p.ok[role=status]").inner_text() == "导入成功：共 2 行，新增 2 条，更新 0 条。"
    assert page.locator("table.problems").count() == 0

    page.goto(live_server.url + "/console/enterprises?q=导入")
    assert sorted(list_names(page)) == ["济南导入一号有限公司", "济南导入二号有限公司"]


def test_public_site_page_shows_a_genuine_code_and_refuses_an_altered_one(live_server, new_context):
    target = live_server.enterprises[2]
    phone = new_context(PHONE).new_page()
    url = site_url(live_server.app, target["uscc"])
    assert url.startswith(live_server.url + "/q/")
    assert phone.goto(url).status == 200
    card = phone.locator("section.public")
    assert phone.locator("h1").inner_text() == target["name"]
    assert "储罐区" in card.inner_text() and target["uscc"] in card.inner_text()
    assert "12350" in card.inner_text()
    assert phone.locator("header nav").count() == 0   # a passer-by sees no console links

    assert phone.goto(altered(url)).status == 404
    assert "无法验证" in phone.locator(".badge.bad").inner_text()
    assert target["name"] not in phone.content()


def test_a_name_with_script_shows_as_text_and_runs_nothing(live_server, page, dialogs):
    hostile = enterprise_body("<script>alert('xss')</script>测试有限公司", "370102",
                              site_name="<img src=x onerror=alert(2)>车间")
    api = Api(live_server.url, SUPERVISOR)
    try:
        api.create_enterprise(hostile)
    finally:
        api.close()
    sign_in(page, live_server.url, SUPERVISOR)
    page.goto(live_server.url + "/console/enterprises?q=script")
    assert list_names(page) == [hostile["name"]]
    with page.expect_navigation():
        page.click("table.grid tbody a")
    assert page.locator("h1").inner_text() == hostile["name"]
    assert page.locator("table.grid tbody td").first.inner_text() == hostile["site"]["name"]
    assert page.locator("main script, main img").count() == 0
    page.goto(site_url(live_server.app, hostile["uscc"]))
    assert page.locator("h1").inner_text() == hostile["name"]
    assert page.locator("p.site").inner_text() == hostile["site"]["name"]
    page.wait_for_timeout(200)  # give a stray onerror handler the chance to fire before checking
    assert dialogs == []
