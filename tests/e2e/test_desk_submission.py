"""The reviewer reads the survey behind a finding: from the finding page to the whole form as the
worker filled it, at the desk's usual 1366×768."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, screenshot
from tests.e2e.test_desk_journey import reported_hose  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def test_reviewer_opens_the_survey_behind_a_finding(live_server, desktop, surveyor,
                                                    reported_hose):  # noqa: F811
    page = desktop.new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server + "/desk/")
    page.fill("input[name=username]", "shenhe-e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server + f"/desk/review/findings/{reported_hose}")
    page.click("#submission-link")

    answers = page.locator("#answers")
    expect(answers.locator("[data-answer=rubber_hose]")).to_contain_text("是")
    expect(answers.locator("[data-answer=rubber_hose_location]")).to_have_text("2单元 · 3层")
    expect(answers.locator("[data-answer=cylinder_faulty]")).to_have_text("未适用（按规则跳过）")
    thumbnail = answers.locator("[data-answer=rubber_hose_photos] img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=thumbnail.element_handle())
    expect(page.locator("#author")).to_have_text("测试用户")
    screenshot(page, "desk-submission")

    page.locator("#findings a", has_text="燃气用户使用橡胶软管").click()
    expect(page.locator("h1")).to_contain_text("燃气用户使用橡胶软管")
