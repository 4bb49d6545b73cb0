"""The server answers 503 for a while during sync: nothing is lost, each item shows its state,
and everything arrives later, exactly once."""
import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.findings.models import Finding
from server.photos.models import Photo
from server.surveys.models import Submission
from tests.e2e.app_driver import (
    GAS_FORM,
    fill_gas_form_all_clear,
    fill_gas_form_with_rubber_hose,
    jpeg_payload,
    open_building,
    open_form,
    outbox_states,
    submit_form,
)
from tests.e2e.conftest import sign_in
from tests.e2e.sample_photos import phone_jpeg

pytestmark = pytest.mark.slow
UNAVAILABLE_ANSWERS = 2


def test_503_with_retry_after_loses_nothing(live_server, surveyor, phone):
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    refused = {"push": 0, "photos": 0}

    def unavailable_for_a_while(kind):
        def handle(route):
            if refused[kind] < UNAVAILABLE_ANSWERS:
                refused[kind] += 1
                route.fulfill(status=503, headers={"Retry-After": "1"},
                              json={"error": {"code": "server.unavailable", "message": "维护中",
                                              "details": {}}})
            else:
                route.continue_()
        return handle

    phone.route("**/api/sync/push", unavailable_for_a_while("push"))
    phone.route("**/api/photos/*", unavailable_for_a_while("photos"))

    building = surveyor.buildings[1]
    open_building(page, building.label)
    open_form(page, GAS_FORM)
    fill_gas_form_with_rubber_hose(page, [jpeg_payload("a.jpg", phone_jpeg(3))], unit="1单元", floor=2)
    submit_form(page)
    page.goto(live_server + "/#/outbox")
    expect(page.locator("#outbox-list .note")).to_contain_text("服务器暂时不可用（503）")
    assert outbox_states(page) in (["pending"], ["syncing"])
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=30_000)
    assert refused == {"push": UNAVAILABLE_ANSWERS, "photos": UNAVAILABLE_ANSWERS}

    db.session.rollback()  # see what the server committed
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)
                             .where(Submission.building_id == building.id)) == 1
    finding = db.session.scalars(db.select(Finding).where(Finding.building_id == building.id)).one()
    assert (finding.unit, finding.floor) == ("1单元", 2)
    assert [p.sha256 for p in finding.photos] == [p.sha256 for p in db.session.scalars(db.select(Photo))]


def test_rejected_item_stays_on_the_phone_with_its_reason(live_server, surveyor, phone):
    page = phone.new_page()
    sign_in(page, live_server, surveyor)

    def refuse_every_operation(route):
        operations = route.request.post_data_json["operations"]
        route.fulfill(status=200, json={"server_time": "2024-07-01T01:30:00+00:00", "results": [
            {"id": op["id"], "status": "rejected", "error": {
                "code": "form.retired", "message": "该表单版本已停用，请更新应用后重新填写",
                "details": {}}} for op in operations]})

    phone.route("**/api/sync/push", refuse_every_operation)
    open_building(page, surveyor.buildings[4].label)
    open_form(page, GAS_FORM)
    fill_gas_form_all_clear(page)
    submit_form(page)
    page.click("#tabs a[data-tab=outbox]")
    failed = page.locator("#outbox-list li[data-state=failed]")
    expect(failed.locator(".reason")).to_have_text("该表单版本已停用，请更新应用后重新填写")
    expect(page.locator("#badge")).to_have_text("1")
    assert outbox_states(page) == ["failed"]

    # A failed item is retried only when asked (立即同步), and then it arrives.
    phone.unroute("**/api/sync/push")
    page.click("#sync-now")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1)
    db.session.rollback()  # see what the server committed
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 1
