"""A worker moved to another community: the next pull answers `reset`, and pulling again from 0
brings the new community's buildings and none of the old one's (sync/PROTOCOL.md §3). The Python
client drops what it pulled and keeps its outbox."""
import uuid

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.syncing.models import Device
from sync.client import SyncClient
from sync.outbox import Outbox
from tests.sync.fake_transport import BASE_URL, TOKEN, session_for

DEVICE = str(uuid.uuid4())
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def county(make_round, make_community, make_estate, make_building):
    make_round()
    xinhua, yuwang = make_community("新华社区"), make_community("禹王社区")
    return {"xinhua": (xinhua, make_building(make_estate("新华小区", xinhua), "1#")),
            "yuwang": (yuwang, make_building(make_estate("禹王小区", yuwang), "2#"))}


@pytest.fixture
def worker(make_user, county):
    return make_user(Role.WORKER, communities=[county["xinhua"][0]])


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user(Role.ADMIN))


def pull(client, headers, **params):
    answer = client.get("/api/sync/pull", headers={**headers, "User-Agent": PHONE},
                        query_string={"device_id": DEVICE, **params})
    assert answer.status_code == 200, answer.json
    return answer.json


def move(client, admin_headers, worker, community):
    answer = client.patch(f"/api/accounts/{worker.id}", headers=admin_headers,
                          json={"community_ids": [community.id]})
    assert answer.status_code == 200, answer.json


def building_ids(page) -> set:
    return {c["data"]["id"] for c in page["changes"] if c["kind"] == "building"}


def test_pull_names_the_scope_epoch_it_was_answered_under(client, worker, auth_headers, county):
    page = pull(client, auth_headers(worker))
    assert page["scope"] == 0 and page["reset"] is False
    assert building_ids(page) == {county["xinhua"][1].id}


def test_moved_worker_is_told_to_reset_and_then_pulls_only_the_new_community(
        client, worker, auth_headers, admin_headers, county):
    headers = auth_headers(worker)
    first = pull(client, headers)
    move(client, admin_headers, worker, county["yuwang"][0])
    reset = pull(client, headers, cursor=first["cursor"], scope=first["scope"])
    assert reset["reset"] is True and reset["changes"] == [] and reset["cursor"] == "0"
    again = pull(client, headers, cursor="0", scope=reset["scope"])
    assert again["reset"] is False
    assert building_ids(again) == {county["yuwang"][1].id}


def test_pull_without_a_scope_epoch_is_answered_as_before(
        client, worker, auth_headers, admin_headers, county):
    headers = auth_headers(worker)
    move(client, admin_headers, worker, county["yuwang"][0])
    assert pull(client, headers)["reset"] is False


def test_renamed_worker_keeps_pulling_where_it_was(client, worker, auth_headers, admin_headers):
    headers = auth_headers(worker)
    first = pull(client, headers)
    client.patch(f"/api/accounts/{worker.id}", headers=admin_headers, json={"display_name": "新名"})
    assert pull(client, headers, cursor=first["cursor"], scope=first["scope"])["reset"] is False


def test_device_is_listed_by_name_with_its_release_and_last_pull(
        client, worker, auth_headers, admin_headers):
    pull(client, auth_headers(worker), app_version="3f9a2c1d7e")
    account = client.get(f"/api/accounts/{worker.id}", headers=admin_headers).json
    [device] = account["devices"]
    assert device["label"] == "安卓手机 · Chrome 131"
    assert device["app_version"] == "3f9a2c1d7e" and device["signed_in"] is True
    assert device["last_pull_at"] and device["first_seen_at"]


def test_revoking_one_device_signs_out_that_phone_only(
        client, worker, auth_headers, admin_headers):
    lost, kept = auth_headers(worker), auth_headers(worker)
    pull(client, lost)
    answer = client.post(f"/api/accounts/{worker.id}/devices/revoke", headers=admin_headers,
                         json={"device": DEVICE})
    assert answer.status_code == 200, answer.json
    assert answer.json["devices"][0]["signed_in"] is False
    assert client.get("/api/me", headers=lost).status_code == 401
    assert client.get("/api/me", headers=kept).status_code == 200


def test_device_of_another_account_is_not_found(client, worker, make_user, admin_headers):
    other = make_user(Role.WORKER)
    db.session.add(Device(id=DEVICE, user_id=worker.id))
    db.session.commit()
    answer = client.post(f"/api/accounts/{other.id}/devices/revoke", headers=admin_headers,
                         json={"device": DEVICE})
    assert answer.status_code == 404


def test_python_client_drops_what_it_pulled_and_keeps_its_outbox(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.save_pulled([{"seq": 4, "kind": "building", "id": "1", "data": {"id": 1}}], "4", 0)
    pages = iter([{"reset": True, "scope": 1, "changes": [], "cursor": "0", "more": True},
                  {"reset": False, "scope": 1, "more": False, "cursor": "9",
                   "changes": [{"seq": 9, "kind": "building", "id": "2", "data": {"id": 2}}]}])
    asked = []

    def handle(request):
        asked.append(request.url)
        return 200, next(pages), {}
    session, _ = session_for(handle)
    client = SyncClient(BASE_URL, TOKEN, session=session, sleep=lambda s: None)
    client._pull_into(outbox, type("Report", (), {"pulled": 0})())
    assert "scope=0" in asked[0] and "cursor=4" in asked[0]
    assert "scope=1" in asked[1] and "cursor" not in asked[1]
    assert outbox.pulled("building", "1") is None and outbox.pulled("building", "2") == {"id": 2}
    assert outbox.pull_cursor == "9" and outbox.pull_scope == "1"
