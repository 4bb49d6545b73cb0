"""Corrupt, absurd or hostile EXIF in an uploaded photo: stored with what can be read (or refused
with a 4xx), never a 500; what it claims is checked on the desk, and what it says is only text."""
import io
import struct
from datetime import datetime
from types import SimpleNamespace

import pytest
from PIL import Image

from server.accounts.models import Role
from server.findings.evidence import check_photo
from server.photos.operations import STORE_EXTENSION
from server.photos.store import DiskPhotoStore
from tests.unit.test_photo_samples import sha256_of


@pytest.fixture(autouse=True)
def media(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.extensions, STORE_EXTENSION, DiskPhotoStore(tmp_path / "media"))


@pytest.fixture
def worker(auth_headers, make_user, make_building):
    building = make_building()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


def jpeg_with_exif(exif: Image.Exif | None = None, app1: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (320, 240), (90, 140, 200))
    image.save(out, "JPEG", **({"exif": exif} if exif is not None else {}))
    data = out.getvalue()
    if app1 is not None:  # a raw APP1 right after SOI
        data = data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]
    return data


def exif_of(make=None, taken=None, offset=None, gps=None) -> Image.Exif:
    exif = Image.Exif()
    if make is not None:
        exif[0x010F] = make
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
        if offset:
            exif.get_ifd(0x8769)[0x9011] = offset
    if gps is not None:
        info = exif.get_ifd(0x8825)
        info[1], info[2], info[3], info[4] = gps
    return exif


def put(client, headers, data, **query):
    return client.put(f"/api/photos/{sha256_of(data)}", headers=headers, data=data,
                      content_type="image/jpeg", query_string=query)


HOSTILE = {
    "garbage after the Exif header": jpeg_with_exif(app1=b"Exif\x00\x00" + bytes(range(256)) * 8),
    "IFD offset past the end": jpeg_with_exif(app1=b"Exif\x00\x00MM\x00*\xff\xff\xff\xf0"),
    "IFD pointing at itself": jpeg_with_exif(
        app1=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x87\x69\x00\x04\x00\x00\x00\x01"
             b"\x00\x00\x00\x08\x00\x00\x00\x00"),
    "entry count of 65535": jpeg_with_exif(app1=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff"),
    "oversized camera name": jpeg_with_exif(exif_of(make="A" * 60_000)),
    "a date of year 9999 at -12:00": jpeg_with_exif(exif_of(taken="9999:12:31 23:59:59",
                                                            offset="-12:00")),
    "a date that is no date": jpeg_with_exif(exif_of(taken="<script>alert(1)</script>")),
    "GPS rationals with zero denominators": jpeg_with_exif(
        app1=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08"
             + b"\x00\x01" + b"\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a" + b"\x00" * 4
             + b"\x00\x02" + b"\x00\x01\x00\x02\x00\x00\x00\x02N\x00\x00\x00"
             + b"\x00\x02\x00\x05\x00\x00\x00\x03\x00\x00\x00\x38" + b"\x00" * 4
             + struct.pack(">6L", 1, 0, 0, 0, 5, 0)),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_exif_never_gives_a_500(client, worker, name):
    response = put(client, worker, HOSTILE[name], original_exif="true")
    assert response.status_code in (201, 400, 413, 415, 422), (name, response.status_code)
    if response.status_code == 201:
        check = check_photo(_row(response.json))
        assert all(isinstance(w, str) for w in check.warnings)


def test_an_oversized_camera_name_is_cut_to_one_short_line(client, worker):
    response = put(client, worker, HOSTILE["oversized camera name"])
    assert response.status_code == 201
    assert response.json["exif_camera"] == "A" * 64


def test_a_script_in_the_camera_name_is_kept_as_text(client, worker):
    response = put(client, worker, jpeg_with_exif(exif_of(make="<script>alert(1)</script>")))
    assert response.json["exif_camera"] == "<script>alert(1)</script>"


def test_a_1970_capture_at_gps_zero_zero_is_stored_and_flagged(client, worker):
    data = jpeg_with_exif(exif_of(taken="1970:01:01 08:00:00", offset="+08:00",
                                  gps=("N", (0, 0, 0), "E", (0, 0, 0))))
    response = put(client, worker, data, captured_at="2024-07-01T09:30:00+08:00",
                   original_exif="true")
    assert response.status_code == 201
    photo = response.json
    assert photo["exif_captured_at"] == "1970-01-01T00:00:00+00:00"
    assert (photo["exif_latitude"], photo["exif_longitude"]) == (0.0, 0.0)
    assert photo["original_exif"] is True
    assert check_photo(_row(photo)).warnings == (
        "EXIF 拍摄时间为 1970 年，相机时钟未设置或信息被改动，不可信",
        "EXIF 位置为 0,0（无效定位），已忽略")


def test_a_capture_after_the_upload_is_flagged(client, worker):
    data = jpeg_with_exif(exif_of(taken="2099:01:01 00:00:00", offset="+08:00"))
    response = put(client, worker, data)
    assert response.status_code == 201
    assert any("晚于服务器收到照片的时间" in w for w in check_photo(_row(response.json)).warnings)


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_original_exif_must_be_true_or_false(client, worker, value):
    response = put(client, worker, jpeg_with_exif(), original_exif=value)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "request.bad_parameter"


def test_the_phones_word_that_the_original_had_no_exif_is_kept(client, worker):
    response = put(client, worker, jpeg_with_exif(), original_exif="false")
    assert response.json["original_exif"] is False
    assert check_photo(_row(response.json)).warnings == ("原图没有拍摄信息（可能来自聊天软件或截图）",)


def _row(answer: dict):
    """The stored photo as the desk sees it (a row read back through the API's answer)."""
    def moment(value):
        return datetime.fromisoformat(value) if value else None
    return SimpleNamespace(**{**answer, "captured_at": moment(answer["captured_at"]),
                              "exif_captured_at": moment(answer["exif_captured_at"]),
                              "received_at": moment(answer["received_at"])})
