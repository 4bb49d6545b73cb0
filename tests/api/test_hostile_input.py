"""Hostile and absurd input gets a clear 4xx and changes nothing, on both databases: nesting
deep enough to overflow a recursive parser, moments at the edge of the calendar, NUL
characters, lone surrogates."""
import json
import uuid

import pytest
from sqlalchemy import func, select

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from server.syncing.models import SyncOperation


@pytest.fixture
def worker(make_user, building):
    return make_user(Role.WORKER, communities=[building.estate.community])


@pytest.fixture
def building(make_building, make_round):
    make_round()
    return make_building(number="1#")


def report(building, **changes):
    return {"op": "finding.report", "id": str(uuid.uuid4()), "round": "2024",
            "building_id": building.id, "indicator": 3, "check_item": "楼梯踏步损坏",
            "description": "踏步缺角", **changes}


def push(client, headers, *operations):
    return client.post("/api/sync/push", headers=headers,
                       json={"operations": list(operations)})


def nothing_stored():
    return db.session.scalar(select(func.count(Finding.id))) == 0 \
        and db.session.scalar(select(func.count()).select_from(SyncOperation)) == 0


@pytest.mark.parametrize("path", ["/api/sync/push", "/api/auth/token"])
def test_json_nested_a_thousand_deep_is_a_400_not_a_crash(client, auth_headers, worker, path):
    body = '{"operations":' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(path, data=body, content_type="application/json",
                           headers=auth_headers(worker))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "request.malformed"


def test_json_nested_just_past_the_limit_is_refused_before_any_schema(client, auth_headers,
                                                                      worker):
    deep = 0
    for _ in range(40):
        deep = [deep]
    response = client.post("/api/sync/push", headers=auth_headers(worker),
                           json={"operations": deep})
    assert response.status_code == 400 and "嵌套" in response.json["error"]["message"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                                    "1970-01-01T00:00:00Z"])
def test_a_capture_time_off_the_calendar_is_refused_per_operation(client, auth_headers, worker,
                                                                  building, moment):
    good = report(building)
    response = push(client, auth_headers(worker), report(building, captured_at=moment), good)
    assert response.status_code == 200
    first, second = response.json["results"]
    assert first["status"] == "rejected" and "captured_at" in str(first)
    assert second["status"] == "applied"


def test_a_photo_capture_time_off_the_calendar_is_a_400(client, auth_headers, worker):
    response = client.put("/api/photos/" + "a" * 64,
                          query_string={"captured_at": "9999-12-31T23:59:59-12:00"},
                          data=b"\xff\xd8\xff", content_type="image/jpeg",
                          headers=auth_headers(worker))
    assert response.status_code == 400


def test_desk_dates_off_the_calendar_are_a_400_page(sign_in, make_user):
    reviewer = make_user(Role.REVIEWER)
    response = sign_in(reviewer).get("/desk/review/?date_from=0001-01-01&date_to=0001-01-01")
    assert response.status_code == 400 and "2000" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["description", "unit"])
def test_a_nul_character_is_refused_and_nothing_is_stored(client, auth_headers, worker,
                                                          building, field):
    response = push(client, auth_headers(worker), report(building, **{field: "三单元\x00"}))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "request.invalid"
    assert nothing_stored()


def test_a_lone_surrogate_is_refused_and_nothing_is_stored(client, auth_headers, worker,
                                                           building):
    body = json.dumps({"operations": [report(building, description="\udcff三单元")]})
    response = client.post("/api/sync/push", headers=auth_headers(worker), data=body,
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "request.invalid"
    assert nothing_stored()


def test_a_nul_in_a_path_names_nothing(client, auth_headers, worker):
    response = client.get("/api/appraisals/%00/document", headers=auth_headers(worker))
    assert response.status_code == 404


def test_a_nul_in_a_desk_query_is_refused(sign_in, make_user):
    reviewer = make_user(Role.REVIEWER)
    response = sign_in(reviewer).get("/desk/review/?q=%00")
    assert response.status_code == 400
