"""Push: each operation applied exactly once, answered one by one, none sinking the others."""
import uuid
from types import SimpleNamespace

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from server.surveys.models import Submission
from server.syncing import operations
from server.syncing.models import Device, SyncOperation
from tests.factories import submission_op

PHOTO = "c" * 64


@pytest.fixture
def building(make_building, make_property_company, make_estate):
    estate = make_estate("达明新村", property_company=make_property_company("阳光物业"))
    return make_building(estate, "3#", year_built=1990, gas_supply="pipeline")


@pytest.fixture
def worker(make_user, auth_headers, building, make_round):
    make_round()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


def pipe_leak(building, **overrides):
    operation = {"op": "finding.report", "id": str(uuid.uuid4()), "building_id": building.id,
                 "indicator": 6, "question_id": "water_pipes_leaking", "unit": "1单元",
                 "floor": -1, "location_detail": "地下室水表间", "description": "给水管接口渗漏",
                 "photos": [PHOTO], "captured_at": "2024-07-02T10:00:00+08:00"}
    operation.update(overrides)
    return operation


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def statuses(response):
    assert response.status_code == 200, response.json
    return [r["status"] for r in response.json["results"]]


def test_each_operation_gets_its_own_answer_in_order(push, worker, building, gas_answers):
    first, second = submission_op(building, gas_answers()), pipe_leak(building)
    response = push(worker, first, second)
    assert [r["id"] for r in response.json["results"]] == [first["id"], second["id"]]
    assert statuses(response) == ["applied", "applied"]


def test_replayed_push_returns_the_stored_result_and_stores_nothing_twice(
        push, worker, building, gas_answers):
    operation = submission_op(building, gas_answers(rubber_hose=True, rubber_hose_households=1,
                                                    rubber_hose_location={"unit": "1单元"},
                                                    rubber_hose_photos=[PHOTO]))
    first = push(worker, operation).json["results"][0]
    again = push(worker, operation).json["results"][0]
    assert again["status"] == "already_applied"
    assert again["result"] == first["result"]
    assert (count(Submission), count(Finding), count(SyncOperation)) == (1, 1, 1)


def test_same_moment_in_another_zone_is_the_same_body(push, worker, building, gas_answers):
    operation = submission_op(building, gas_answers())
    push(worker, operation)
    replay = {**operation, "captured_at": "2024-07-01T01:30:00+00:00"}
    assert statuses(push(worker, replay)) == ["already_applied"]


def test_same_id_with_a_different_body_is_a_conflict_naming_the_difference(
        push, worker, building, gas_answers):
    operation = submission_op(building, gas_answers())
    push(worker, operation)
    changed = {**operation, "answers": gas_answers(households_checked=3)}
    [result] = push(worker, changed).json["results"]
    assert result["status"] == "conflict"
    assert result["error"]["code"] == "sync.conflict"
    assert result["error"]["details"]["differing_fields"] == ["answers"]


def test_one_bad_operation_does_not_sink_the_batch(push, worker, building, gas_answers):
    good, bad, also_good = (submission_op(building, gas_answers()),
                            submission_op(building, gas_answers(rubber_hose=True)),
                            pipe_leak(building))
    assert statuses(push(worker, good, bad, also_good)) == ["applied", "rejected", "applied"]
    assert count(Submission) == 1 and count(Finding) == 1


def test_a_building_id_too_large_for_the_database_is_rejected_not_a_500(push, worker,
                                                                        gas_answers):
    beyond_integer = SimpleNamespace(id=2 ** 31)
    assert statuses(push(worker, submission_op(beyond_integer, gas_answers()))) == ["rejected"]


def test_rejected_operation_can_be_sent_again_once_fixed(push, worker, building, gas_answers):
    operation = submission_op(building, gas_answers(rubber_hose=True))
    assert statuses(push(worker, operation)) == ["rejected"]
    fixed = {**operation, "answers": gas_answers()}
    assert statuses(push(worker, fixed)) == ["applied"]


def test_unknown_operation_type_is_rejected_with_the_known_ones(push, worker):
    [result] = push(worker, {"op": "building.demolish", "id": str(uuid.uuid4())}).json["results"]
    assert result["status"] == "rejected"
    assert "submission.create" in result["error"]["message"]


def test_operation_with_a_wrong_type_is_rejected_with_the_field(push, worker, building):
    [result] = push(worker, pipe_leak(building, floor="三楼")).json["results"]
    assert result["status"] == "rejected"
    assert "floor" in result["error"]["details"]["fields"]


@pytest.mark.parametrize("body", [
    {},
    {"operations": []},
    {"operations": "all of them"},
    {"operations": [{"op": "submission.create"}]},
    {"operations": [{"id": "not-a-uuid", "op": "x"}]},
    {"operations": [{"op": "finding.report", "id": str(uuid.uuid4())}] * 101},
    {"operations": [], "extra": 1},
])
def test_malformed_batch_is_refused_whole(client, worker, body):
    response = client.post("/api/sync/push", headers=worker, json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "request.invalid"
    assert count(SyncOperation) == 0


def test_reported_finding_takes_its_defaults_from_the_form(push, worker, building):
    push(worker, pipe_leak(building))
    finding = db.session.scalar(db.select(Finding))
    assert finding.indicator == 6 and finding.submission_id is None
    assert finding.check_item and finding.severity and finding.problem_class
    assert (finding.unit, finding.floor) == ("1单元", -1)
    assert finding.description == "给水管接口渗漏"


def test_reported_finding_by_check_item_text(push, worker, building, app):
    form = next(f for f in app.extensions["loujian.forms"].forms("2024") if f.indicator == 6)
    text = form.check_items[0]
    operation = pipe_leak(building, check_item=text)
    del operation["question_id"]
    assert statuses(push(worker, operation)) == ["applied"]


def test_unknown_check_item_is_rejected_listing_the_valid_ones(push, worker, building):
    operation = pipe_leak(building, check_item="屋顶有鸟窝")
    del operation["question_id"]
    [result] = push(worker, operation).json["results"]
    assert result["status"] == "rejected"
    assert result["error"]["details"]["check_items"]


def test_property_company_reports_in_an_estate_it_manages(push, make_user, auth_headers,
                                                           building, make_round):
    make_round()
    headers = auth_headers(make_user(Role.PROPERTY,
                                     property_company=building.estate.property_company))
    assert statuses(push(headers, pipe_leak(building))) == ["applied"]


def test_author_corrects_a_pending_finding(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    edit = {"op": "finding.update", "id": str(uuid.uuid4()), "finding": report["id"],
            "changes": {"floor": 2, "add_photos": ["d" * 64]}}
    assert statuses(push(worker, edit)) == ["applied"]
    finding = db.session.scalar(db.select(Finding))
    assert finding.floor == 2
    assert [p.sha256 for p in finding.photos] == [PHOTO, "d" * 64]


def test_returned_finding_goes_back_to_review_when_corrected(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    finding = db.session.scalar(db.select(Finding))
    finding.status = "returned"
    db.session.commit()
    push(worker, {"op": "finding.update", "id": str(uuid.uuid4()), "finding": report["id"],
                  "changes": {"description": "补充：渗漏点在三通处"}})
    db.session.refresh(finding)
    assert finding.status == "pending"


def test_confirmed_finding_can_no_longer_be_edited(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    finding = db.session.scalar(db.select(Finding))
    finding.status = "accepted"
    db.session.commit()
    [result] = push(worker, {"op": "finding.update", "id": str(uuid.uuid4()),
                             "finding": report["id"], "changes": {"floor": 5}}).json["results"]
    assert result["error"]["code"] == "finding.not_editable"


def test_someone_else_cannot_edit_a_finding(push, worker, building, make_user, auth_headers):
    report = pipe_leak(building)
    push(worker, report)
    colleague = auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))
    [result] = push(colleague, {"op": "finding.update", "id": str(uuid.uuid4()),
                                "finding": report["id"], "changes": {"floor": 5}}).json["results"]
    assert result["error"]["code"] == "auth.forbidden"


def test_rectification_of_a_confirmed_finding_marks_it_fixed(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    finding = db.session.scalar(db.select(Finding))
    finding.status = "accepted"
    db.session.commit()
    rectification = {"op": "rectification.report", "id": str(uuid.uuid4()),
                     "finding": report["id"], "note": "已更换水管", "photos": ["e" * 64],
                     "rectified_on": "2024-08-15"}
    assert statuses(push(worker, rectification)) == ["applied"]
    db.session.refresh(finding)
    assert finding.status == "rectified"
    assert [p.sha256 for p in finding.rectifications[0].photos] == ["e" * 64]
    assert [p.sha256 for p in finding.photos] == [PHOTO]


def test_rectification_of_an_unconfirmed_finding_is_rejected(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    [result] = push(worker, {"op": "rectification.report", "id": str(uuid.uuid4()),
                             "finding": report["id"]}).json["results"]
    assert result["error"]["code"] == "finding.not_editable"


def test_push_records_when_the_device_last_synced(push, worker, building, gas_answers):
    device = str(uuid.uuid4())
    push(worker, submission_op(building, gas_answers()), device_id=device)
    assert db.session.get(Device, device).last_push_at is not None


def test_rectification_reusing_the_evidence_photo_is_rejected(push, worker, building):
    report = pipe_leak(building)
    push(worker, report)
    db.session.scalar(db.select(Finding)).status = "accepted"
    db.session.commit()
    [result] = push(worker, {"op": "rectification.report", "id": str(uuid.uuid4()),
                             "finding": report["id"], "photos": [PHOTO]}).json["results"]
    assert result["status"] == "rejected"
    assert result["error"]["details"]["fields"]["photos"] == [PHOTO]


def test_the_same_operation_twice_in_one_batch_is_applied_once(push, worker, building):
    report = pipe_leak(building)
    assert statuses(push(worker, report, report)) == ["applied", "already_applied"]
    assert count(Finding) == 1


def test_a_twin_committed_during_the_batch_is_answered_from_the_log(
        push, worker, building, monkeypatch):
    """The batch looked for its ids before a twin request committed them: its one-flush write
    fails on the primary key, and the batch is applied again operation by operation."""
    first, second = pipe_leak(building), pipe_leak(building)
    push(worker, first)
    original_init = operations.Batch.__init__

    def blind_to_the_twin(self, *args):
        original_init(self, *args)
        self.stored.pop(first["id"], None)

    monkeypatch.setattr(operations.Batch, "__init__", blind_to_the_twin)
    assert statuses(push(worker, second, first)) == ["applied", "already_applied"]
    assert count(Finding) == 2 and count(SyncOperation) == 2


def test_an_edit_in_the_same_batch_as_its_report_applies_in_order(push, worker, building):
    report = pipe_leak(building)
    edit = {"op": "finding.update", "id": str(uuid.uuid4()), "finding": report["id"],
            "changes": {"description": "给水管接口渗漏，地面积水"}}
    assert statuses(push(worker, report, edit)) == ["applied", "applied"]
    db.session.expire_all()
    stored = db.session.scalar(db.select(Finding).where(Finding.uuid == report["id"]))
    assert stored.description == "给水管接口渗漏，地面积水"


def test_a_reported_finding_is_answered_with_its_status_as_documented(push, worker, building):
    result = push(worker, pipe_leak(building)).json["results"][0]["result"]
    assert result["finding"]["status"] == "pending"
    assert set(result["finding"]) == {"uuid", "check_item", "status", "photos", "missing_photos"}
