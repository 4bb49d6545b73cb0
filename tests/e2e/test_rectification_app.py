"""整改上报 from the phone: a confirmed problem is listed under 待整改 with its deadline (and 逾期N天
when past it, by the China date), the worker reports it fixed in airplane mode with an after-photo,
the report survives a reload, and reaches the server exactly once when the signal returns. The
form keeps a draft on every change (one per finding) through a reload and a cold start, until it
is saved; the finding then shows the after-photos themselves."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.findings.models import Finding, Rectification
from server.photos.models import Photo
from server.photos.operations import open_variant
from server.syncing.models import SyncOperation
from tests.e2e.app_driver import idb, jpeg_payload, stored_photo_hashes
from tests.e2e.conftest import screenshot, sha256, sign_in, wait_for_offline_ready
from tests.e2e.sample_photos import phone_jpeg
from tests.factories import submission_op

pytestmark = pytest.mark.slow
NOTE = "已将橡胶软管更换为金属波纹管"


@pytest.fixture
def confirmed_findings(surveyor, auth_headers, push, gas_answers, make_round):
    """Two confirmed rubber-hose findings: one due in ten days (this round), one carried over from
    last round, 整改中 and five days past its deadline."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    last_round = make_round(code="2023", is_current=False)
    findings = []
    for building, unit in ((surveyor.buildings[0], "2单元"), (surveyor.buildings[1], "1单元")):
        answers = gas_answers(rubber_hose=True, rubber_hose_households=1,
                              rubber_hose_location={"unit": unit, "floor": 3, "detail": None},
                              rubber_hose_photos=[sha256(unit.encode())])
        result = push(auth_headers(surveyor.user), submission_op(building, answers)).get_json()
        uuid = result["results"][0]["result"]["findings"][0]["uuid"]
        findings.append(db.session.scalars(db.select(Finding).where(Finding.uuid == uuid)).one())
    due, late = findings
    due.status, due.deadline = "accepted", today + timedelta(days=10)
    late.status, late.deadline, late.round = "rectifying", today - timedelta(days=5), last_round
    db.session.commit()
    return due, late


def test_rectification_reported_offline_arrives_once_with_its_photo(live_server, surveyor, phone,
                                                                   confirmed_findings):
    due, late = confirmed_findings
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    page.click("#tabs a[data-tab=todo]")
    late_item = page.locator(f"#rectify-list li[data-finding='{late.uuid}']")
    expect(late_item).to_contain_text("逾期5天")
    expect(late_item).to_contain_text("上轮遗留")
    expect(late_item).to_contain_text(f"整改时限 {late.deadline.isoformat()}")
    due_item = page.locator(f"#rectify-list li[data-finding='{due.uuid}']")
    expect(due_item).to_contain_text("已确认")
    expect(due_item).not_to_contain_text("逾期")
    screenshot(page, "11-todo-rectify")

    # Airplane mode: report the rectification of the finding due in ten days.
    phone.set_offline(True)
    due_item.click()
    expect(page.locator("#finding-state")).to_contain_text(f"整改时限：{due.deadline.isoformat()}")
    screenshot(page, "12-finding-rectify")
    page.click("#report-rectification")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    expect(page.locator("input[name=rectified_on]")).to_have_value(today)
    page.click("#save-rectification")
    expect(page.locator("#rectification-form + .summary .form-error")).to_have_text("请至少拍摄 1 张整改后照片")
    page.fill("textarea[name=note]", NOTE)
    after = phone_jpeg(11)
    page.locator("[data-question=rectification_photos] input[data-picker=camera]").set_input_files(
        jpeg_payload("IMG_0101.jpg", after))
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(1)
    screenshot(page, "13-rectify-form")
    page.click("#save-rectification")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待上传）")
    expect(page.locator("#report-rectification")).to_have_count(0)
    expect(page.locator("#rectification-report .thumb")).to_have_count(1)
    expect(page.locator("#rectification-report")).to_contain_text(NOTE)
    expect(page.locator("#badge")).to_have_text("1")
    screenshot(page, "14-rectify-queued")

    # Still offline, the page reloaded: the report is on the phone, queued once.
    page.reload()
    expect(page.locator("#finding-state")).to_contain_text("已整改（待上传）")
    queued = idb(page, "return (await db.all('outbox')).map((i) => [i.state, i.operation]);")
    assert len(queued) == 1
    state, operation = queued[0]
    assert state == "pending" and operation["op"] == "rectification.report"
    assert (operation["finding"], operation["note"], operation["rectified_on"]) == (due.uuid, NOTE, today)
    assert len(operation["photos"]) == 1
    page.goto(live_server + "/#/todo")
    expect(page.locator(f"#rectify-list li[data-finding='{due.uuid}']")).to_contain_text("已整改（待上传）")

    # Signal returns: the outbox drains, the pull brings the server's 已整改 back.
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.goto(live_server + "/#/outbox")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=20_000)
    page.goto(live_server + f"/#/finding/{due.uuid}")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待销项）", timeout=20_000)
    expect(page.locator("#rectification-report")).to_contain_text(f"整改完成日期：{today}")
    expect(page.locator("#rectification-report .thumb")).to_have_count(1)
    screenshot(page, "15-rectify-synced")
    phone_hashes = stored_photo_hashes(page)
    assert phone_hashes[operation["photos"][0]] == operation["photos"][0]

    db.session.rollback()  # see what the server committed
    rectifications = db.session.scalars(db.select(Rectification)).all()
    assert len(rectifications) == 1
    [rectification] = rectifications
    assert rectification.uuid == operation["id"] and rectification.note == NOTE
    assert rectification.rectified_on.isoformat() == today
    assert [p.sha256 for p in rectification.photos] == operation["photos"]
    assert db.session.get(Finding, due.id).status == "rectified"
    assert db.session.get(Finding, late.id).status == "rectifying"
    assert db.session.scalar(db.select(db.func.count()).select_from(SyncOperation)
                             .where(SyncOperation.op == "rectification.report")) == 1
    photo = db.session.get(Photo, operation["photos"][0])
    file, _ = open_variant(photo, "original")
    with file:
        stored = file.read()
    phone_bytes = idb(page, f"return [...new Uint8Array((await db.get('photos', '{photo.sha256}')).bytes)];")
    assert stored == bytes(phone_bytes)  # byte-identical to what the phone kept


def test_rectification_draft_survives_reload_and_cold_start(live_server, surveyor, relaunch_phone,
                                                             confirmed_findings):
    due, late = confirmed_findings
    china_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    today, yesterday = china_today.isoformat(), (china_today - timedelta(days=1)).isoformat()
    phone = relaunch_phone()
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    phone.set_offline(True)

    # Fill the form, then the page reloads before 保存上报: nothing typed or taken is lost.
    form = f"/#/finding/{due.uuid}/rectify"
    page.goto(live_server + form)
    page.fill("input[name=rectified_on]", yesterday)
    page.fill("textarea[name=note]", NOTE)
    photos = page.locator("[data-question=rectification_photos]")
    photos.locator("input[data-picker=camera]").set_input_files(jpeg_payload("IMG_0102.jpg", phone_jpeg(12)))
    expect(photos.locator(".thumb")).to_have_count(1)
    expect(page.locator("#draft-saved")).to_contain_text("草稿已自动保存")
    sha = photos.locator(".thumb").get_attribute("data-sha")
    page.reload()
    expect(page.locator("textarea[name=note]")).to_have_value(NOTE)
    expect(page.locator("input[name=rectified_on]")).to_have_value(yesterday)
    expect(photos.locator(".thumb")).to_have_count(1)
    expect(photos.locator(".thumb")).to_have_attribute("data-sha", sha)
    expect(page.locator("#draft-saved")).to_have_text("已恢复上次未保存的草稿")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, "16-rectify-draft-restored")

    # The other finding's form starts empty: two findings' drafts never mix.
    page.goto(live_server + f"/#/finding/{late.uuid}/rectify")
    expect(page.locator("textarea[name=note]")).to_have_value("")
    expect(page.locator("input[name=rectified_on]")).to_have_value(today)
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(0)
    page.fill("textarea[name=note]", "另一处")
    expect(page.locator("#draft-saved")).to_contain_text("草稿已自动保存")

    # Cold start in airplane mode: the finding offers to continue, the form comes back whole.
    phone.close()
    phone = relaunch_phone(offline=True)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(live_server + f"/#/finding/{due.uuid}")
    expect(page.locator("#report-rectification")).to_have_text("继续上报整改（有草稿）")
    page.click("#report-rectification")
    expect(page.locator("textarea[name=note]")).to_have_value(NOTE)
    expect(page.locator("input[name=rectified_on]")).to_have_value(yesterday)
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(1)
    drafts = idb(page, "return (await db.all('drafts')).map((d) => [d.key, d.note]);")
    assert sorted(drafts) == sorted([[f"rectify:{due.uuid}", NOTE], [f"rectify:{late.uuid}", "另一处"]])

    # Saved to the outbox: its draft is gone (the other stays), the finding shows the after-photo.
    page.click("#save-rectification")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待上传）")
    report = page.locator("#rectification-report")
    expect(report).to_contain_text(f"整改完成日期：{yesterday}")
    expect(report).to_contain_text(NOTE)
    expect(report).to_contain_text("整改后照片 1 张")
    expect(report.locator(f".thumb[data-sha='{sha}'] img")).to_be_visible()
    screenshot(page, "17-rectify-after-photo")
    assert idb(page, "return (await db.all('drafts')).map((d) => d.key);") == [f"rectify:{late.uuid}"]
    [operation] = idb(page, "return (await db.all('outbox')).map((i) => i.operation);")
    assert (operation["note"], operation["rectified_on"], operation["photos"]) == (NOTE, yesterday, [sha])
    report.locator(".thumb .open").click()
    expect(page.locator("#photo-viewer")).to_be_visible()
    page.locator("#photo-viewer button").click()
    page.goto(live_server + f"/#/finding/{late.uuid}/rectify")
    expect(page.locator("textarea[name=note]")).to_have_value("另一处")


def _pulls_fail(phone):
    """Every pull answers 503 (pushes still go through): the phone learns nothing from the feed."""
    phone.route("**/api/sync/pull*", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body='{"error": {"code": "server.unavailable", "message": "暂时不可用"}}'))


def _go_online(page, phone):
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_confirmed_report_stands_without_a_pull_and_a_refused_one_can_be_redone(
        live_server, surveyor, phone, confirmed_findings):
    due, late = confirmed_findings
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    _pulls_fail(phone)

    # Reported offline, the signal returns while the finding is on screen; the pull fails. The
    # confirmation alone turns it 已整改（待销项）, redrawn from the outbox, and it cannot be redone.
    phone.set_offline(True)
    page.goto(live_server + f"/#/finding/{due.uuid}")
    page.click("#report-rectification")
    page.fill("textarea[name=note]", NOTE)
    page.locator("[data-question=rectification_photos] input[data-picker=camera]").set_input_files(
        jpeg_payload("IMG_0201.jpg", phone_jpeg(21)))
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(1)
    page.click("#save-rectification")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待上传）")
    _go_online(page, phone)
    expect(page.locator("#finding-state")).to_contain_text("已整改（待销项）", timeout=20_000)
    expect(page.locator("#report-rectification, #redo-rectification")).to_have_count(0)
    assert idb(page, f"return (await db.get('findings', '{due.uuid}')).status;") == "rectified"
    page.goto(live_server + f"/#/finding/{due.uuid}/rectify")
    expect(page.locator("#rectify-closed")).to_contain_text("已整改（待销项）")
    expect(page.locator("#save-rectification")).to_have_count(0)

    # The server refuses the other finding's report (a reviewer reopened it meanwhile); the 待办
    # list, on screen while it is sent, shows the refusal without any pull.
    db.session.rollback()
    db.session.get(Finding, late.id).status = "pending"
    db.session.commit()
    phone.set_offline(True)
    page.goto(live_server + f"/#/finding/{late.uuid}/rectify")
    page.fill("textarea[name=note]", "第一次")
    page.locator("[data-question=rectification_photos] input[data-picker=camera]").set_input_files(
        jpeg_payload("IMG_0202.jpg", phone_jpeg(22)))
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(1)
    page.click("#save-rectification")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待上传）")
    page.click("#tabs a[data-tab=todo]")
    late_item = page.locator(f"#rectify-list li[data-finding='{late.uuid}']")
    expect(late_item).to_contain_text("已整改（待上传）")
    _go_online(page, phone)
    expect(late_item).to_contain_text("已整改（上传失败）", timeout=20_000)

    # 重新上报: the form comes back with the refused content; saved, it is a new report and the
    # refused one is retired (作废), never sent again.
    db.session.rollback()
    db.session.get(Finding, late.id).status = "rectifying"
    db.session.commit()
    [refused] = idb(page, "return (await db.all('outbox')).filter((i) => i.state === 'failed').map((i) => i.id);")
    late_item.click()
    expect(page.locator("#finding-state")).to_contain_text("已整改（上传失败）")
    expect(page.locator("#redo-rectification")).to_have_text("重新上报")
    screenshot(page, "18-rectify-refused-redo")
    page.click("#redo-rectification")
    expect(page.locator("#redo-note")).to_be_visible()
    expect(page.locator("textarea[name=note]")).to_have_value("第一次")
    expect(page.locator("[data-question=rectification_photos] .thumb")).to_have_count(1)
    screenshot(page, "19-rectify-redo-form")
    page.fill("textarea[name=note]", "第二次")
    page.click("#save-rectification")
    expect(page.locator("#finding-state")).to_contain_text("已整改（待销项）", timeout=20_000)
    items = idb(page, "return (await db.all('outbox')).map((i) => [i.id, i.state, i.operation.note]);")
    states = {item_id: (state, note) for item_id, state, note in items}
    assert states.pop(refused) == ("superseded", "第一次")
    assert sorted(states.values()) == [("done", NOTE), ("done", "第二次")]
    page.goto(live_server + "/#/outbox")
    expect(page.locator(f"#outbox-list li[data-id='{refused}']")).to_contain_text("已作废")
    expect(page.locator("#outbox-summary")).to_contain_text("全部已同步")

    db.session.rollback()
    notes = sorted(r.note for r in db.session.scalars(db.select(Rectification)).all())
    assert notes == sorted([NOTE, "第二次"])  # one each, the refused one never arrived


def test_rectify_form_waits_for_photos_warns_of_old_ones_and_survives_a_failed_save(
        live_server, surveyor, phone, confirmed_findings):
    due, _ = confirmed_findings
    db.session.rollback()
    db.session.get(Finding, due.id).captured_at = datetime(2024, 8, 1, 2, 0, tzinfo=ZoneInfo("UTC"))  # after the photos' EXIF time
    db.session.commit()
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    phone.set_offline(True)
    form = live_server + f"/#/finding/{due.uuid}/rectify"
    page.goto(form)
    photos = page.locator("[data-question=rectification_photos]")

    # A photo still being processed: 保存上报 waits for it, and says so.
    page.evaluate("""() => {
      const decode = HTMLImageElement.prototype.decode;
      window.photoHeld = new Promise((resolve) => { window.releasePhoto = resolve; });
      HTMLImageElement.prototype.decode = async function () { await window.photoHeld; return decode.call(this); };
    }""")
    photos.locator("input[data-picker=camera]").set_input_files(jpeg_payload("IMG_0301.jpg", phone_jpeg(31)))
    expect(page.locator("#photos-busy")).to_be_visible()
    expect(page.locator("#save-rectification")).to_be_disabled()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, "20-rectify-photo-busy")
    page.evaluate("window.releasePhoto()")
    expect(photos.locator(".thumb")).to_have_count(1)
    expect(page.locator("#photos-busy")).to_be_hidden()
    expect(page.locator("#save-rectification")).to_be_enabled()

    # Taken (EXIF 2024-07-01) before the problem was found: warned on the tile, confirmed on saving.
    expect(photos.locator(".thumb .warn")).to_have_text("拍摄早于问题发现，请核实")
    page.click("#save-rectification")
    expect(page.locator("#confirm-early")).to_contain_text("有 1 张照片的拍摄时间早于问题发现时间")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, "21-rectify-early-photo")
    assert idb(page, "return (await db.all('outbox')).length;") == 0

    # The phone's storage is full: the save fails visibly, nothing is queued, edits still go to
    # the draft, and 保存上报 works again once there is room.
    page.evaluate("""() => {
      const put = IDBObjectStore.prototype.put;
      window.restorePut = () => { IDBObjectStore.prototype.put = put; };
      IDBObjectStore.prototype.put = function (...args) {
        if (this.name === 'outbox') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    }""")
    page.click("#confirm-early-save")
    problem = page.locator("#rectification-form + .summary .form-error")
    expect(problem).to_contain_text("保存上报失败：手机存储可能已满")
    expect(page.locator("#save-rectification")).to_be_enabled()
    screenshot(page, "22-rectify-save-failed")
    page.fill("textarea[name=note]", "存储满后补充")
    expect(page.locator("#draft-saved")).to_contain_text("草稿已自动保存")
    assert idb(page, f"return (await db.get('drafts', 'rectify:{due.uuid}')).note;") == "存储满后补充"
    assert idb(page, "return (await db.all('outbox')).length;") == 0
    page.evaluate("window.restorePut()")

    # Saving takes a while and the user leaves meanwhile: the report is queued, the user stays.
    page.evaluate("""async () => {
      const { openDb } = await import('/app/js/db.js');
      const idb = await openDb();
      const put = IDBObjectStore.prototype.put;
      window.draftHeld = true;
      IDBObjectStore.prototype.put = function (...args) {
        const request = put.apply(this, args);
        if (this.name === 'drafts') {
          const store = this;
          const spin = () => { if (window.draftHeld) store.get('none').onsuccess = spin; };
          spin();  // keeps the draft's transaction open until released
        }
        return request;
      };
      window.restorePut = () => { IDBObjectStore.prototype.put = put; window.draftHeld = false; };
    }""")
    page.fill("textarea[name=note]", NOTE)
    page.click("#save-rectification")
    page.click("#confirm-early-save")
    page.click("#tabs a[data-tab=outbox]")
    expect(page.locator("#outbox-summary")).to_be_visible()
    page.evaluate("window.restorePut()")
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(1)
    page.wait_for_timeout(300)
    assert page.evaluate("location.hash") == "#/outbox"
    [operation] = idb(page, "return (await db.all('outbox')).map((i) => i.operation);")
    assert operation["note"] == NOTE and operation["finding"] == due.uuid
