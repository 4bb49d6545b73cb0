"""Camera facts survive the phone's shrink: 12 MP camera photos taken in the app arrive with their
EXIF (time, place, camera), the desk shows no warning for genuine ones and flags an old photo and
one taken 5 km away. Prints the bytes that leave the phone."""
import io
import math
from datetime import datetime, timedelta

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from server.photos.models import Photo
from server.photos.operations import open_variant
from sync.china_time import CHINA_TIME
from tests.e2e.app_driver import (GAS_FORM, fill_gas_form_with_rubber_hose, idb, jpeg_payload,
                                  open_building, open_form, submit_form)
from tests.e2e.conftest import PASSWORD, PHONE, screenshot, sign_in
from tests.e2e.sample_photos import CAMERA_MAKE, CAMERA_MODEL, camera_jpeg

pytestmark = pytest.mark.slow
SITE = (35.141806, 111.220069)  # the building, and where the phone stands
METRE = 1 / 111_195  # a metre of latitude, in degrees
MAX_SENT = 500 * 1024


def test_camera_photos_keep_their_exif_and_only_disagreements_are_flagged(
        browser, live_server, surveyor, desktop, make_user):
    building = surveyor.first
    building.latitude, building.longitude = SITE
    make_user(Role.REVIEWER, username="shenhe-exif", password=PASSWORD)
    db.session.commit()
    now = datetime.now(CHINA_TIME).replace(microsecond=0)
    genuine = [camera_jpeg(n, now - timedelta(minutes=2 + n), SITE[0] + 15 * n * METRE, SITE[1])
               for n in range(7)]
    old = camera_jpeg(7, now - timedelta(days=2), *SITE)
    far = camera_jpeg(8, now - timedelta(minutes=3), SITE[0] + 5000 * METRE, SITE[1])
    originals = genuine + [old, far]
    assert all(3_000_000 <= len(o) <= 5_000_000 for o in originals), [len(o) for o in originals]
    assert len({len(o) for o in originals}) == len(originals)  # told apart by size below

    phone = browser.new_context(**PHONE, geolocation={"latitude": SITE[0], "longitude": SITE[1]},
                                permissions=["geolocation"])
    try:
        page = phone.new_page()
        sent = []  # the photo bytes that leave the phone, as the requests carry them
        page.on("request", lambda r: sent.append(len(r.post_data_buffer or b""))
                if r.method == "PUT" and "/api/photos/" in r.url else None)
        sign_in(page, live_server, surveyor)
        open_building(page, building.label)
        open_form(page, GAS_FORM)
        fill_gas_form_with_rubber_hose(
            page, [jpeg_payload(f"IMG_{n:04d}.jpg", data) for n, data in enumerate(originals)])
        kept = idb(page, "return (await db.all('photos')).map(({bytes, ...p}) => p);")
        sha_of = {p["original_size"]: p["sha"] for p in kept}
        submit_form(page)
        page.goto(live_server + "/#/outbox")
        expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=60_000)
    finally:
        phone.close()

    _print_sizes(sent, originals)
    assert len(sent) == len(originals)
    assert _p95(sent) <= MAX_SENT

    db.session.rollback()  # see what the server committed
    finding = db.session.scalars(db.select(Finding).where(Finding.building_id == building.id)).one()
    shas = [sha_of[len(o)] for o in originals]
    assert [p.sha256 for p in finding.photos] == shas
    for n, sha in enumerate(shas[:7]):
        photo = db.session.get(Photo, sha)
        assert photo.exif_captured_at == now - timedelta(minutes=2 + n)
        assert photo.exif_latitude == pytest.approx(SITE[0] + 15 * n * METRE, abs=1e-6)
        assert photo.exif_camera == f"{CAMERA_MAKE} {CAMERA_MODEL}" and photo.original_exif is True
        assert (photo.latitude, photo.longitude) == pytest.approx(SITE)  # the phone's own fix
    _assert_upload_carries_exif(db.session.get(Photo, shas[0]))

    page = desktop.new_page()
    page.goto(live_server + "/desk/")
    page.fill("input[name=username]", "shenhe-exif")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server + f"/desk/review/findings/{finding.uuid}")
    metas = {sha: page.locator(".meta", has_text=sha) for sha in shas}
    for sha in shas[:7]:
        text = metas[sha].text_content()
        assert "⚠" not in text, text
        assert "✓ 拍摄时间与手机记录相符；位置与手机定位相符" in text
        assert "手机上传件" in text and "显示副本" in text and "Xiaomi 23049RAD8C" in text
    assert "⚠ EXIF 拍摄时间比手机记录的时间早 2.0 天（可能是相册里的旧照片）" in metas[shas[7]].text_content()
    far_text = metas[shas[8]].text_content()
    assert "⚠ EXIF 位置与手机定位相距 " in far_text
    distance = int(far_text.split("相距 ")[1].split(" 米")[0].replace(",", ""))
    assert 4900 <= distance <= 5100
    expect(page.locator(".thumb b.warn")).to_have_count(2)  # the ⚠ marks on the thumbnails
    for index, name in ((7, "old"), (8, "far"), (0, "genuine")):
        page.locator(f"#viewer .thumb[data-index='{index}']").click()
        meta = page.locator(f".meta[data-meta='{index}']")
        expect(meta).to_be_visible()
        meta.scroll_into_view_if_needed()
        screenshot(page, f"desk-exif-{name}-photo")


def _assert_upload_carries_exif(photo):
    """The stored upload is the phone's JPEG, with the camera's facts and nothing to rotate."""
    file, _ = open_variant(photo, "original")
    with file, Image.open(io.BytesIO(file.read())) as image:
        assert max(image.size) == 2048
        exif = image.getexif()
    assert exif[ExifTags.Base.Orientation] == 1 and exif[ExifTags.Base.Make] == CAMERA_MAKE
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] == "+08:00"
    assert exif.get_ifd(ExifTags.IFD.IFD1) == {}


def _p95(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank


def _print_sizes(sent, originals):
    kb = [round(size / 1024, 1) for size in sorted(sent)]
    print(f"\n12 MP camera originals: {len(originals)}, "
          f"{min(originals, key=len).__len__() / 1e6:.2f}–{max(map(len, originals)) / 1e6:.2f} MB")
    print(f"bytes leaving the phone (KB, sorted): {kb}")
    print(f"p50 {kb[len(kb) // 2]} KB, p95 {_p95(sent) / 1024:.1f} KB, max {kb[-1]} KB "
          f"(limit {MAX_SENT // 1024} KB)")
