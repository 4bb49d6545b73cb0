"""What the phone shows of work already done: a submitted survey read-only (from this phone's
outbox, or from the server when it was submitted on another device), a returned finding with its
photos and the reviewer's reason, a replacement photo, a delete that asks first, back to 待办."""
import pytest
from playwright.sync_api import expect

from server.accounts.models import Role
from server.extensions import db
from server.findings.decisions import decide, version_of
from server.findings.models import Finding, FindingPhoto
from server.photos.models import Photo
from tests.e2e.app_driver import (GAS_FORM, fill_gas_form_with_rubber_hose, idb, jpeg_payload,
                                  open_building, open_form, submit_form)
from tests.e2e.conftest import screenshot, sha256, sign_in
from tests.e2e.sample_photos import phone_jpeg
from tests.factories import submission_op

pytestmark = pytest.mark.slow
REASON = "照片看不清软管接口，请补拍"


def test_submitted_survey_opens_read_only_and_can_be_corrected(live_server, surveyor, phone):
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    building = surveyor.buildings[1]
    open_building(page, building.label)
    open_form(page, GAS_FORM)
    fill_gas_form_with_rubber_hose(page, [jpeg_payload("a.jpg", phone_jpeg(21))], unit="2单元", floor=4)
    page.click("#submit-form")
    expect(page.locator("#toast")).to_have_text("已保存到待同步，联网后自动上传")
    page.wait_for_selector("#indicators")

    page.click(f"#indicators a[data-form='{GAS_FORM}']")
    survey = page.locator("#submitted-survey[data-source=phone]")
    expect(survey).to_contain_text("已提交的调查（只读）")
    expect(survey.locator("[data-answer=rubber_hose]")).to_have_text("是")
    expect(survey.locator("[data-answer=hose_faulty]")).to_have_text("否")
    expect(survey.locator("[data-answer=rubber_hose_location]")).to_have_text("2单元 · 4层 · 厨房灶前")
    expect(survey.locator("[data-answer=rubber_hose_photos] .thumb")).to_have_count(1)
    expect(survey).to_contain_text("是否有燃气用户使用橡胶软管连接燃气灶具或热水器")
    expect(page.locator("#submit-form")).to_have_count(0)  # nothing to edit here
    screenshot(page, "20-submitted-read-only")

    # 更正: a new submission of the same building and form, starting from the answers given.
    page.click("#correct-survey")
    expect(page.locator("#correcting")).to_be_visible()
    expect(page.locator("[data-question=rubber_hose] button[data-value=true]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-question=rubber_hose_location] input[name='rubber_hose_location.floor']")).to_have_value("4")
    expect(page.locator("[data-question=rubber_hose_photos] .thumb")).to_have_count(1)
    submit_form(page)
    operations = idb(page, "return (await db.all('outbox')).map((i) => i.operation);")
    assert [op["form_id"] for op in operations] == [GAS_FORM, GAS_FORM]
    assert operations[0]["id"] != operations[1]["id"]
    assert operations[0]["answers"] == operations[1]["answers"]


def test_survey_from_another_device_says_so_and_shows_the_servers_answers(
        live_server, surveyor, phone, push, auth_headers, gas_answers):
    building = surveyor.buildings[2]
    push(auth_headers(surveyor.user), submission_op(building, gas_answers(remarks="楼道堆物已清理")))
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    page.goto(live_server + f"/#/b/{building.id}/f/{GAS_FORM}")
    survey = page.locator("#submitted-survey[data-source=server]")
    expect(survey).to_contain_text("您在其他设备上提交了这份调查")
    expect(survey).to_contain_text("以下答案取自服务器")
    expect(survey.locator("[data-answer=remarks]")).to_have_text("楼道堆物已清理")
    screenshot(page, "21-submitted-elsewhere")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#submitted-survey[data-source=none] #no-answers")).to_contain_text(
        "本机没有这份调查的答案明细（在其他设备上提交）")
    expect(page.locator("#submitted-survey [data-answer]")).to_have_count(0)


@pytest.fixture
def returned_finding(surveyor, client, auth_headers, push, gas_answers, make_user):
    """A finding of the surveyor's, its photo on the server, returned by a reviewer with a reason."""
    headers = auth_headers(surveyor.user)
    photo = phone_jpeg(31)
    uploaded = client.put(f"/api/photos/{sha256(photo)}", data=photo,
                          headers={**headers, "Content-Type": "image/jpeg"})
    assert uploaded.status_code == 201, uploaded.json
    answers = gas_answers(rubber_hose=True, rubber_hose_households=2,
                          rubber_hose_location={"unit": "3单元", "floor": 5},
                          rubber_hose_photos=[sha256(photo)])
    result = push(headers, submission_op(surveyor.buildings[3], answers)).get_json()
    finding_uuid = result["results"][0]["result"]["findings"][0]["uuid"]
    finding = db.session.scalars(db.select(Finding).where(Finding.uuid == finding_uuid)).one()
    decide(make_user(role=Role.REVIEWER), finding_uuid, "return", REASON, version_of(finding))
    db.session.commit()
    return finding_uuid, sha256(photo)


def open_from_todo(phone, live_server, surveyor, finding_uuid):
    """A fresh phone, signed in, on the finding opened from 待办."""
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    page.click("#tabs a[data-tab=todo]")
    page.locator(f"#todo-list li[data-finding='{finding_uuid}'] a").click()
    page.wait_for_selector("#finding-state")
    return page


def test_returned_finding_shows_its_photos_and_the_reason(live_server, surveyor, phone,
                                                         returned_finding):
    finding_uuid, photo_sha = returned_finding
    page = open_from_todo(phone, live_server, surveyor, finding_uuid)
    expect(page.locator("#finding-state")).to_contain_text(f"审核意见：{REASON}")
    server_copy = page.locator(f"#finding-photos .thumb[data-source=server][data-sha='{photo_sha}']")
    expect(server_copy).to_have_count(1)
    expect(server_copy.locator("img")).to_have_js_property("complete", True)
    assert server_copy.locator("img").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#finding-edit")).to_contain_text("原照片暂不能从手机上删除")
    screenshot(page, "22-returned-finding-photos")


def test_back_from_a_todo_item_returns_to_todo(live_server, surveyor, phone, returned_finding):
    finding_uuid, _ = returned_finding
    page = open_from_todo(phone, live_server, surveyor, finding_uuid)
    page.click(".screen-head a.back")
    expect(page.locator(f"#todo-list li[data-finding='{finding_uuid}']")).to_be_visible()
    assert page.evaluate("location.hash") == "#/todo"
    # Opened from the building, back is the building, as before.
    page.goto(live_server + f"/#/b/{surveyor.buildings[3].id}")
    page.locator("#decisions a").click()
    page.click(".screen-head a.back")
    page.wait_for_selector("#indicators")


def test_replacement_photo_arrives_once_on_the_server(live_server, surveyor, phone,
                                                      returned_finding):
    finding_uuid, old_sha = returned_finding
    page = open_from_todo(phone, live_server, surveyor, finding_uuid)
    retake = phone_jpeg(32)
    page.locator("#finding-edit input[data-picker=camera]").set_input_files(jpeg_payload("retake.jpg", retake))
    expect(page.locator("#finding-edit .thumb")).to_have_count(1)
    page.click("#submit-finding")
    expect(page.locator("#toast")).to_have_text("已保存到待同步")
    screenshot(page, "23-saved-toast")
    expect(page.locator("#todo-list, #tabs a.active[data-tab=todo]").first).to_be_visible()
    assert page.evaluate("location.hash") == "#/todo"
    page.click("#tabs a[data-tab=outbox]")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=20_000)

    db.session.rollback()  # see what the server committed
    finding = db.session.scalars(db.select(Finding).where(Finding.uuid == finding_uuid)).one()
    new_sha = [p.sha256 for p in finding.photos if p.sha256 != old_sha]
    assert len(new_sha) == 1 and finding.status == "pending"
    assert [p.sha256 for p in finding.photos] == [old_sha, new_sha[0]]
    assert db.session.scalar(db.select(db.func.count()).select_from(FindingPhoto)
                             .where(FindingPhoto.sha256 == new_sha[0])) == 1
    assert db.session.get(Photo, new_sha[0]) is not None


def test_deleting_a_photo_in_a_draft_asks_first(live_server, surveyor, phone):
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    open_building(page, surveyor.buildings[4].label)
    open_form(page, GAS_FORM)
    page.click("[data-question=rubber_hose] button[data-value=true]")
    photos = page.locator("[data-question=rubber_hose_photos]")
    photos.locator("input[data-picker=camera]").set_input_files(jpeg_payload("a.jpg", phone_jpeg(41)))
    expect(photos.locator(".thumb")).to_have_count(1)

    photos.locator(".thumb .remove").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("删除这张照片？")
    screenshot(page, "24-delete-asks-first")
    dialog.locator("button.cancel").click()
    expect(dialog).to_have_count(0)
    expect(photos.locator(".thumb")).to_have_count(1)

    photos.locator(".thumb .remove").click()
    page.locator("#confirm-dialog button.ok").click()
    expect(photos.locator(".thumb")).to_have_count(0)
    draft = idb(page, "return (await db.all('drafts'))[0].answers;")
    assert "rubber_hose_photos" not in draft
