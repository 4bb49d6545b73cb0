"""SyncClient.sync(outbox): push, photos, pull — and what is left when the network fails."""
import random
import uuid

import pytest

from sync.client import SyncClient
from sync.outbox import Outbox
from sync.photo_files import describe_photo
from tests.sync.fake_transport import BASE_URL, TOKEN, FakeLoujian, session_for

PUSH, CHECK, PULL = ("POST", "/api/sync/push"), ("POST", "/api/photos/check"), ("GET", "/api/sync/pull")
PHOTO_PUT = ("PUT", r"/api/photos/[0-9a-f]{64}")


def finding(**changes):
    return {"op": "finding.report", "id": str(uuid.uuid4()), "building_id": 12, "indicator": 6,
            "check_item": "给水管道跑冒滴漏", "photos": [], **changes}


@pytest.fixture
def server():
    return FakeLoujian()


@pytest.fixture
def outbox(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        yield box


@pytest.fixture
def client(server):
    session, transport = session_for(server)
    client = SyncClient(BASE_URL, TOKEN, session=session, sleep=lambda s: None, rng=random.Random(3))
    client.transport = transport  # for tests that look at what went over the wire
    return client


@pytest.fixture
def photo(tmp_path):
    def make(name="a.jpg", size=2000):
        path = tmp_path / name
        path.write_bytes(b"\xff\xd8\xff\xe0" + name.encode() + bytes(size))
        return describe_photo(path)
    return make


def queue(outbox, count=1, photos=()):
    operations = []
    for _ in range(count):
        operation = finding(photos=[p.sha256 for p in photos])
        outbox.add(operation, photos=photos)
        operations.append(operation)
    return operations


def test_hundred_findings_cost_one_push_one_check_and_one_upload_per_missing_photo(
        server, outbox, client, photo):
    photos = [photo(f"{n}.jpg") for n in range(3)]
    for n in range(100):
        queue(outbox, photos=[photos[n % 3]])
    report = client.sync(outbox, pull=True)
    assert (report.applied, report.photos_uploaded) == (100, 3)
    assert client.stats.requests == 1 + 1 + 3 + 1  # push, check, three uploads, pull
    assert len(server.findings) == 100


def test_more_than_100_operations_go_in_batches_of_100(server, outbox, client):
    queue(outbox, 250)
    client.sync(outbox)
    assert len(server.requests_to(*PUSH)) == 3 and len(server.findings) == 250


def test_photos_the_server_holds_are_not_uploaded(server, outbox, client, photo):
    held, missing = photo("held.jpg"), photo("missing.jpg")
    server.photos[held.sha256] = held.path.read_bytes()
    queue(outbox, photos=[held, missing])
    client.sync(outbox)
    assert [path for _, path in server.requests_to(*PHOTO_PUT)] == [f"/api/photos/{missing.sha256}"]
    assert outbox.photo(held.sha256).state == outbox.photo(missing.sha256).state == "held"


def test_a_second_sync_sends_nothing_already_confirmed(server, outbox, client, photo):
    queue(outbox, 3, photos=[photo()])
    client.sync(outbox)
    before = client.stats.requests
    client.sync(outbox)
    assert client.stats.requests == before


def test_items_stay_queued_when_the_server_cannot_be_reached(server, outbox, client):
    operations = queue(outbox, 2)
    for _ in range(8):
        server.drop(*PUSH)
    report = client.sync(outbox)
    assert report.stopped and "无法连接" in report.stopped
    assert {item.state for item in outbox.items()} == {"sent"}
    assert all(outbox.get(op["id"]).last_error for op in operations)
    assert server.findings == []


def test_push_whose_answer_was_lost_is_confirmed_by_the_replay(server, outbox, client):
    [operation] = queue(outbox)
    server.lose_answer(*PUSH)
    report = client.sync(outbox)
    assert report.already_applied == 1 and outbox.get(operation["id"]).state == "applied"
    assert server.findings == [operation["id"]]


def test_push_interrupted_in_one_run_is_applied_once_in_the_next(server, outbox, client, tmp_path):
    [operation] = queue(outbox)
    for _ in range(8):
        server.lose_answer(*PUSH)
    assert client.sync(outbox).stopped
    server.faults.clear()
    with Outbox(tmp_path / "outbox.sqlite3") as reopened:  # as a new process would
        report = client.sync(reopened)
        assert report.already_applied == 1 and reopened.get(operation["id"]).state == "applied"
    assert server.findings == [operation["id"]]


def test_rejected_operation_is_kept_as_failed_and_the_others_apply(server, outbox, client):
    good, bad, other = finding(), finding(check_item="不存在的检查项"), finding()
    for operation in (good, bad, other):
        outbox.add(operation)
    report = client.sync(outbox)
    assert (report.applied, report.failed) == (2, 1)
    failed = outbox.get(bad["id"])
    assert failed.state == "failed" and failed.error["code"] == "request.invalid"


def test_photo_refused_by_the_server_is_marked_failed_with_its_reason(server, outbox, client, photo):
    image = photo()
    queue(outbox, photos=[image])
    server.answer(*PHOTO_PUT, 422, {"error": {"code": "photo.corrupt", "message": "照片文件已损坏或不完整，无法解码",
                                              "details": {}}})
    report = client.sync(outbox)
    assert report.photos_failed == 1
    assert outbox.photo(image.sha256).last_error == "照片文件已损坏或不完整，无法解码"


def test_photo_file_changed_after_queueing_is_not_uploaded(server, outbox, client, photo):
    image = photo()
    queue(outbox, photos=[image])
    image.path.write_bytes(b"\xff\xd8\xff\xe0 another picture")
    client.sync(outbox)
    assert server.requests_to(*PHOTO_PUT) == []
    assert "被修改" in outbox.photo(image.sha256).last_error


def test_photo_upload_cut_off_is_resumed_in_the_next_run(server, outbox, client, photo):
    image = photo(size=10_000)
    queue(outbox, photos=[image])
    client.chunk_size = 4096
    chunks = ("PUT", r"/api/photos/[0-9a-f]+/chunks")
    server.let_through(*chunks)
    for _ in range(8):
        server.drop(*chunks)
    assert client.sync(outbox).stopped
    assert outbox.photo(image.sha256).state == "pending"
    already_sent = len(client.transport.sent)
    client.sync(outbox)
    resumed = [r for r in client.transport.sent[already_sent:] if "/chunks" in r.url]
    assert "offset=4096" in resumed[0].url
    assert sum(len(r.body) for r in resumed) == image.size - 4096
    assert server.photos[image.sha256] == image.path.read_bytes()
    assert outbox.photo(image.sha256).state == "held"


def test_expired_login_stops_the_sync_and_keeps_every_item(server, outbox, client):
    queue(outbox, 2)
    client.token = "expired"
    report = client.sync(outbox)
    assert "重新登录" in report.stopped
    assert len(outbox.to_push()) == 2


def test_pull_saves_every_page_and_its_cursor(server, outbox, client):
    queue(outbox, 3)
    client.sync(outbox)
    server.changes.append({"seq": 4, "kind": "finding", "id": "f-4", "data": {"status": "returned"}})
    server.pull_page_size = 2
    report = client.sync(outbox, pull=True)
    pulls = [r.url for r in client.transport.sent if "/api/sync/pull" in r.url]
    assert len(pulls) == 2 and "cursor=2" in pulls[1] and report.pulled == 4
    assert outbox.pull_cursor == "4" and outbox.pulled("finding", "f-4") == {"status": "returned"}


def test_pull_starts_from_the_saved_cursor(server, outbox, client):
    outbox.save_pulled([], "3")
    client.sync(outbox, pull=True)
    [pull] = [r.url for r in client.transport.sent if "/api/sync/pull" in r.url]
    assert "cursor=3" in pull
