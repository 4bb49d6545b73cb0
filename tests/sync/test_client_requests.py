"""SyncClient's requests: what it sends, what it retries, what it reports as final."""
import json
import random

import pytest
import requests

from sync.client import ServerRefused, SyncClient
from sync.retry import ServerUnreachable
from tests.sync.fake_transport import BASE_URL, TOKEN, error_body, scripted, session_for

SEED = 7


def make_client(*outcomes, token=TOKEN):
    session, transport = session_for(scripted(*outcomes))
    slept = []
    client = SyncClient(BASE_URL, token, session=session, sleep=slept.append,
                        rng=random.Random(SEED), device_id="device-1")
    return client, transport, slept


def operation(n=0):
    return {"op": "finding.report", "id": f"00000000-0000-4000-8000-{n:012d}", "building_id": 1,
            "indicator": 6, "check_item": "供水不足", "photos": []}


def test_push_sends_the_batch_with_bearer_token_and_device_id():
    client, transport, _ = make_client(
        (200, {"results": [{"id": operation()["id"], "status": "applied"}]}))
    results = client.push([operation()])
    request = transport.sent[0]
    assert (request.method, request.url) == ("POST", f"{BASE_URL}/api/sync/push")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {"device_id": "device-1", "operations": [operation()]}
    assert results[0]["status"] == "applied"


def test_push_refuses_more_than_100_operations_before_sending():
    client, transport, _ = make_client()
    with pytest.raises(ValueError):
        client.push([operation(n) for n in range(101)])
    assert transport.sent == []


def test_final_4xx_raises_server_refused_with_code_message_and_details():
    client, transport, slept = make_client(
        (422, error_body("sync.batch_too_large", "一次最多同步 100 条操作", {"max": 100})))
    with pytest.raises(ServerRefused) as refused:
        client.push([operation()])
    assert (refused.value.status, refused.value.code) == (422, "sync.batch_too_large")
    assert refused.value.message == "一次最多同步 100 条操作" and refused.value.details == {"max": 100}
    assert len(transport.sent) == 1 and slept == []


def test_503_with_retry_after_is_retried_after_at_least_that_long():
    client, transport, slept = make_client((503, error_body("server.internal"), {"Retry-After": "30"}),
                                           (200, {"results": []}))
    client.push([operation()])
    assert len(transport.sent) == 2 and slept[0] >= 30


def test_retried_push_sends_the_same_operation_ids():
    client, transport, _ = make_client(requests.ConnectionError("reset"), (200, {"results": []}))
    client.push([operation(1), operation(2)])
    assert transport.sent[0].body == transport.sent[1].body


def test_unreachable_server_raises_after_the_attempts_of_a_run():
    client, transport, slept = make_client(*[requests.ConnectTimeout()] * 8)
    with pytest.raises(ServerUnreachable, match="超时"):
        client.push([operation()])
    assert len(transport.sent) == 8 and len(slept) == 7


def test_answer_that_is_not_json_confirms_nothing():
    client, _, _ = make_client((200, b"<html>portal login</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ServerUnreachable, match="无法识别"):
        client.push([operation()])


def test_stats_count_every_attempt_and_its_body_bytes():
    client, transport, _ = make_client((502, "bad gateway"), (200, {"results": []}))
    client.push([operation()])
    body_size = len(transport.sent[0].body)
    assert (client.stats.requests, client.stats.bytes_sent) == (2, 2 * body_size)


def test_login_keeps_the_token_for_later_requests():
    client, transport, _ = make_client((201, {"token": "fresh", "expires_at": "2030-01-01", "user": {}}),
                                       (200, {"changes": [], "cursor": None, "more": False}), token=None)
    client.login("wuye-yudu", "secret")
    client.pull()
    assert "Authorization" not in transport.sent[0].headers
    assert transport.sent[1].headers["Authorization"] == "Bearer fresh"


def test_login_of_a_locked_account_is_not_retried():
    client, transport, slept = make_client((429, error_body("auth.locked", "账号已临时锁定")), token=None)
    with pytest.raises(ServerRefused, match="auth.locked"):
        client.login("wuye-yudu", "wrong")
    assert len(transport.sent) == 1 and slept == []


def test_pull_sends_the_cursor_a_limit_and_the_device():
    client, transport, _ = make_client((200, {"changes": [], "cursor": "43", "more": False}))
    client.pull("42", limit=500)
    assert transport.sent[0].url == f"{BASE_URL}/api/sync/pull?limit=500&device_id=device-1&cursor=42"


def test_check_photos_asks_at_most_500_hashes_a_request():
    hashes = [f"{n:064x}" for n in range(1200)]
    client, transport, _ = make_client(*[(200, {"missing": [], "partial": {}})] * 3)
    client.check_photos(hashes)
    assert [len(json.loads(r.body)["hashes"]) for r in transport.sent] == [500, 500, 200]


def test_buildings_search_reads_every_page():
    pages = [(200, {"items": [{"id": n} for n in range(500)], "page": 1, "per_page": 500, "total": 501}),
             (200, {"items": [{"id": 500}], "page": 2, "per_page": 500, "total": 501})]
    client, transport, _ = make_client(*pages)
    assert len(client.buildings("达明新村")) == 501 and len(transport.sent) == 2
