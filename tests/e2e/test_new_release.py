"""A new release's service worker installs whole in the background and takes over when the
user applies it, without touching the outbox or the drafts (they live in IndexedDB)."""
import shutil

import pytest
from playwright.sync_api import expect

from server.app_shell.shell import DEFAULT_PWA_DIR
from tests.e2e.app_driver import (GAS_FORM, fill_gas_form_with_rubber_hose, idb,
                                  jpeg_payload, open_building, open_form, submit_form)
from tests.e2e.conftest import sign_in, wait_for_offline_ready
from tests.e2e.sample_photos import phone_jpeg

pytestmark = pytest.mark.slow
RELEASE_MARKER = "/* release 2: test */"


@pytest.fixture
def next_release(app, tmp_path):
    """Serve a copy of pwa/ that the test may change, as a deploy would."""
    folder = tmp_path / "pwa"
    shutil.copytree(DEFAULT_PWA_DIR, folder)
    app.config["LOUJIAN_PWA_DIR"] = str(folder)
    yield folder
    app.config.pop("LOUJIAN_PWA_DIR", None)


def shell_caches(page):
    return page.evaluate("caches.keys()")


def test_new_release_takes_over_keeping_outbox_and_drafts(live_server, surveyor, phone,
                                                          next_release):
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    wait_for_offline_ready(page)
    first_caches = shell_caches(page)
    assert len(first_caches) == 1

    # Work that must survive: an unsent survey (offline) and a draft.
    phone.set_offline(True)
    open_building(page, surveyor.buildings[2].label)
    open_form(page, GAS_FORM)
    fill_gas_form_with_rubber_hose(page, [jpeg_payload("a.jpg", phone_jpeg(4))])
    submit_form(page)
    open_form(page, "2024-stairwell-safety")
    page.locator(".question[data-type=integer]:visible input").first.fill("5")
    expect(page.locator("#draft-saved")).to_contain_text("草稿已自动保存")
    page.goto(live_server + "/#/")
    page.wait_for_selector("#building-list")
    # The server refuses pushes while the release changes, so the outbox keeps its item.
    phone.route("**/api/sync/push", lambda route: route.fulfill(
        status=503, headers={"Retry-After": "600"}, json={"error": {"code": "x", "message": "维护中"}}))
    phone.set_offline(False)

    css = next_release / "css" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + RELEASE_MARKER + "\n", encoding="utf-8")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.locator("#update-notice button").click(timeout=20_000)
    page.wait_for_function("(old) => caches.keys().then((k) => k.length === 1 && k[0] !== old)",
                           arg=first_caches[0])
    page.wait_for_selector("#building-list")

    css_served = page.evaluate("fetch('/app/css/app.css').then((r) => r.text())")
    assert RELEASE_MARKER in css_served  # from the new release's cache
    outbox = idb(page, "return (await db.all('outbox')).map((i) => i.state);")
    assert outbox in (["pending"], ["failed"], ["syncing"])
    drafts = idb(page, "return (await db.all('drafts')).map((d) => d.answers);")
    assert len(drafts) == 1 and 5 in drafts[0].values()
    photos = idb(page, "return (await db.all('photos')).length;")
    assert photos == 1
