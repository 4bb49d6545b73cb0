"""Evidence that stays evidence outside Loujian: every exported stamped copy carries a signed C2PA
manifest of what it is evidence of, and the CLI and the desk tell an unaltered copy from a
tampered, forged, unsigned or non-image file, in Chinese, never with a 500."""
import hashlib
import io
import zipfile
from datetime import datetime, timezone

import pytest
from PIL import Image

from server.accounts.models import Role
from server.extensions import db
from server.photos import provenance
from server.photos.operations import evidence_credentials, receive_photo

CAPTURED = datetime(2024, 7, 1, 1, 5, tzinfo=timezone.utc)  # 09:05 in China


@pytest.fixture
def exported(sign_in, reviewer, make_estate, make_building, make_finding, make_user):
    """A photo taken by 张晓梅 at 达明新村3#, exported in its community's ZIP: (original, stamped)."""
    image, out = Image.new("RGB", (1200, 900), (120, 140, 160)), io.BytesIO()
    image.save(out, "JPEG")
    original = out.getvalue()
    sha = hashlib.sha256(original).hexdigest()
    building = make_building(estate=make_estate(name="达明新村"), number="3#")
    worker = make_user(Role.WORKER, communities=[building.estate.community],
                       display_name="张晓梅")
    receive_photo(worker, sha, original, {"captured_at": CAPTURED, "latitude": 35.14319,
                                          "longitude": 111.234281})
    db.session.commit()
    make_finding(building, photos=[sha], author=worker, indicator=3, check_item="楼梯踏步损坏")
    response = sign_in(reviewer).get(f"/desk/exports/photos/{building.estate.community_id}.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    [stamped] = [n for n in archive.namelist() if n.startswith("标注/")]
    return original, archive.read(stamped)


def check(data: bytes):
    return provenance.verify(data, evidence_credentials().anchor_pem)


def test_exported_stamped_copy_is_authentic_evidence_of_its_finding(exported):
    original, stamped = exported
    verdict = check(stamped)
    assert verdict.status == provenance.AUTHENTIC
    assert verdict.evidence == {
        "building": "达明新村3#", "indicator": 3, "check_item": "楼梯踏步损坏",
        "surveyor": "张晓梅", "captured_at": "2024-07-01T01:05:00+00:00",
        "latitude": 35.14319, "longitude": 111.234281,
        "received_at": verdict.evidence["received_at"],
        "original_sha256": hashlib.sha256(original).hexdigest(), "after_rectification": False}
    assert datetime.fromisoformat(verdict.evidence["received_at"]) > CAPTURED
    assert "拍摄时间：2024-07-01 09:05:00（北京时间）" in verdict.lines


def test_original_without_manifest_is_named_as_unsigned(exported):
    original, _ = exported
    assert check(original).status == provenance.NO_MANIFEST


def test_one_byte_changed_in_the_picture_is_tampering(exported):
    _, stamped = exported
    changed = bytearray(stamped)
    changed[-200] ^= 0x01  # inside the image data, before the end marker
    verdict = check(bytes(changed))
    assert verdict.status == provenance.TAMPERED and verdict.problems


def test_one_byte_changed_in_the_manifest_claims_is_tampering(exported):
    _, stamped = exported
    at = stamped.index("达明新村3#".encode())
    forged = stamped[:at] + "达明新村4#".encode() + stamped[at + len("达明新村3#".encode()):]
    assert len(forged) == len(stamped) and sum(a != b for a, b in zip(forged, stamped)) == 1
    assert check(forged).status == provenance.TAMPERED


def test_manifest_signed_by_another_key_is_not_loujian_evidence(exported, tmp_path):
    _, stamped = exported
    plain = io.BytesIO()
    Image.open(io.BytesIO(stamped)).save(plain, "JPEG")  # re-encoded: the manifest is gone
    evidence = provenance.Evidence("达明新村3#", 3, "楼梯踏步损坏", "张晓梅", CAPTURED, 35.1, 111.2,
                                   CAPTURED, "0" * 64)
    other = provenance.load_credentials(tmp_path / "elsewhere")
    with provenance.make_signer(other) as signer:
        forged = provenance.sign_jpeg(plain.getvalue(), evidence, signer)
    assert provenance.verify(forged, other.anchor_pem).status == provenance.AUTHENTIC
    verdict = check(forged)
    assert verdict.status == provenance.UNTRUSTED
    assert "以下为文件中声称的内容，未经证实：" in verdict.lines


def test_a_file_that_is_not_an_image_is_named_so(app_context):
    assert check(b"%PDF-1.7 not a photo").status == provenance.NOT_AN_IMAGE
    assert check(b"").status == provenance.NOT_AN_IMAGE


def test_bureau_configured_certificate_and_key_are_used(tmp_path):
    made = provenance.load_credentials(tmp_path / "made")
    (tmp_path / "chain.pem").write_bytes(made.chain_pem)
    (tmp_path / "key.pem").write_bytes(made.key_pem)
    configured = provenance.load_credentials(tmp_path / "unused", str(tmp_path / "chain.pem"),
                                             str(tmp_path / "key.pem"))
    assert configured == made and not (tmp_path / "unused").exists()
    with pytest.raises(ValueError):
        provenance.load_credentials(tmp_path / "unused", str(tmp_path / "chain.pem"), None)


def test_local_key_is_made_once_and_kept(tmp_path):
    first = provenance.load_credentials(tmp_path / "c2pa")
    assert provenance.load_credentials(tmp_path / "c2pa") == first
    assert oct((tmp_path / "c2pa" / provenance.KEY_FILE).stat().st_mode)[-3:] == "600"


# The CLI and the desk page

def test_cli_says_an_exported_copy_is_unaltered_and_what_it_shows(app, exported, tmp_path):
    _, stamped = exported
    (tmp_path / "photo.jpg").write_bytes(stamped)
    result = app.test_cli_runner().invoke(args=["photos", "verify", str(tmp_path / "photo.jpg")])
    assert result.exit_code == 0, result.output
    assert "未被改动" in result.output and "楼栋：达明新村3#" in result.output
    assert "拍摄人：张晓梅" in result.output


@pytest.mark.parametrize("content, says", [
    (b"just text", "不是图片"),
    (None, "没有内容凭证"),
])
def test_cli_names_what_is_wrong_and_fails(app, exported, tmp_path, content, says):
    (tmp_path / "file").write_bytes(content if content is not None else exported[0])
    result = app.test_cli_runner().invoke(args=["photos", "verify", str(tmp_path / "file")])
    assert result.exit_code == 1 and says in result.output


def upload(client, csrf_from, data: bytes, name="photo.jpg"):
    token = csrf_from("/desk/photos/verify")
    return client.post("/desk/photos/verify", content_type="multipart/form-data",
                       data={"csrf_token": token, "photo": (io.BytesIO(data), name)})


def test_desk_page_shows_an_authentic_photo_and_its_evidence(client, csrf_from, exported):
    page = upload(client, csrf_from, exported[1]).get_data(as_text=True)
    assert "未被改动" in page and "达明新村3#" in page and "张晓梅" in page
    assert "2024-07-01 09:05:00" in page and "35.14319, 111.23428" in page


@pytest.mark.parametrize("change, says", [
    ("text", "这不是图片文件"),
    ("original", "没有内容凭证"),
    ("one byte", "文件已被改动"),
])
def test_desk_page_names_what_is_wrong_with_a_file(client, csrf_from, exported, change, says):
    original, stamped = exported
    data = {"text": "楼检".encode(), "original": original}.get(change)
    if data is None:
        data = bytearray(stamped)
        data[-200] ^= 0x01
    response = upload(client, csrf_from, bytes(data))
    assert response.status_code == 200
    assert says in response.get_data(as_text=True)


def test_desk_page_without_a_file_asks_for_one(client, csrf_from, exported):
    token = csrf_from("/desk/photos/verify")
    response = client.post("/desk/photos/verify", data={"csrf_token": token})
    assert response.status_code == 422
    assert "照片" in response.get_data(as_text=True) and "核验" in response.get_data(as_text=True)


def test_desk_page_refuses_a_file_over_the_limit_in_chinese(app, client, csrf_from, exported,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "LOUJIAN_VERIFY_MAX_BYTES", 1000)
    response = upload(client, csrf_from, exported[1])
    assert response.status_code == 413 and "超过" in response.get_data(as_text=True)


def test_desk_page_needs_sign_in(app):
    response = app.test_client().get("/desk/photos/verify")
    assert response.status_code == 302 and "/desk/login" in response.headers["Location"]
