"""Decisions from the bureau (退回, 需复查) reach the phone through pull: they show on the
building and in the to-do list, with the reviewer's reason."""
import pytest
from playwright.sync_api import expect

from server.accounts.models import Role
from server.extensions import db
from server.findings.decisions import decide, version_of
from server.findings.models import Finding
from tests.e2e.app_driver import jpeg_payload
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.sample_photos import phone_jpeg
from tests.factories import submission_op

pytestmark = pytest.mark.slow
REASON = "照片看不清软管接口，请补拍"


def test_returned_finding_appears_in_todo_and_on_building(live_server, surveyor, phone,
                                                          auth_headers, push, gas_answers,
                                                          make_user):
    building = surveyor.buildings[3]
    location = {"unit": "3单元", "floor": 5, "detail": None}
    answers = gas_answers(rubber_hose=True, rubber_hose_households=2,
                          rubber_hose_location=location, rubber_hose_photos=["ab" * 32])
    result = push(auth_headers(surveyor.user), submission_op(building, answers)).get_json()
    finding_uuid = result["results"][0]["result"]["findings"][0]["uuid"]
    finding = db.session.scalars(db.select(Finding).where(Finding.uuid == finding_uuid)).one()
    decide(make_user(role=Role.REVIEWER), finding_uuid, "return", REASON, version_of(finding))
    db.session.commit()

    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    page.click("#tabs a[data-tab=todo]")
    item = page.locator(f"#todo-list li[data-finding='{finding_uuid}']")
    expect(item).to_contain_text("已退回")
    expect(item).to_contain_text(REASON)
    expect(item).to_contain_text("3单元 5层")
    screenshot(page, "7-todo")
    page.goto(live_server + f"/#/b/{building.id}")
    expect(page.locator("#decisions")).to_contain_text(REASON)

    # The worker corrects the floor and adds the photo asked for: the finding goes back to review.
    page.locator("#decisions a").click()
    expect(page.locator("#finding-state")).to_contain_text("照片 1 张，服务器已收到 0 张")
    page.fill("#finding-edit input[name=floor]", "6")
    page.locator("#finding-edit input[data-picker=camera]").set_input_files(
        jpeg_payload("retake.jpg", phone_jpeg(7)))
    expect(page.locator("#finding-edit .thumb")).to_have_count(1)
    screenshot(page, "8-finding-correction")
    page.click("#submit-finding")
    page.wait_for_selector("#indicators")  # saved to the outbox, back on the building
    page.click("#tabs a[data-tab=outbox]")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=20_000)
    db.session.rollback()  # see what the server committed
    finding = db.session.scalars(db.select(Finding).where(Finding.uuid == finding_uuid)).one()
    assert (finding.status, finding.floor, finding.unit) == ("pending", 6, "3单元")
    assert len(finding.photos) == 2
    page.click("#tabs a[data-tab=me]")
    expect(page.locator("#storage-used b")).not_to_have_text("未知")
    expect(page.locator("#persisted")).to_be_visible()
    screenshot(page, "10-me")
