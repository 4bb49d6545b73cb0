"""Photos over HTTP: content-addressed uploads, refusals that store nothing, reading by scope."""
import hashlib
import io
import secrets
import uuid
from pathlib import Path

import pytest
from PIL import Image

from server import create_app
from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.models import Finding, FindingPhoto
from server.photos.models import Photo
from server.photos.operations import STORE_EXTENSION, not_held_by
from server.photos.store import DiskPhotoStore
from server.syncing.models import Change
from tests.unit.test_photo_samples import (
    gif,
    phone_jpeg,
    plain_jpeg,
    png,
    png_bomb,
    sha256_of,
    text_named_jpeg,
    truncated_jpeg,
    webp,
)


@pytest.fixture(autouse=True)
def media(app, tmp_path, monkeypatch):
    """A fresh, empty photo folder for each test (the app outlives the test)."""
    folder = tmp_path / "media"
    monkeypatch.setitem(app.extensions, STORE_EXTENSION, DiskPhotoStore(folder))
    return folder


@pytest.fixture
def building(make_building):
    return make_building()


@pytest.fixture
def uploader(make_user, building):
    return make_user(Role.WORKER, communities=[building.estate.community])


@pytest.fixture
def worker(auth_headers, uploader):
    return auth_headers(uploader)


@pytest.fixture
def make_finding(make_round, uploader):
    survey_round = make_round()

    def make(building, photos):
        finding = Finding(uuid=str(uuid.uuid4()), round=survey_round, building=building,
                          indicator=2, check_item="燃气用户使用橡胶软管", severity="严重",
                          problem_class="限时解决", author_id=uploader.id)
        finding.photos = [FindingPhoto(sha256=sha, position=n) for n, sha in enumerate(photos)]
        db.session.add(finding)
        db.session.commit()
        return finding
    return make


def put_photo(client, headers, data, sha=None, **query):
    return client.put(f"/api/photos/{sha or sha256_of(data)}", headers=headers, data=data,
                      content_type="image/jpeg", query_string=query)


def stored_files(media, sha) -> list[Path]:
    return sorted(media.rglob(f"*{sha}*"))


def changes_of(finding) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Change)
                             .where(Change.kind == "finding", Change.entity_id == finding.uuid))


def image_size(response) -> tuple[int, int]:
    with Image.open(io.BytesIO(response.data)) as image:
        return image.size


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_whole_upload_is_stored_and_answers_201(client, worker):
    data = phone_jpeg()
    response = put_photo(client, worker, data)
    assert response.status_code == 201, response.json
    assert response.json["sha256"] == sha256_of(data)
    assert response.json["mime_type"] == "image/jpeg"
    assert (response.json["width"], response.json["height"]) == (3000, 4000)


def test_original_is_stored_byte_identical(media, client, worker):
    data = phone_jpeg()
    sha = sha256_of(data)
    put_photo(client, worker, data)
    on_disk = media / "original" / sha[:2] / sha[2:4] / sha
    assert on_disk.read_bytes() == data
    served = client.get(f"/api/photos/{sha}", headers=worker)
    assert served.data == data
    assert served.content_type == "image/jpeg"


def test_replayed_upload_answers_200_without_processing_again(client, worker, monkeypatch):
    data = plain_jpeg()
    first = put_photo(client, worker, data)

    def must_not_run(*args):
        raise AssertionError("a held photo was processed again")

    monkeypatch.setattr("server.photos.operations.process", must_not_run)
    again = put_photo(client, worker, data)
    assert again.status_code == 200
    assert again.json == first.json
    assert db.session.scalar(db.select(db.func.count()).select_from(Photo)) == 1


def test_display_copy_has_a_long_edge_of_1600_and_is_upright(client, worker):
    data = phone_jpeg()
    put_photo(client, worker, data)
    response = client.get(f"/api/photos/{sha256_of(data)}?size=display", headers=worker)
    assert response.status_code == 200
    assert response.content_type == "image/jpeg"
    assert image_size(response) == (1200, 1600)  # portrait: Orientation 6 applied


def test_thumbnail_is_small(client, worker):
    data = phone_jpeg()
    put_photo(client, worker, data)
    response = client.get(f"/api/photos/{sha256_of(data)}?size=thumb", headers=worker)
    assert image_size(response) == (240, 320)
    assert len(response.data) < 30_000


@pytest.mark.parametrize("make, mime_type", [(png, "image/png"), (webp, "image/webp")])
def test_png_and_webp_are_accepted_by_their_bytes(client, worker, make, mime_type):
    response = put_photo(client, worker, make())  # declared image/jpeg: the bytes decide
    assert response.status_code == 201
    assert response.json["mime_type"] == mime_type
    served = client.get(f"/api/photos/{sha256_of(make())}", headers=worker)
    assert served.content_type == mime_type


def test_exif_time_and_place_are_kept_beside_what_the_device_sent(client, worker):
    response = put_photo(client, worker, phone_jpeg(), captured_at="2024-07-01T09:31:00+08:00",
                         latitude="35.14", longitude="111.22")
    photo = response.json
    assert photo["captured_at"] == "2024-07-01T01:31:00+00:00"
    assert (photo["latitude"], photo["longitude"]) == (35.14, 111.22)
    assert photo["exif_captured_at"] == "2024-07-01T01:30:00+00:00"
    assert photo["exif_latitude"] == pytest.approx(35.1416667)
    assert photo["exif_longitude"] == pytest.approx(111.22)


@pytest.mark.parametrize("query", [{"captured_at": "2024-07-01T09:31:00"},
                                   {"latitude": "91", "longitude": "111"},
                                   {"latitude": "35"},
                                   {"filename": "../../etc/passwd"}])
def test_bad_capture_metadata_is_refused(client, worker, query):
    assert_error(put_photo(client, worker, plain_jpeg(), **query), 400, "request.bad_parameter")


@pytest.mark.parametrize("make, status, code", [
    (gif, 415, "photo.unsupported_type"),
    (text_named_jpeg, 415, "photo.unsupported_type"),
    (truncated_jpeg, 422, "photo.corrupt"),
    (png_bomb, 422, "photo.too_many_pixels"),
])
def test_bad_images_are_refused_and_nothing_is_stored(media, client, worker, make, status, code):
    data = make()
    assert_error(put_photo(client, worker, data), status, code)
    assert db.session.get(Photo, sha256_of(data)) is None
    assert stored_files(media, sha256_of(data)) == []


def test_bytes_not_matching_their_hash_are_refused_and_nothing_is_stored(media, client, worker):
    sha = secrets.token_hex(32)
    response = put_photo(client, worker, plain_jpeg(), sha=sha)
    assert_error(response, 422, "photo.hash_mismatch")
    assert db.session.get(Photo, sha) is None
    assert stored_files(media, sha) == []
    assert stored_files(media, sha256_of(plain_jpeg())) == []


@pytest.mark.parametrize("path", ["/api/photos/..%2F..%2Fetc%2Fpasswd", "/api/photos/../../etc",
                                  "/api/photos/" + "A" * 64, "/api/photos/" + "g" * 64,
                                  "/api/photos/" + "a" * 63, "/api/photos/%00" + "a" * 63])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_hostile_hash_in_the_path_is_a_4xx(client, worker, path, method):
    response = client.open(path, method=method, headers=worker, data=plain_jpeg())
    assert 400 <= response.status_code < 500
    assert response.json["error"]["code"] in {"request.bad_parameter", "route.not_found",
                                              "resource.not_found"}


def test_hostile_file_name_is_ignored(media, client, worker, tmp_path):
    target = tmp_path / "evil.jpg"
    response = client.put(f"/api/photos/{sha256_of(webp())}", data=webp(), headers={
        **worker, "Content-Disposition": f'attachment; filename="../../../..{target}"'})
    assert response.status_code == 201
    assert not target.exists()
    names = sorted(path.relative_to(media).as_posix() for path in media.rglob("*")
                   if path.is_file())
    sha = sha256_of(webp())
    shard = f"{sha[:2]}/{sha[2:4]}"
    assert names == [f"display/{shard}/{sha}.jpg", f"original/{shard}/{sha}",
                     f"thumb/{shard}/{sha}.jpg"]


def test_upload_over_the_byte_limit_is_413(database_url, tmp_path, make_user, auth_headers,
                                           building):
    small = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                        "LOUJIAN_MEDIA_DIR": str(tmp_path), "LOUJIAN_PHOTO_MAX_BYTES": 50_000})
    headers = auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))
    data = phone_jpeg()
    assert len(data) > 50_000
    response = put_photo(small.test_client(), headers, data)
    assert_error(response, 413, "photo.too_large")
    assert response.json["error"]["details"]["limit"] == 50_000
    assert list(tmp_path.iterdir()) == []


def test_reviewer_cannot_upload(client, make_user, auth_headers):
    headers = auth_headers(make_user(Role.REVIEWER))
    assert_error(put_photo(client, headers, plain_jpeg()), 403, "auth.forbidden")


def test_upload_needs_a_signed_in_user(client):
    assert_error(put_photo(client, {}, plain_jpeg()), 401, "auth.required")


def test_check_lists_the_hashes_the_server_lacks(client, worker):
    put_photo(client, worker, plain_jpeg())
    held, lacking = sha256_of(plain_jpeg()), sha256_of(png())
    response = client.post("/api/photos/check", headers=worker,
                           json={"hashes": [lacking, held, lacking]})
    assert response.status_code == 200
    assert response.json == {"missing": [lacking], "partial": {}}


@pytest.mark.parametrize("hashes", [["A" * 64], ["a" * 64] * 501, "a" * 64])
def test_check_refuses_bad_hash_lists(client, worker, hashes):
    response = client.post("/api/photos/check", headers=worker, json={"hashes": hashes})
    assert_error(response, 422, "request.invalid")


def test_photo_headers_make_it_cacheable_only_privately_and_forever(client, worker):
    data = plain_jpeg()
    put_photo(client, worker, data)
    response = client.get(f"/api/photos/{sha256_of(data)}", headers=worker)
    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control and "immutable" in cache_control
    assert "public" not in cache_control and "no-cache" not in cache_control
    assert response.headers["ETag"] == f'"{sha256_of(data)}"'
    assert response.headers["Content-Length"] == str(len(data))


def test_unchanged_photo_answers_304(client, worker):
    data = plain_jpeg()
    put_photo(client, worker, data)
    response = client.get(f"/api/photos/{sha256_of(data)}", headers={
        **worker, "If-None-Match": f'"{sha256_of(data)}"'})
    assert response.status_code == 304
    assert response.data == b""


def test_unknown_photo_is_404(client, worker):
    assert_error(client.get(f"/api/photos/{'c' * 64}", headers=worker), 404, "resource.not_found")


def test_unknown_size_is_400(client, worker):
    put_photo(client, worker, plain_jpeg())
    response = client.get(f"/api/photos/{sha256_of(plain_jpeg())}?size=huge", headers=worker)
    assert_error(response, 400, "request.bad_parameter")


def test_finding_lists_its_missing_photos_until_they_land(client, worker, building, make_finding):
    first, second = plain_jpeg(), png()
    finding = make_finding(building, [sha256_of(first), sha256_of(second)])

    def missing_photos(finding):
        return not_held_by(finding.author_id, [link.sha256 for link in finding.photos])

    assert missing_photos(finding) == [sha256_of(first), sha256_of(second)]
    put_photo(client, worker, second)
    assert missing_photos(finding) == [sha256_of(first)]
    put_photo(client, worker, first)
    assert missing_photos(finding) == []


def test_landing_photo_is_linked_to_the_findings_waiting_for_it(client, worker, building,
                                                                 make_finding):
    finding = make_finding(building, [sha256_of(webp())])
    put_photo(client, worker, webp())
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "photo.received"))
    assert entry.entity_id == sha256_of(webp())
    assert entry.details["findings"] == [finding.uuid]


def test_landing_photo_puts_its_findings_back_in_the_change_feed(client, worker, building,
                                                                  make_finding):
    finding = make_finding(building, [sha256_of(webp())])
    before = changes_of(finding)
    put_photo(client, worker, webp())
    assert changes_of(finding) == before + 1


def test_photo_is_visible_to_a_worker_of_the_findings_community(
        client, worker, building, make_finding, make_user, auth_headers):
    colleague = auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))
    put_photo(client, worker, plain_jpeg())
    sha = sha256_of(plain_jpeg())
    assert_error(client.get(f"/api/photos/{sha}", headers=colleague), 404, "resource.not_found")
    make_finding(building, [sha])
    assert client.get(f"/api/photos/{sha}?size=thumb", headers=colleague).status_code == 200


def test_photo_is_hidden_from_a_worker_of_another_community(
        client, worker, building, make_finding, make_user, make_community, auth_headers):
    stranger = auth_headers(make_user(Role.WORKER, communities=[make_community("城西社区")]))
    put_photo(client, worker, plain_jpeg())
    make_finding(building, [sha256_of(plain_jpeg())])
    response = client.get(f"/api/photos/{sha256_of(plain_jpeg())}", headers=stranger)
    assert_error(response, 404, "resource.not_found")
    unknown = client.get("/api/photos/" + "e" * 64, headers=stranger)
    assert response.json == unknown.json  # held by someone else or by no one: the same answer


def test_reviewer_sees_photos_of_the_county(client, worker, building, make_finding, make_user,
                                            auth_headers):
    reviewer = auth_headers(make_user(Role.REVIEWER))
    put_photo(client, worker, plain_jpeg())
    make_finding(building, [sha256_of(plain_jpeg())])
    response = client.get(f"/api/photos/{sha256_of(plain_jpeg())}", headers=reviewer)
    assert hashlib.sha256(response.data).hexdigest() == sha256_of(plain_jpeg())
