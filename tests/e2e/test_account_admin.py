"""Issue 14: an administrator makes a community worker for 新华社区 on the desk; the worker signs
in on a phone with the one-time password, sets their own, and sees 新华's buildings; moved to
禹王社区 on the desk, after a pull the phone shows 禹王's buildings and none of 新华's."""
import pytest
from playwright.sync_api import expect

from server.accounts.models import Role
from server.extensions import db
from tests.e2e.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.slow
DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def county(app_context, make_round, make_community, make_estate, make_building, make_user):
    make_round()
    xinhua, yuwang = make_community("新华社区"), make_community("禹王社区")
    for community, estate in ((xinhua, "新华小区"), (yuwang, "禹王花园")):
        place = make_estate(name=estate, community=community)
        for number in ("1#", "2#"):
            make_building(estate=place, number=number)
    make_user(Role.ADMIN, username="admin-e2e", display_name="县住建局管理员", password=PASSWORD)
    db.session.commit()


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESK)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def building_labels(page) -> list[str]:
    return page.locator("#building-list li a .title").all_inner_texts()


def test_admin_creates_a_worker_who_signs_in_with_a_one_time_password_and_is_moved(
        live_server, desk, phone, county):
    desk.goto(live_server + "/desk/")
    desk.fill("input[name=username]", "admin-e2e")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.click("nav.desk >> text=账号")
    desk.click("text=新建账号")
    desk.fill("input[name=display_name]", "张新华")
    desk.fill("input[name=username]", "shequ-zhang")
    desk.select_option("select[name=role]", "worker")
    desk.check("label:has-text('新华社区') input")
    screenshot(desk, "admin-1-new-account")
    desk.click("button[type=submit].primary")
    one_time = desk.locator("#one-time-password").inner_text()
    assert len(one_time) == 10
    screenshot(desk, "admin-2-one-time-password")

    app = phone.new_page()
    app.goto(live_server + "/")
    app.fill("input[name=username]", "shequ-zhang")
    app.fill("input[name=password]", one_time)
    app.click("button[type=submit]")
    expect(app.locator("input[name=new_password]")).to_be_visible()
    app.fill("input[name=new_password]", "zhang-xinmima")
    app.fill("input[name=new_password_again]", "zhang-xinmima")
    screenshot(app, "admin-3-phone-sets-new-password")
    app.click("button[type=submit]")
    expect(app.locator("#building-list li a")).to_have_count(2, timeout=30_000)
    assert all(label.startswith("新华小区") for label in building_labels(app))

    desk.goto(live_server + "/desk/accounts")
    screenshot(desk, "admin-4-accounts")
    desk.click("text=张新华")
    expect(desk.locator("text=安卓手机").or_(desk.locator("text=Chrome")).first).to_be_visible()
    desk.uncheck("label:has-text('新华社区') input")
    desk.check("label:has-text('禹王社区') input")
    desk.click("button.act.go >> text=保存")
    expect(desk.locator(".flash.success")).to_contain_text("禹王社区")
    screenshot(desk, "admin-5-account-moved")

    app.goto(live_server + "/#/outbox")
    app.click("#sync-now")
    app.goto(live_server + "/#/")
    expect(app.locator("#building-list li a")).to_have_count(2)
    expect(app.locator("#building-list")).not_to_contain_text("新华")
    assert all(label.startswith("禹王花园") for label in building_labels(app))
    assert app.evaluate("""async () => {
        const db = await import('/app/js/db.js');
        const buildings = await db.all('buildings');
        return buildings.every((b) => b.community === '禹王社区');
    }""")
    screenshot(app, "admin-6-phone-after-move")

    desk.goto(live_server + "/desk/audit")
    expect(desk.locator("tbody")).to_contain_text("调整角色或范围")
    screenshot(desk, "admin-7-audit-log")
