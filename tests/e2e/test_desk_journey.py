"""The bureau's day at a desktop browser: from the county's indicator table, through the number
that counts a building, to that building's photos, and a decision on them."""
import hashlib

import pytest
from playwright.sync_api import expect

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from tests.e2e.conftest import PASSWORD, screenshot
from tests.e2e.sample_photos import phone_jpeg
from tests.factories import submission_op

pytestmark = pytest.mark.slow


@pytest.fixture
def reported_hose(surveyor, client, auth_headers, push, gas_answers, make_user):
    """A rubber hose reported with one real photo at the surveyor's first building."""
    photo = phone_jpeg(seed=11, size=(1600, 1200))
    headers = auth_headers(surveyor.user)
    sha = hashlib.sha256(photo).hexdigest()
    assert client.put(f"/api/photos/{sha}", data=photo, headers={
        **headers, "Content-Type": "image/jpeg"}).status_code == 201
    answers = gas_answers(rubber_hose=True, rubber_hose_households=1,
                          rubber_hose_location={"unit": "2单元", "floor": 3},
                          rubber_hose_photos=[sha])
    result = push(headers, submission_op(surveyor.first, answers)).get_json()
    assert result["results"][0]["status"] == "applied", result
    make_user(Role.REVIEWER, username="shenhe-e2e", password=PASSWORD)
    db.session.commit()
    return result["results"][0]["result"]["findings"][0]["uuid"]


def test_reviewer_goes_from_a_pending_figure_to_the_photos_accepts_and_the_count_follows(
        live_server, desktop, surveyor, reported_hose):
    page = desktop.new_page()
    page.goto(live_server + "/desk/")
    page.fill("input[name=username]", "shenhe-e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.desk >> text=指标表")
    page.select_option("select[name=level]", "community")
    row = page.locator("tbody tr", has_text="城东社区")
    gas = row.locator("td.num").nth(2)  # after 楼栋总数: indicator 1, 2, …
    expect(gas.locator("a").first).to_have_text("0")  # nothing confirmed yet
    pending = gas.locator("a", has_text="待审核 1")
    expect(pending).to_be_visible()
    screenshot(page, "desk-1-indicator-table")

    pending.click()
    evidence = page.locator(f"[data-finding='{reported_hose}']")
    expect(evidence).to_contain_text("燃气用户使用橡胶软管")
    thumbnail = evidence.locator("img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=thumbnail.element_handle())
    screenshot(page, "desk-2-buildings-behind-the-number")

    thumbnail.click()
    expect(page.locator("h1")).to_contain_text("燃气用户使用橡胶软管")
    page.wait_for_function("() => [...document.images].some(i => i.complete && i.naturalWidth > 600)")
    screenshot(page, "desk-3-finding-evidence")
    page.click("#accept-only")
    expect(page.locator(".flash.success")).to_be_visible()
    db.session.expire_all()
    finding = db.session.scalar(db.select(Finding).where(Finding.uuid == reported_hose))
    assert finding.status == "accepted"
    page.click("nav.desk >> text=指标表")
    page.select_option("select[name=level]", "community")
    gas = page.locator("tbody tr", has_text="城东社区").locator("td.num").nth(2)
    expect(gas.locator("a").first).to_have_text("1")  # confirmed: it counts now
    expect(gas).not_to_contain_text("待审核")
