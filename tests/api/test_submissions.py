"""Recording a filled form: validated against its rules, findings derived, idempotent by uuid."""
import uuid

import pytest

from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.surveys.models import Finding, Submission

GAS_FORM = "2024-gas-safety"
PHOTO_A, PHOTO_B = "a" * 64, "b" * 64


@pytest.fixture
def building(make_building):
    return make_building(year_built=1990, gas_supply="pipeline", floors_above=6)


@pytest.fixture
def worker(make_user, auth_headers, building, make_round):
    make_round()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


@pytest.fixture
def gas_answers(app):
    """Answers to the gas-safety form: everything clear, unless overridden."""
    form = app.extensions["loujian.forms"].get(GAS_FORM)

    def make(**overrides):
        answers = {q["id"]: False for q in form.questions if q["type"] == "yes_no"}
        answers.update(households_checked=12, riser_install_year=2012)
        answers.update(overrides)
        return answers
    return make


@pytest.fixture
def rubber_hose(gas_answers):
    return gas_answers(rubber_hose=True, rubber_hose_households=2,
                       rubber_hose_location={"unit": "2单元", "floor": 3, "detail": "302室厨房"},
                       rubber_hose_photos=[PHOTO_A, PHOTO_B])


def submission_payload(building, answers, **overrides):
    payload = {"uuid": str(uuid.uuid4()), "building_id": building.id, "form_id": GAS_FORM,
               "form_version": 1, "answers": answers, "captured_at": "2024-07-01T09:30:00+08:00"}
    payload.update(overrides)
    return payload


def test_submission_with_a_defect_records_a_finding(client, worker, building, rubber_hose):
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, rubber_hose))
    assert response.status_code == 201, response.json
    assert response.json["counts"] is True
    [finding] = response.json["findings"]
    assert finding["check_item"] == "燃气用户使用橡胶软管"
    assert (finding["unit"], finding["floor"]) == ("2单元", 3)
    assert finding["problem_class"] == "限时解决"
    assert finding["photos"] == [PHOTO_A, PHOTO_B]
    assert finding["status"] == "pending"


def test_clear_submission_does_not_count_the_building(client, worker, building, gas_answers):
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, gas_answers()))
    assert response.status_code == 201
    assert response.json["counts"] is False
    assert response.json["findings"] == []


def test_replayed_submission_returns_the_stored_result(client, worker, building, rubber_hose):
    payload = submission_payload(building, rubber_hose)
    first = client.post("/api/submissions", headers=worker, json=payload)
    again = client.post("/api/submissions", headers=worker, json=payload)
    assert again.status_code == 200
    assert again.json == first.json
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Finding)) == 1


def test_same_uuid_with_different_answers_is_a_conflict_naming_the_field(
        client, worker, building, rubber_hose, gas_answers):
    payload = submission_payload(building, rubber_hose)
    client.post("/api/submissions", headers=worker, json=payload)
    response = client.post("/api/submissions", headers=worker,
                           json={**payload, "answers": gas_answers()})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "submission.conflict"
    assert response.json["error"]["details"]["differing_fields"] == ["answers"]


def test_answers_breaking_the_form_rules_are_refused_and_nothing_is_stored(
        client, worker, building, gas_answers):
    answers = gas_answers(rubber_hose=True)  # no location, no photos
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, answers))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "request.invalid"
    assert "rubber_hose_photos" in response.json["error"]["details"]["fields"]["answers"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 0


def test_unknown_answer_is_refused(client, worker, building, gas_answers):
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, gas_answers(favourite_colour="红")))
    assert response.status_code == 422
    assert "favourite_colour" in response.json["error"]["details"]["fields"]["answers"]


def test_unknown_form_version_is_404(client, worker, building, gas_answers):
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, gas_answers(), form_version=99))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "form.unknown"


def test_unknown_form_is_404(client, worker, building, gas_answers):
    response = client.post("/api/submissions", headers=worker,
                           json=submission_payload(building, gas_answers(), form_id="2024-no"))
    assert response.json["error"]["code"] == "form.unknown"


def test_naive_capture_time_is_refused(client, worker, building, gas_answers):
    response = client.post("/api/submissions", headers=worker, json=submission_payload(
        building, gas_answers(), captured_at="2024-07-01T09:30:00"))
    assert response.status_code == 422
    assert "captured_at" in response.json["error"]["details"]["fields"]


def test_two_surveys_of_the_same_building_are_both_kept(client, worker, building, gas_answers,
                                                        rubber_hose):
    client.post("/api/submissions", headers=worker, json=submission_payload(building, rubber_hose))
    client.post("/api/submissions", headers=worker,
                json=submission_payload(building, gas_answers()))
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 2


def test_submission_is_audited(client, worker, building, rubber_hose):
    payload = submission_payload(building, rubber_hose)
    client.post("/api/submissions", headers=worker, json=payload)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "submission.created"))
    assert entry.entity_id == payload["uuid"]
    assert entry.details["findings"] == 1


def test_submission_can_be_read_back_by_its_author(client, worker, building, rubber_hose):
    payload = submission_payload(building, rubber_hose)
    client.post("/api/submissions", headers=worker, json=payload)
    response = client.get(f"/api/submissions/{payload['uuid']}", headers=worker)
    assert response.status_code == 200
    assert response.json["answers"]["rubber_hose"] is True


def test_submission_of_another_community_cannot_be_read(client, worker, building, rubber_hose,
                                                        make_user, auth_headers, make_community):
    payload = submission_payload(building, rubber_hose)
    client.post("/api/submissions", headers=worker, json=payload)
    outsider = auth_headers(make_user(Role.WORKER, communities=[make_community("别的社区")]))
    response = client.get(f"/api/submissions/{payload['uuid']}", headers=outsider)
    assert response.status_code == 403


def test_property_company_cannot_submit_for_an_estate_it_does_not_manage(
        client, make_user, auth_headers, building, gas_answers, make_round):
    make_round()
    headers = auth_headers(make_user(Role.PROPERTY))
    response = client.post("/api/submissions", headers=headers,
                           json=submission_payload(building, gas_answers()))
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 0
