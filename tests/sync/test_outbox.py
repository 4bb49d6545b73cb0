"""The outbox on disk: nothing lost, nothing doubled, nothing dropped before the server confirms."""
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.outbox import Outbox


@dataclass(frozen=True)
class FakePhoto:
    path: Path
    sha256: str
    size: int = 10
    metadata: dict = None


def finding(op_id=None, **changes):
    return {"op": "finding.report", "id": op_id or str(uuid.uuid4()), "building_id": 12,
            "indicator": 6, "check_item": "给水管道跑冒滴漏", "photos": [], **changes}


@pytest.fixture
def outbox(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        yield box


def test_outbox_survives_reopening_the_file(tmp_path):
    path = tmp_path / "state" / "outbox.sqlite3"
    operation = finding()
    with Outbox(path) as first:
        first.add(operation, photos=[FakePhoto(tmp_path / "a.jpg", "a" * 64, metadata={})],
                  source="缺陷.csv 第 2 行")
        first.mark_sent([operation["id"]])
        device_id = first.device_id
    with Outbox(path) as reopened:
        item = reopened.get(operation["id"])
        assert (item.operation, item.state, item.attempts) == (operation, "sent", 1)
        assert item.photos == ("a" * 64,) and item.source == "缺陷.csv 第 2 行"
        assert reopened.device_id == device_id


def test_adding_the_same_operation_again_keeps_one_item(outbox):
    operation = finding()
    assert outbox.add(operation).outcome == "new"
    assert outbox.add(dict(operation)).outcome == "unchanged"
    assert len(outbox.items()) == 1


def test_pending_item_takes_the_new_body_of_an_edited_row(outbox):
    operation = finding()
    outbox.add(operation)
    added = outbox.add({**operation, "description": "改过"})
    assert added.outcome == "replaced" and added.item.operation["description"] == "改过"


def test_sent_item_keeps_the_body_the_server_may_hold(outbox):
    operation = finding()
    outbox.add(operation)
    outbox.mark_sent([operation["id"]])
    added = outbox.add({**operation, "description": "改过"})
    assert added.outcome == "kept" and added.item.operation == operation


def test_items_to_push_are_pending_and_sent_in_the_order_added(outbox):
    first, second, third = finding(), finding(), finding()
    for operation in (first, second, third):
        outbox.add(operation)
    outbox.mark_sent([second["id"]])
    outbox.record_results([{"id": second["id"], "status": "applied", "result": {}}])
    outbox.mark_sent([third["id"]])
    assert [item.id for item in outbox.to_push()] == [first["id"], third["id"]]


def test_confirmed_items_are_kept_as_history(outbox):
    applied, replayed = finding(), finding()
    outbox.add(applied), outbox.add(replayed)
    outbox.record_results([
        {"id": applied["id"], "status": "applied", "result": {"finding": applied["id"]}},
        {"id": replayed["id"], "status": "already_applied", "result": {"finding": replayed["id"]}}])
    items = {item.id: item for item in outbox.items(("applied",))}
    assert items[applied["id"]].server_status == "applied"
    assert items[replayed["id"]].server_status == "already_applied"
    assert items[applied["id"]].result == {"finding": applied["id"]}
    assert outbox.to_push() == []


@pytest.mark.parametrize("status", ["conflict", "rejected"])
def test_refused_item_is_kept_as_failed_with_the_servers_error(outbox, status):
    operation = finding()
    outbox.add(operation)
    error = {"code": "request.invalid", "message": "检查项有误", "details": {}}
    outbox.record_results([{"id": operation["id"], "status": status, "error": error}])
    item = outbox.get(operation["id"])
    assert (item.state, item.server_status, item.error) == ("failed", status, error)


def test_failed_item_added_again_is_queued_again(outbox):
    operation = finding()
    outbox.add(operation)
    outbox.record_results([{"id": operation["id"], "status": "rejected", "error": {}}])
    assert outbox.add(operation).outcome == "requeued"
    assert outbox.get(operation["id"]).state == "pending"


def test_answer_with_an_unknown_status_confirms_nothing(outbox):
    operation = finding()
    outbox.add(operation)
    outbox.mark_sent([operation["id"]])
    outbox.record_results([{"id": operation["id"], "status": "deferred"}])
    item = outbox.get(operation["id"])
    assert item.state == "sent" and "deferred" in item.last_error


def test_results_of_a_push_are_recorded_all_or_nothing(outbox):
    first, second = finding(), finding()
    outbox.add(first), outbox.add(second)
    with pytest.raises(KeyError):
        outbox.record_results([{"id": first["id"], "status": "applied", "result": {}},
                               {"status": "applied"}])  # malformed: no id
    assert outbox.get(first["id"]).state == "pending"


def test_error_note_keeps_the_item_queued(outbox):
    operation = finding()
    outbox.add(operation)
    outbox.mark_sent([operation["id"]])
    outbox.note_error([operation["id"]], "无法连接服务器")
    item = outbox.get(operation["id"])
    assert (item.state, item.last_error) == ("sent", "无法连接服务器")


def test_photo_shared_by_two_findings_is_one_upload(outbox, tmp_path):
    photo = FakePhoto(tmp_path / "a.jpg", "b" * 64, metadata={"latitude": 35.1, "longitude": 111.2})
    outbox.add(finding(), photos=[photo])
    outbox.add(finding(), photos=[photo])
    assert [p.sha256 for p in outbox.photos_waiting()] == ["b" * 64]
    assert outbox.photos_waiting()[0].metadata == {"latitude": 35.1, "longitude": 111.2}


def test_photos_of_refused_findings_are_not_uploaded(outbox, tmp_path):
    operation = finding()
    outbox.add(operation, photos=[FakePhoto(tmp_path / "a.jpg", "c" * 64, metadata={})])
    outbox.record_results([{"id": operation["id"], "status": "rejected", "error": {}}])
    assert outbox.photos_waiting() == []


def test_held_photo_stays_held_when_its_row_is_added_again(outbox, tmp_path):
    photo = FakePhoto(tmp_path / "a.jpg", "d" * 64, metadata={})
    operation = finding()
    outbox.add(operation, photos=[photo])
    outbox.mark_photo_held(photo.sha256)
    outbox.add(operation, photos=[photo])
    assert outbox.photo(photo.sha256).state == "held"


def test_refused_photo_is_retried_when_its_row_is_added_again(outbox, tmp_path):
    photo = FakePhoto(tmp_path / "a.jpg", "e" * 64, metadata={})
    operation = finding()
    outbox.add(operation, photos=[photo])
    outbox.record_results([{"id": operation["id"], "status": "applied", "result": {}}])
    outbox.mark_photo_failed(photo.sha256, "照片内容与其 SHA-256 不符")
    outbox.add(operation, photos=[photo])
    assert outbox.photo(photo.sha256).state == "pending"


def test_pull_cursor_is_saved_with_its_page(outbox):
    change = {"seq": 41, "kind": "finding", "id": "f1", "data": {"status": "returned"}}
    outbox.save_pulled([change], "41")
    assert outbox.pull_cursor == "41"
    assert outbox.pulled("finding", "f1") == {"status": "returned"}


def test_device_id_is_made_once(tmp_path):
    with Outbox(tmp_path / "o.sqlite3") as first:
        device_id = first.device_id
    with Outbox(tmp_path / "o.sqlite3") as second:
        assert second.device_id == device_id
        uuid.UUID(device_id)


def test_photos_may_be_given_as_paths(outbox, tmp_path):
    path = tmp_path / "leak.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 leak")
    outbox.add(finding(), photos=[path])
    [photo] = outbox.photos_waiting()
    assert (photo.path, photo.size) == (str(path), path.stat().st_size)
    assert photo.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
