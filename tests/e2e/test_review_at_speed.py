"""A reviewer's morning at a 1366×768 desk: filter the queue, decide twenty findings with one key
press each, open the survey behind a finding, and check a rectification before and after."""
import hashlib
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from server.accounts.models import Role, User
from server.extensions import db
from server.findings.decisions import decide, version_of
from server.findings.models import Finding
from sync.china_time import china_today
from tests.e2e.conftest import PASSWORD, screenshot
from tests.e2e.sample_photos import phone_jpeg
from tests.factories import submission_op

pytestmark = pytest.mark.slow
DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESK)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def upload(client, headers, seed: int) -> str:
    photo = phone_jpeg(seed=seed, size=(1600, 1200))
    sha = hashlib.sha256(photo).hexdigest()
    assert client.put(f"/api/photos/{sha}", data=photo, headers={
        **headers, "Content-Type": "image/jpeg"}).status_code == 201
    return sha


def report(building, indicator, check_item, photos=()):
    return {"op": "finding.report", "id": str(uuid.uuid4()), "round": "2024",
            "building_id": building.id, "indicator": indicator, "check_item": check_item,
            "unit": "1单元", "floor": 2, "description": f"{check_item}（{building.number}）",
            "photos": list(photos)}


@pytest.fixture
def morning(surveyor, client, auth_headers, push, gas_answers, make_user):
    """Twenty stairwell findings to decide, one of another indicator that the filter leaves out,
    and a rubber hose surveyed with the gas form."""
    headers = auth_headers(surveyor.user)
    sha = upload(client, headers, seed=31)
    stairs = [report(surveyor.buildings[n % 5], 3, "楼梯踏步损坏", [sha] if n == 0 else [])
              for n in range(20)]
    other = {**report(surveyor.first, 6, None), "question_id": "water_pipes_leaking"}
    del other["check_item"]
    for start in (0, 10):
        assert {r["status"] for r in push(headers, *stairs[start:start + 10]).json["results"]} \
            == {"applied"}
    assert push(headers, other).json["results"][0]["status"] == "applied"
    hose = gas_answers(rubber_hose=True, rubber_hose_households=2,
                       rubber_hose_location={"unit": "2单元", "floor": 3},
                       rubber_hose_photos=[sha])
    surveyed = push(headers, submission_op(surveyor.first, hose)).json["results"][0]
    make_user(Role.REVIEWER, username="shenhe-speed", password=PASSWORD)
    db.session.commit()
    return {"stairs": [op["id"] for op in stairs], "other": other["id"],
            "hose": surveyed["result"]["findings"][0]["uuid"]}


def sign_in(page, live_server):
    page.goto(live_server + "/desk/login")
    page.fill("input[name=username]", "shenhe-speed")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def statuses(uuids) -> set[str]:
    db.session.expire_all()
    return {db.session.scalar(db.select(Finding.status).where(Finding.uuid == u)) for u in uuids}


def test_a_reviewer_clears_a_filtered_queue_of_twenty_with_one_key_each(live_server, desk,
                                                                        morning):
    page = desk.new_page()
    sign_in(page, live_server)
    page.goto(live_server + "/desk/review/")
    page.select_option("select[name=indicator]", "3")
    page.click("#queue-filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text("（20 条）")
    page.wait_for_function("() => [...document.querySelectorAll('img.rowthumb')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "desk-speed-1-queue")
    page.locator("table a", has_text="审核").first.click()
    expect(page.locator("#accept-and-next")).to_be_visible()
    screenshot(page, "desk-speed-2-finding")
    for decided in range(1, 21):
        page.keyboard.press("a")
        page.wait_for_load_state()
        expect(page.locator(".flash.success").first).to_be_visible()
        if decided < 20:
            expect(page.locator("#accept-and-next")).to_be_visible()
    expect(page.locator(".flash.success", has_text="本队列已无下一条问题")).to_be_visible()
    assert "indicator=3" in page.url
    assert statuses(morning["stairs"]) == {"accepted"}
    assert statuses([morning["other"]]) == {"pending"}


def test_a_reviewer_opens_the_survey_behind_a_finding(live_server, desk, morning):
    page = desk.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/desk/review/findings/{morning['hose']}")
    page.click("text=查看完整调查表")
    expect(page.locator("h1")).to_contain_text("住宅燃气安全隐患排查")
    expect(page.locator("main")).to_contain_text("橡胶软管")
    expect(page.locator("main")).to_contain_text("未适用（按规则跳过）")
    screenshot(page, "desk-speed-3-submission")


def test_a_reviewer_checks_a_rectification_before_and_after(live_server, desk, morning, surveyor,
                                                            client, auth_headers, push):
    finding_uuid = morning["stairs"][0]
    shenhe = db.session.scalar(db.select(User).where(User.username == "shenhe-speed"))
    finding = db.session.scalar(db.select(Finding).where(Finding.uuid == finding_uuid))
    decide(shenhe, finding_uuid, "accept", None, version_of(finding))
    db.session.commit()
    headers = auth_headers(surveyor.user)
    after = upload(client, headers, seed=47)
    answer = push(headers, {"op": "rectification.report", "id": str(uuid.uuid4()),
                            "finding": finding_uuid, "note": "踏步已重新浇筑",
                            "photos": [after],
                            "rectified_on": (china_today() - timedelta(days=1)).isoformat()})
    assert answer.json["results"][0]["status"] == "applied"
    page = desk.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/desk/review/findings/{finding_uuid}")
    compare = page.locator(".compare img")
    expect(compare).to_have_count(2)
    page.wait_for_function("() => [...document.querySelectorAll('.compare img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    page.locator(".rectification").scroll_into_view_if_needed()
    screenshot(page, "desk-speed-4-before-after")
    expect(page.locator("button", has_text="核验通过，销项")).to_be_visible()
