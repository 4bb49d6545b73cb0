"""What a surveyor does in the app, and what the phone holds, for the browser tests."""
from playwright.sync_api import expect

GAS_FORM = "2024-gas-safety"


def open_building(page, label):
    page.locator("#building-list a", has_text=label).first.click()
    page.wait_for_selector("#indicators")


def open_form(page, form_id):
    page.click(f"#indicators a[data-form='{form_id}']")
    page.wait_for_selector("#submit-form")


def answer_number(page, question, value):
    page.fill(f"[data-question={question}] input", str(value))


def answer_yes_no(page, question, yes):
    page.click(f"[data-question={question}] button[data-value={'true' if yes else 'false'}]")


def fill_gas_form_with_rubber_hose(page, photo_files, unit="2单元", floor=3):
    """Every check clear except rubber hoses, located and photographed; photo_files are
    {name, mimeType, buffer} payloads: the first through the camera, the rest from the gallery."""
    answer_number(page, "households_checked", 12)
    answer_yes_no(page, "rubber_hose", True)
    answer_number(page, "rubber_hose_households", 3)
    page.fill("[data-question=rubber_hose_location] input[name='rubber_hose_location.unit']", unit)
    page.fill("[data-question=rubber_hose_location] input[name='rubber_hose_location.floor']", str(floor))
    page.fill("[data-question=rubber_hose_location] input[name='rubber_hose_location.detail']", "厨房灶前")
    photos = page.locator("[data-question=rubber_hose_photos]")
    photos.locator("input[data-picker=camera]").set_input_files(photo_files[0])
    expect(photos.locator(".thumb")).to_have_count(1)
    if len(photo_files) > 1:
        photos.locator("input[data-picker=gallery]").set_input_files(photo_files[1:])
        expect(photos.locator(".thumb")).to_have_count(len(photo_files))
    for question in page.locator(".question[data-type=yes_no]:visible").all():
        qid = question.get_attribute("data-question")
        if qid != "rubber_hose":
            question.locator("button[data-value=false]").click()
    answer_number(page, "riser_install_year", 2012)


def submit_form(page):
    page.click("#submit-form")
    page.wait_for_selector("#indicators")


def idb(page, expression):
    """Evaluate `expression` (an async function body) with the app's db module as `db`."""
    return page.evaluate(f"async () => {{ const db = await import('/app/js/db.js'); {expression} }}")


def outbox_states(page):
    return idb(page, "return (await db.all('outbox')).map((i) => i.state);")


def stored_photo_hashes(page):
    """SHA-256 of the bytes the phone holds, computed in the page from IndexedDB."""
    return idb(page, """
        const out = {};
        for (const photo of await db.all('photos')) {
          const digest = await crypto.subtle.digest('SHA-256', photo.bytes);
          out[photo.sha] = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
        }
        return out;""")


def jpeg_payload(name, data):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def fill_gas_form_all_clear(page):
    answer_number(page, "households_checked", 10)
    for question in page.locator(".question[data-type=yes_no]:visible").all():
        question.locator("button[data-value=false]").click()
    answer_number(page, "riser_install_year", 2015)
