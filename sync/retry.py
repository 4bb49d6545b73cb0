"""When and how long the client waits before sending a request again (PROTOCOL §5).

Only network errors, 408, 429 and 5xx are retried, after a fully jittered exponential backoff
(`uniform(0, min(cap, base·2^n))`) capped at 5 minutes, and never sooner than the server's
`Retry-After`. Every other answer is final for that request. A run has a budget (attempts per request,
seconds of waiting in all); when it is spent the request gives up with `ServerUnreachable`, and the
caller leaves its outbox items pending for the next run — nothing is dropped.
"""
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests

NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout,
                  requests.exceptions.ChunkedEncodingError)


def is_retryable_status(status: int) -> bool:
    return status in (408, 429) or 500 <= status <= 599


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds from now (it may be seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 1.0          # seconds; the first backoff is drawn from [0, base·2)
    cap: float = 300.0         # GUIDE §3: never more than 5 minutes of backoff
    max_attempts: int = 8      # per request, in one run
    budget: float = 900.0      # seconds of waiting in all, in one run

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: uniform over [0, min(cap, base·2^n)]; retry_number counts from 1."""
        return rng.uniform(0, min(self.cap, self.base * 2 ** retry_number))

    def delay(self, retry_number: int, rng: random.Random, retry_after: float | None) -> float:
        """The backoff, but never less than what the server asked for in Retry-After."""
        return max(self.backoff(retry_number, rng), retry_after or 0.0)


class ServerUnreachable(Exception):
    """The run's retries are spent (network down, server overloaded): try again in a later run."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Retrier:
    """Sends through a callable until the answer is final or the run's budget is spent.

    `sleep` and `rng` are injectable so tests neither wait nor depend on chance.
    """

    def __init__(self, policy: RetryPolicy | None = None, *, sleep=time.sleep,
                 rng: random.Random | None = None, on_retry=None):
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.on_retry = on_retry  # called with (reason, delay) before each wait, e.g. to log
        self.waited = 0.0

    def call(self, send, *, retry_statuses=is_retryable_status) -> requests.Response:
        """`send()` returns a response or raises a network error. Returns the final response."""
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                response = send()
            except requests.exceptions.SSLError:
                # a certificate does not mend itself within a run; keep the items for the next one
                raise ServerUnreachable("无法建立安全连接（服务器证书无效或连接被拦截）") from None
            except NETWORK_ERRORS as error:
                reason, retry_after = describe_network_error(error), None
            else:
                if not retry_statuses(response.status_code):
                    return response
                reason = f"服务器暂时不可用（HTTP {response.status_code}）"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self.policy.max_attempts:
                break
            delay = self.policy.delay(attempt, self.rng, retry_after)
            if self.waited + delay > self.policy.budget:
                break
            if self.on_retry:
                self.on_retry(reason, delay)
            self.sleep(delay)
            self.waited += delay
        raise ServerUnreachable(reason)


def describe_network_error(error: Exception) -> str:
    if isinstance(error, requests.Timeout):
        return "连接服务器超时"
    return "无法连接服务器（网络中断或服务器未启动）"
