"""Recording a filled form (pushed as submission.create): validated against its form's rules,
its defects become findings, every survey kept."""
import pytest

from forms import RetiredFormError
from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.models import Finding
from server.surveys.models import Submission
from tests.factories import submission_op

PHOTO_A, PHOTO_B = "a" * 64, "b" * 64


@pytest.fixture
def building(make_building):
    return make_building(year_built=1990, gas_supply="pipeline", floors_above=6)


@pytest.fixture
def worker(make_user, auth_headers, building, make_round):
    make_round()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


@pytest.fixture
def rubber_hose(gas_answers):
    return gas_answers(rubber_hose=True, rubber_hose_households=2,
                       rubber_hose_location={"unit": "2单元", "floor": 3, "detail": "302室厨房"},
                       rubber_hose_photos=[PHOTO_A, PHOTO_B])


def only_result(response):
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    return result


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_submission_with_a_defect_records_a_finding(push, worker, building, rubber_hose):
    result = only_result(push(worker, submission_op(building, rubber_hose)))
    assert result["status"] == "applied"
    assert result["result"]["counts"] is True
    [summary] = result["result"]["findings"]
    assert summary["check_item"] == "燃气用户使用橡胶软管"
    finding = db.session.scalar(db.select(Finding))
    assert (finding.unit, finding.floor, finding.location_detail) == ("2单元", 3, "302室厨房")
    assert finding.problem_class == "限时解决"
    assert [p.sha256 for p in finding.photos] == [PHOTO_A, PHOTO_B]
    assert finding.status == "pending"


def test_finding_waits_for_photos_that_have_not_arrived(push, worker, building, rubber_hose):
    result = only_result(push(worker, submission_op(building, rubber_hose)))
    assert result["result"]["findings"][0]["missing_photos"] == [PHOTO_A, PHOTO_B]


def test_clear_submission_does_not_count_the_building(push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers())))
    assert result["result"]["counts"] is False
    assert result["result"]["findings"] == []


def test_answers_breaking_the_form_rules_are_rejected_and_nothing_is_stored(
        push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers(rubber_hose=True))))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "request.invalid"
    assert "rubber_hose_photos" in result["error"]["details"]["fields"]["answers"]
    assert count(Submission) == 0 and count(Finding) == 0


def test_unknown_answer_is_rejected(push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers(favourite_colour="红"))))
    assert "favourite_colour" in result["error"]["details"]["fields"]["answers"]


def test_unknown_form_version_is_rejected(push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers(), form_version=99)))
    assert result["error"]["code"] == "form.unknown"


def test_unknown_form_is_rejected(push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers(), form_id="2024-no")))
    assert result["error"]["code"] == "form.unknown"


def test_capture_time_without_a_zone_is_rejected(push, worker, building, gas_answers):
    result = only_result(push(worker, submission_op(building, gas_answers(),
                                                    captured_at="2024-07-01T09:30:00")))
    assert "captured_at" in result["error"]["details"]["fields"]


def test_capture_time_is_kept_in_utc(push, worker, building, gas_answers):
    push(worker, submission_op(building, gas_answers()))
    stored = db.session.scalar(db.select(Submission))
    assert stored.captured_at.isoformat() == "2024-07-01T01:30:00+00:00"


def test_two_surveys_of_the_same_building_are_both_kept(push, worker, building, gas_answers,
                                                        rubber_hose):
    push(worker, submission_op(building, rubber_hose), submission_op(building, gas_answers()))
    assert count(Submission) == 2


def test_submission_is_audited(push, worker, building, rubber_hose):
    operation = submission_op(building, rubber_hose)
    push(worker, operation)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "submission.created"))
    assert entry.entity_id == operation["id"]
    assert entry.details["findings"] == 1


def test_submission_can_be_read_back_by_its_author(client, push, worker, building, rubber_hose):
    operation = submission_op(building, rubber_hose)
    push(worker, operation)
    response = client.get(f"/api/submissions/{operation['id']}", headers=worker)
    assert response.status_code == 200
    assert response.json["answers"]["rubber_hose"] is True


def test_submission_of_another_community_cannot_be_read(client, push, worker, building,
                                                        rubber_hose, make_user, auth_headers,
                                                        make_community):
    operation = submission_op(building, rubber_hose)
    push(worker, operation)
    outsider = auth_headers(make_user(Role.WORKER, communities=[make_community("别的社区")]))
    response = client.get(f"/api/submissions/{operation['id']}", headers=outsider)
    assert response.status_code == 404


def test_property_company_cannot_submit_for_an_estate_it_does_not_manage(
        push, make_user, auth_headers, building, gas_answers, make_round):
    make_round()
    headers = auth_headers(make_user(Role.PROPERTY))
    result = only_result(push(headers, submission_op(building, gas_answers())))
    assert result["error"]["code"] == "resource.not_found"
    assert count(Submission) == 0


def test_reviewer_cannot_submit_field_surveys(push, make_user, auth_headers, building,
                                              gas_answers, make_round):
    make_round()
    headers = auth_headers(make_user(Role.REVIEWER))
    result = only_result(push(headers, submission_op(building, gas_answers())))
    assert result["error"]["code"] == "auth.forbidden"


def test_retired_form_version_is_rejected_with_a_request_to_update(
        app, push, worker, building, gas_answers, monkeypatch):
    registry = app.extensions["loujian.forms"]
    real_get = registry.get

    def retired_gas_v1(form_id, version=None, **kwargs):
        if form_id == "2024-gas-safety" and version == 1:
            raise RetiredFormError("retired for this test")
        return real_get(form_id, version, **kwargs)

    monkeypatch.setattr(registry, "get", retired_gas_v1)
    result = only_result(push(worker, submission_op(building, gas_answers())))
    assert result["error"]["code"] == "form.retired"
    assert "更新" in result["error"]["message"]
