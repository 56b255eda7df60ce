"""我的账号 in Chromium: a supervisor sees the browsers signed in as them, signs the other one out, is refused
a common password and changes theirs; a saved cookie stops working after signing out."""
from __future__ import annotations

from tests.e2e.helpers import create_user, sign_in

USER, FIRST, SECOND = "e2e_account", "correct horse battery 9", "Quiet river 4471 east"


def test_account_page_sessions_and_password(live_server, live_app, new_context):
    create_user(live_app, USER, "supervisor", "370102", display_name="账号测试")
    laptop, phone = new_context().new_page(), new_context().new_page()
    sign_in(laptop, live_server.url, USER, FIRST)
    sign_in(phone, live_server.url, USER, FIRST)
    with laptop.expect_navigation():
        laptop.click("header a.who")
    assert laptop.locator("h1").inner_text() == "我的账号"
    rows = laptop.locator("section.card").nth(1).locator("tbody tr")
    assert rows.count() == 2 and "本机" in laptop.locator("section.card").nth(1).inner_text()
    other = rows.filter(has_not_text="本机")
    with laptop.expect_navigation():
        other.locator("button").click()
    assert laptop.locator("p.ok[role=status]").inner_text() == "已退出该登录。"
    phone.goto(live_server.url + "/console/enterprises")
    assert "/login" in phone.url                                      # the other browser is signed out

    laptop.fill("input[name=current_password]", FIRST)
    laptop.fill("input[name=new_password]", "1234567890")
    laptop.fill("input[name=confirm_password]", "1234567890")
    with laptop.expect_navigation():
        laptop.click("section.card >> nth=0 >> button")
    assert "太常见" in laptop.locator("p.error[role=alert]").inner_text()
    laptop.fill("input[name=current_password]", FIRST)
    laptop.fill("input[name=new_password]", SECOND)
    laptop.fill("input[name=confirm_password]", SECOND)
    with laptop.expect_navigation():
        laptop.click("section.card >> nth=0 >> button")
    assert "密码已修改" in laptop.locator("p.ok[role=status]").inner_text()

    saved = laptop.context.cookies()
    with laptop.expect_navigation():
        laptop.click("header form button[type=submit]")                # 退出
    thief = new_context()
    thief.add_cookies(saved)
    stolen = thief.new_page()
    stolen.goto(live_server.url + "/console/enterprises")
    assert "/login" in stolen.url
    sign_in(stolen, live_server.url, USER, SECOND)
    assert "/login" not in stolen.url and stolen.url.rstrip("/").endswith("/console")   # the new password: home (工作台)
