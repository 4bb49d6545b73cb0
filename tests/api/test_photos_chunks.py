"""Large photos in resumable pieces: a cut upload resumes from what the server holds."""
from pathlib import Path

import pytest

from server import create_app
from server.accounts.models import Role
from server.extensions import db
from server.photos import operations
from server.photos.models import Photo
from server.photos.operations import STORE_EXTENSION
from server.photos.store import DiskPhotoStore
from tests.unit.test_photo_samples import phone_jpeg, sha256_of, text_named_jpeg

CHUNK_LIMIT = 64 * 1024
PHOTO_LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def small_app(app, database_url, tmp_path_factory):
    """The app with small limits, on the same database, so pieces and refusals stay cheap."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                       "LOUJIAN_MEDIA_DIR": str(tmp_path_factory.mktemp("chunk-media")),
                       "LOUJIAN_PHOTO_CHUNK_MAX_BYTES": CHUNK_LIMIT,
                       "LOUJIAN_PHOTO_MAX_BYTES": PHOTO_LIMIT})


@pytest.fixture(autouse=True)
def media(small_app, tmp_path, monkeypatch):
    """A fresh, empty photo folder for each test: partial uploads must not leak between tests."""
    folder = tmp_path / "media"
    monkeypatch.setitem(small_app.extensions, STORE_EXTENSION, DiskPhotoStore(folder))
    return folder


@pytest.fixture
def client(small_app, app_context):
    return small_app.test_client()


@pytest.fixture
def worker(make_user, make_building, auth_headers):
    building = make_building()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


@pytest.fixture
def photo():
    data = phone_jpeg()
    assert CHUNK_LIMIT * 2 < len(data) < PHOTO_LIMIT
    return data


def put_piece(client, headers, data, offset, total, sha=None, **query):
    return client.put(f"/api/photos/{sha or sha256_of(data)}/chunks", headers=headers,
                      data=data[offset:offset + CHUNK_LIMIT],
                      content_type="application/octet-stream",
                      query_string={"offset": offset, "total": total, **query})


def send_all(client, headers, data, start=0, **query):
    """Sends the pieces from `start`; returns the answer to the last one."""
    for offset in range(start, len(data), CHUNK_LIMIT):
        response = put_piece(client, headers, data, offset, len(data), **query)
        if offset + CHUNK_LIMIT < len(data):
            assert response.status_code == 202, response.json
    return response


def partial_file(media, sha) -> Path:
    return media / "partial" / f"{sha}.part"


def test_earlier_pieces_answer_202_with_the_bytes_received(client, worker, photo):
    response = put_piece(client, worker, photo, 0, len(photo))
    assert response.status_code == 202
    assert response.json == {"received": CHUNK_LIMIT}


def test_piece_that_completes_the_photo_stores_it(client, worker, photo):
    response = send_all(client, worker, photo, captured_at="2024-07-01T09:31:00+08:00")
    assert response.status_code == 201, response.json
    assert response.json["sha256"] == sha256_of(photo)
    assert response.json["captured_at"] == "2024-07-01T01:31:00+00:00"
    assert (response.json["width"], response.json["height"]) == (3000, 4000)


def test_cut_upload_resumes_from_what_the_server_holds(media, client, worker, photo):
    sha = sha256_of(photo)
    put_piece(client, worker, photo, 0, len(photo))  # … and then the network is cut

    check = client.post("/api/photos/check", headers=worker, json={"hashes": [sha]})
    assert check.json == {"missing": [sha], "partial": {sha: CHUNK_LIMIT}}
    state = client.get(f"/api/photos/{sha}/upload", headers=worker)
    assert state.json == {"received": CHUNK_LIMIT, "complete": False}

    assert send_all(client, worker, photo, start=CHUNK_LIMIT).status_code == 201
    on_disk = media / "original" / sha[:2] / sha[2:4] / sha
    assert on_disk.read_bytes() == photo
    assert not partial_file(media, sha).exists()
    assert client.get(f"/api/photos/{sha}/upload", headers=worker).json == {
        "received": len(photo), "complete": True}


def test_piece_at_the_wrong_offset_is_409_naming_what_is_held(client, worker, photo):
    put_piece(client, worker, photo, 0, len(photo))
    response = put_piece(client, worker, photo, 2 * CHUNK_LIMIT, len(photo))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "photo.offset_mismatch"
    assert response.json["error"]["details"] == {"received": CHUNK_LIMIT}


def test_piece_sent_twice_is_not_appended_twice(media, client, worker, photo):
    put_piece(client, worker, photo, 0, len(photo))
    assert put_piece(client, worker, photo, 0, len(photo)).status_code == 409
    assert partial_file(media, sha256_of(photo)).stat().st_size == CHUNK_LIMIT


def test_replayed_completing_piece_answers_200(client, worker, photo):
    first = send_all(client, worker, photo)
    last_offset = (len(photo) - 1) // CHUNK_LIMIT * CHUNK_LIMIT
    again = put_piece(client, worker, photo, last_offset, len(photo))
    assert again.status_code == 200
    assert again.json == first.json


def test_completing_piece_retried_after_a_server_failure_finishes_the_upload(
        client, worker, photo, monkeypatch):
    monkeypatch.setattr(operations, "process", _failing_once(operations.process))
    last_offset = (len(photo) - 1) // CHUNK_LIMIT * CHUNK_LIMIT
    assert send_all(client, worker, photo).status_code == 500
    retried = put_piece(client, worker, photo, last_offset, len(photo))
    assert retried.status_code == 201
    assert retried.json["sha256"] == sha256_of(photo)


def test_pieces_that_do_not_match_their_hash_are_dropped(media, client, worker, photo):
    wrong = "f" * 64
    response = send_all(client, worker, photo, sha=wrong)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "photo.hash_mismatch"
    assert not partial_file(media, wrong).exists()
    assert db.session.get(Photo, wrong) is None


def test_first_piece_that_is_not_an_image_is_refused_at_once(media, client, worker):
    data = text_named_jpeg()
    response = put_piece(client, worker, data, 0, len(data))
    assert response.status_code == 415
    assert response.json["error"]["code"] == "photo.unsupported_type"
    assert not partial_file(media, sha256_of(data)).exists()


def test_total_over_the_photo_limit_is_413(client, worker, photo):
    response = put_piece(client, worker, photo, 0, PHOTO_LIMIT + 1)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "photo.too_large"


def test_piece_over_the_piece_limit_is_413(client, worker, photo):
    response = client.put(f"/api/photos/{sha256_of(photo)}/chunks", headers=worker,
                          data=photo[:CHUNK_LIMIT + 1],
                          query_string={"offset": 0, "total": len(photo)})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "photo.too_large"


def test_piece_beyond_the_total_is_400(client, worker, photo):
    response = put_piece(client, worker, photo, 0, 100)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "request.bad_parameter"


@pytest.mark.parametrize("query", [{"offset": -1, "total": 10}, {"offset": 0},
                                   {"offset": "x", "total": 10}, {"offset": 0, "total": 0}])
def test_bad_offset_or_total_is_400(client, worker, query):
    response = client.put(f"/api/photos/{'a' * 64}/chunks", headers=worker, data=b"x",
                          query_string=query)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "request.bad_parameter"


def _failing_once(function):
    calls = []

    def fail_first_time(*args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the worker died while processing")
        return function(*args)
    return fail_first_time
