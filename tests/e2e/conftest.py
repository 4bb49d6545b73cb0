"""Browser tests: the real app served by a live server in a thread, driven by Debian's Chromium
through Playwright on a phone-sized, touch, zh-CN context. Service workers need a secure context:
http://127.0.0.1 counts as one."""
import hashlib
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from server.accounts.models import Role
from server.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}
SCREENSHOTS = Path(__file__).parent / "screenshots"
# CI shares two cores between the server, Chromium and the installs: waits are generous, never
# sleeps. (An assertion still fails as soon as what it waits for cannot come.)
expect.set_options(timeout=15_000)
PASSWORD = "loujian2024"


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser):
    """A fresh phone: its own storage, service workers and IndexedDB."""
    yield from _fresh_context(browser, PHONE)


@pytest.fixture
def desktop(browser):
    """A fresh desktop browser window, as the bureau's desk is used."""
    yield from _fresh_context(browser, DESKTOP)


def _fresh_context(browser, options):
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def relaunch_phone(playwright, tmp_path):
    """A phone whose browser can be quit and started again on the same profile (a cold start)."""
    profile = tmp_path / "profile"
    contexts = []

    def launch(offline=False):
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, offline=offline, **PHONE)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context
    yield launch
    for context in contexts:
        try:
            context.close()
        except PlaywrightError:  # already closed by the test
            continue


@pytest.fixture
def surveyor(app_context, make_round, make_community, make_estate, make_building, make_user,
             make_property_company):
    """A community worker with a few buildings in scope, committed so the live server sees them."""
    make_round()
    community = make_community(name="城东社区")
    estate = make_estate(name="达明新村", community=community,
                         property_company=make_property_company(name="夏县禹都物业"))
    buildings = [make_building(estate=estate, number=f"{n}#", year_built=1988 + n, households=24)
                 for n in range(1, 6)]
    buildings.append(make_building(estate=make_estate(name="城东零星楼栋", community=community,
                                                      is_temporary=True),
                                   number="9#", year_built=1976, structure_type="masonry",
                                   floors_above=4, gas_supply="bottled"))
    user = make_user(role=Role.WORKER, communities=(community,), username="shequ-e2e",
                     password=PASSWORD)
    db.session.commit()
    return SimpleNamespace(username=user.username, password=PASSWORD, user=user,
                           buildings=buildings, first=buildings[0])


def sign_in(page, base_url, surveyor):
    page.goto(base_url + "/")
    page.fill("input[name=username]", surveyor.username)
    page.fill("input[name=password]", surveyor.password)
    page.click("button[type=submit]")
    page.wait_for_selector("#building-list li a", timeout=30_000)


def wait_for_offline_ready(page):
    """The service worker controls the page and its release is fully cached."""
    page.wait_for_function("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return Boolean(navigator.serviceWorker.controller) && registration.active.state === 'activated';
    }""")
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
