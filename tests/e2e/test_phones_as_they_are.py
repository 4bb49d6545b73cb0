"""WeChat's in-app browser (maybe without service workers) and iOS Safari outside the home
screen: the app still works online and says what to do."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, sign_in

pytestmark = pytest.mark.slow
WECHAT_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/4G")
SAFARI_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def test_wechat_without_service_worker_works_online_and_offers_the_browser(
        browser, live_server, surveyor):
    context = browser.new_context(**PHONE, user_agent=WECHAT_IOS, service_workers="block")
    try:
        page = context.new_page()
        sign_in(page, live_server, surveyor)
        expect(page.locator("#wechat-notice")).to_contain_text("在浏览器中打开")
        screenshot(page, "9-wechat")
    finally:
        context.close()


def test_ios_safari_is_told_to_add_to_home_screen(browser, live_server):
    context = browser.new_context(**PHONE, user_agent=SAFARI_IOS)
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        expect(page.locator("#ios-notice")).to_contain_text("添加到主屏幕")
    finally:
        context.close()
