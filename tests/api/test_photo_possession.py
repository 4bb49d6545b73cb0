"""Content addressing is not permission: a hash links a photo only for someone who holds its
bytes, and "which photos do you lack" tells nobody what others hold."""
import uuid

import pytest

from server.accounts.models import Role
from server.photos.operations import STORE_EXTENSION
from server.photos.store import DiskPhotoStore
from tests.unit.test_photo_samples import plain_jpeg, png, sha256_of


@pytest.fixture(autouse=True)
def media(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.extensions, STORE_EXTENSION, DiskPhotoStore(tmp_path / "media"))


@pytest.fixture
def east(make_building, make_estate, make_community, make_round):
    make_round()
    return make_building(estate=make_estate(name="建设路小区",
                                            community=make_community("城东社区")))


@pytest.fixture
def west(make_building, make_estate, make_community):
    return make_building(estate=make_estate(name="中条山小区",
                                            community=make_community("城西社区")))


@pytest.fixture
def east_worker(make_user, auth_headers, east):
    return auth_headers(make_user(Role.WORKER, communities=[east.estate.community]))


@pytest.fixture
def west_worker(make_user, auth_headers, west):
    return auth_headers(make_user(Role.WORKER, communities=[west.estate.community]))


@pytest.fixture
def west_photo(client, west_worker, west):
    """A photo of 城西's, uploaded by its worker and linked to a 城西 finding."""
    data = plain_jpeg()
    assert client.put(f"/api/photos/{sha256_of(data)}", data=data, content_type="image/jpeg",
                      headers=west_worker).status_code == 201
    assert report(client, west_worker, west, [sha256_of(data)]).status_code == 200
    return data


def report(client, headers, building, photos):
    return client.post("/api/sync/push", headers=headers, json={"operations": [{
        "op": "finding.report", "id": str(uuid.uuid4()), "round": "2024",
        "building_id": building.id, "indicator": 3, "check_item": "楼梯踏步损坏",
        "photos": photos}]})


def test_linking_a_foreign_hash_does_not_open_the_photo(client, east_worker, east, west_photo):
    sha = sha256_of(west_photo)
    result = report(client, east_worker, east, [sha]).json["results"][0]
    assert result["status"] == "applied"
    assert result["result"]["finding"]["missing_photos"] == [sha]  # upload it, if you have it
    response = client.get(f"/api/photos/{sha}", headers=east_worker)
    assert response.status_code == 404


def test_a_foreign_hash_is_no_evidence_on_the_desk(client, east_worker, east, west_photo,
                                                   sign_in, make_user):
    report(client, east_worker, east, [sha256_of(west_photo)])
    reviewer_client = sign_in(make_user(Role.REVIEWER))
    queue = reviewer_client.get("/desk/review/?community=" + str(east.estate.community_id))
    assert sha256_of(west_photo) not in queue.get_data(as_text=True)


def test_the_check_answers_the_same_for_a_hash_held_by_others_and_an_unknown_one(
        client, east_worker, west_photo):
    unknown = sha256_of(png())
    held_elsewhere = sha256_of(west_photo)
    answer = client.post("/api/photos/check", headers=east_worker,
                         json={"hashes": [held_elsewhere, unknown]}).json
    assert answer["missing"] == [held_elsewhere, unknown]
    progress = client.get(f"/api/photos/{held_elsewhere}/upload", headers=east_worker).json
    assert progress == client.get(f"/api/photos/{unknown}/upload", headers=east_worker).json


def test_uploading_the_bytes_proves_possession_and_opens_the_link(client, east_worker, east,
                                                                  west_photo):
    sha = sha256_of(west_photo)
    report(client, east_worker, east, [sha])
    again = client.put(f"/api/photos/{sha}", data=west_photo, content_type="image/jpeg",
                       headers=east_worker)
    assert again.status_code == 200  # stored before: not processed again
    assert client.get(f"/api/photos/{sha}?size=thumb", headers=east_worker).status_code == 200


def test_other_bytes_under_a_held_hash_prove_nothing(client, east_worker, west_photo):
    sha = sha256_of(west_photo)
    response = client.put(f"/api/photos/{sha}", data=png(), content_type="image/jpeg",
                          headers=east_worker)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "photo.hash_mismatch"
    assert client.get(f"/api/photos/{sha}", headers=east_worker).status_code == 404
