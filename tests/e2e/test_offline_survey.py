"""A surveyor's day: sign in once online, then survey a building in airplane mode with photos,
close the app, reopen it without signal, and watch everything arrive exactly once when the
signal returns."""
import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.findings.models import Finding
from server.photos.models import Photo
from server.photos.operations import open_variant
from server.surveys.models import Submission
from tests.e2e.app_driver import (
    GAS_FORM,
    fill_gas_form_with_rubber_hose,
    idb,
    jpeg_payload,
    open_building,
    open_form,
    stored_photo_hashes,
    submit_form,
)
from tests.e2e.conftest import screenshot, sha256, sign_in, wait_for_offline_ready
from tests.e2e.sample_photos import expected_latitude, phone_jpeg

pytestmark = pytest.mark.slow


def test_survey_in_airplane_mode_arrives_exactly_once(live_server, surveyor, relaunch_phone):
    building = surveyor.first
    phone = relaunch_phone()
    page = phone.new_page()
    page.goto(live_server + "/")
    page.wait_for_selector("input[name=username]")
    screenshot(page, "1-sign-in")
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    phone.close()

    # Cold start in airplane mode: the shell comes from the service worker, the data from IndexedDB.
    phone = relaunch_phone(offline=True)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(live_server + "/")
    expect(page.locator("#building-list li a")).to_have_count(len(surveyor.buildings))
    expect(page.locator("#offline-notice")).to_be_visible()
    screenshot(page, "2-building-list")

    open_building(page, building.label)
    screenshot(page, "3-building")
    open_form(page, GAS_FORM)
    originals = [phone_jpeg(1), phone_jpeg(2)]
    fill_gas_form_with_rubber_hose(page, [jpeg_payload("IMG_0001.jpg", originals[0]),
                                          jpeg_payload("IMG_0002.jpg", originals[1])])
    expect(page.locator("#defect-summary")).to_have_text("已发现问题 1 项")
    page.locator("[data-question=rubber_hose_location]").scroll_into_view_if_needed()
    screenshot(page, "4-form")
    page.locator("[data-question=rubber_hose_photos] .thumb .open").first.click()
    expect(page.locator("#photo-viewer .stamp")).to_contain_text("2024-07-01 09:30")
    screenshot(page, "5-photo")
    page.locator("#photo-viewer button").click()

    photos = idb(page, "return (await db.all('photos')).map(({bytes, ...p}) => p);")
    assert len(photos) == 2
    for photo in photos:
        assert max(photo["width"], photo["height"]) <= 2048
        assert photo["size"] < 500 * 1024
        assert photo["captured_at"] == "2024-07-01T09:30:00+08:00"
        assert photo["latitude"] == pytest.approx(expected_latitude(), abs=1e-5)

    submit_form(page)
    expect(page.locator("#badge")).to_have_text("1")
    # A second form left half-filled: a draft.
    open_form(page, "2024-stairwell-safety")
    first_number = page.locator(".question[data-type=integer]:visible input").first
    first_number.fill("2")
    expect(page.locator("#draft-saved")).to_contain_text("草稿已自动保存")
    phone.close()

    # Reopen, still offline: the draft and the outbox are intact.
    phone = relaunch_phone(offline=True)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(live_server + "/#/outbox")
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(1)
    expect(page.locator("#badge")).to_have_text("1")
    screenshot(page, "6-outbox")
    drafts = idb(page, "return (await db.all('drafts')).map((d) => d.form_id);")
    assert drafts == ["2024-stairwell-safety"]
    page.goto(live_server + f"/#/b/{building.id}/f/2024-stairwell-safety")
    expect(page.locator(".question[data-type=integer]:visible input").first).to_have_value("2")

    # Signal returns: the outbox drains by itself.
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.goto(live_server + "/#/outbox")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=20_000)
    expect(page.locator("#badge")).to_be_hidden()
    phone_hashes = stored_photo_hashes(page)
    assert all(key == value for key, value in phone_hashes.items())  # bytes match their names

    db.session.rollback()  # end the test thread's read transaction: see what the server committed
    submissions = db.session.scalars(db.select(Submission)
                                     .where(Submission.building_id == building.id)).all()
    assert len(submissions) == 1
    findings = db.session.scalars(db.select(Finding)
                                  .where(Finding.building_id == building.id)).all()
    assert [(f.check_item, f.unit, f.floor) for f in findings] == [("燃气用户使用橡胶软管", "2单元", 3)]
    server_photos = {p.sha256 for p in findings[0].photos}
    assert server_photos == set(phone_hashes)
    assert db.session.scalar(db.select(db.func.count()).select_from(Photo)) == 2
    for sha in server_photos:
        photo = db.session.get(Photo, sha)
        file, _ = open_variant(photo, "original")
        with file:
            assert sha256(file.read()) == sha
        assert photo.exif_latitude == pytest.approx(expected_latitude(), abs=1e-5)  # kept in the file
