"""When the client retries, and how long it waits (PROTOCOL §5, GUIDE §3)."""
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests

from sync.retry import (Retrier, RetryPolicy, ServerUnreachable, is_retryable_status,
                        retry_after_seconds)

SEED = 20240701


class Answer:
    def __init__(self, status, retry_after=None):
        self.status_code = status
        self.headers = {"Retry-After": retry_after} if retry_after is not None else {}


def sender(*outcomes):
    """A send() that yields the outcomes in turn and counts its calls."""
    queue = list(outcomes)

    def send():
        send.calls += 1
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    send.calls = 0
    return send


def make_retrier(**policy):
    slept = []
    return Retrier(RetryPolicy(**policy), sleep=slept.append, rng=random.Random(SEED)), slept


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retries_408_429_and_5xx(status):
    retrier, slept = make_retrier()
    send = sender(Answer(status), Answer(200))
    assert retrier.call(send).status_code == 200
    assert send.calls == 2 and len(slept) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 415, 422])
def test_other_4xx_are_final_and_not_retried(status):
    retrier, slept = make_retrier()
    send = sender(Answer(status))
    assert retrier.call(send).status_code == status
    assert send.calls == 1 and slept == []


@pytest.mark.parametrize("error", [requests.ConnectionError("refused"), requests.ConnectTimeout(),
                                   requests.ReadTimeout(), requests.exceptions.ChunkedEncodingError()])
def test_retries_network_errors(error):
    retrier, slept = make_retrier()
    send = sender(error, Answer(201))
    assert retrier.call(send).status_code == 201
    assert len(slept) == 1


def test_backoff_is_full_jitter_below_a_doubling_bound():
    policy, rng = RetryPolicy(base=1.0), random.Random(SEED)
    for retry_number in range(1, 9):
        bound = min(policy.cap, 2 ** retry_number)
        delays = [policy.backoff(retry_number, rng) for _ in range(200)]
        assert all(0 <= d <= bound for d in delays), f"seed {SEED}"
        assert max(delays) > bound / 2, f"seed {SEED}: not spread over the whole range"


def test_backoff_never_exceeds_five_minutes():
    policy, rng = RetryPolicy(), random.Random(SEED)
    delays = [policy.backoff(retry_number, rng) for retry_number in range(1, 40) for _ in range(20)]
    assert max(delays) <= 300
    assert max(delays) > 250, f"seed {SEED}: the cap should be reachable"


def test_jitter_is_reproducible_with_a_seeded_rng():
    first, slept_first = make_retrier()
    second, slept_second = make_retrier()
    for retrier in (first, second):
        with pytest.raises(ServerUnreachable):
            retrier.call(sender(*[Answer(503)] * 8))
    assert slept_first == slept_second and len(slept_first) == 7


def test_wait_is_never_shorter_than_retry_after_seconds():
    retrier, slept = make_retrier()
    retrier.call(sender(Answer(429, "120"), Answer(200)))
    assert slept[0] >= 120


def test_retry_after_may_exceed_the_backoff_cap():
    retrier, slept = make_retrier()
    retrier.call(sender(Answer(503, "600"), Answer(200)))
    assert slept == [600]


def test_retry_after_as_http_date_is_honoured():
    now = datetime(2024, 7, 1, 8, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(header, now=now) == 90


@pytest.mark.parametrize("header", [None, "", "soon", "-5"])
def test_unreadable_retry_after_is_ignored(header):
    assert retry_after_seconds(header) is None


def test_certificate_error_gives_up_at_once():
    retrier, slept = make_retrier()
    send = sender(requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(ServerUnreachable, match="证书"):
        retrier.call(send)
    assert send.calls == 1 and slept == []


def test_gives_up_after_the_attempts_of_a_run():
    retrier, slept = make_retrier(max_attempts=3)
    send = sender(Answer(503), requests.ConnectionError(), Answer(502))
    with pytest.raises(ServerUnreachable, match="502"):
        retrier.call(send)
    assert send.calls == 3 and len(slept) == 2


def test_gives_up_rather_than_wait_beyond_the_run_budget():
    retrier, slept = make_retrier(budget=60)
    send = sender(Answer(503, "3600"))
    with pytest.raises(ServerUnreachable):
        retrier.call(send)
    assert slept == [] and send.calls == 1


def test_budget_is_shared_by_all_requests_of_a_run():
    retrier, slept = make_retrier(budget=100)
    retrier.call(sender(Answer(429, "70"), Answer(200)))
    with pytest.raises(ServerUnreachable):
        retrier.call(sender(Answer(429, "70")))
    assert slept == [70]


def test_only_listed_statuses_count_as_retryable():
    retryable = [status for status in range(400, 600) if is_retryable_status(status)]
    assert retryable == [408, 429, *range(500, 600)]
