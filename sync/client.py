"""The Python sync client (PROTOCOL.md): push, photo check and upload, pull — and `sync(outbox)`.

Every request goes through one retrier (sync.retry): network errors, 408, 429 and 5xx are retried
with capped, jittered backoff; any other error is final for that request and raised as
`ServerRefused` with the server's code and Chinese message. `stats` counts every attempt's request
and body bytes, so a benchmark can see exactly what a sync costs.
"""
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from sync.photo_files import content_type, file_sha256
from sync.retry import Retrier, RetryPolicy, ServerUnreachable, is_retryable_status

MAX_BATCH = 100          # operations per push (PROTOCOL §1)
MAX_CHECK = 500          # hashes per photo check (PROTOCOL §2)
CHUNK_SIZE = 4 << 20     # the largest piece the server takes; photos up to this go in one PUT
MAX_OFFSET_CORRECTIONS = 3
BUILDINGS_PAGE = 500


@dataclass
class TransferStats:
    requests: int = 0       # every attempt, retries included
    bytes_sent: int = 0     # request bodies of those attempts
    photos_uploaded: int = 0


class ServerRefused(Exception):
    """A final error answer (4xx other than 408/429): show it to the user, keep the item."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}

    @classmethod
    def from_response(cls, response: requests.Response) -> "ServerRefused":
        try:
            error = response.json()["error"]
            return cls(response.status_code, error["code"], error["message"], error.get("details"))
        except (ValueError, KeyError, TypeError):
            return cls(response.status_code, f"http.{response.status_code}",
                       f"服务器拒绝了请求（HTTP {response.status_code}）")

    @property
    def needs_login(self) -> bool:
        return self.status == 401


@dataclass
class SyncReport:
    applied: int = 0
    already_applied: int = 0
    failed: int = 0
    photos_uploaded: int = 0
    photos_failed: int = 0
    pulled: int = 0
    stopped: str | None = None  # why the run ended early; what is left stays queued for the next
    needs_login: bool = False


class SyncClient:
    def __init__(self, base_url: str, token: str | None = None, *, session=None, sleep=time.sleep,
                 rng=None, policy: RetryPolicy | None = None, device_id: str | None = None,
                 timeout=(10, 120), chunk_size: int = CHUNK_SIZE, on_retry=None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session or requests.Session()
        self.retrier = Retrier(policy, sleep=sleep, rng=rng, on_retry=on_retry)
        self.device_id = device_id or str(uuid.uuid4())
        self.timeout = timeout
        self.chunk_size = chunk_size
        self.stats = TransferStats()

    # ---- the API -------------------------------------------------------------------------

    def login(self, username: str, password: str, label: str | None = None) -> dict:
        """Exchange a password for a bearer token (kept on the client). Returns token, expiry, user."""
        body = {"username": username, "password": password}
        if label:
            body["label"] = label
        # a 429 here is a locked account (auth.locked), not a busy server: waiting it out is for people
        answer = self._json(self._request(
            "POST", "/api/auth/token", json=body,
            retry_statuses=lambda status: status != 429 and is_retryable_status(status)))
        self.token = answer["token"]
        return answer

    def push(self, operations: list[dict], *, device_id: str | None = None) -> list[dict]:
        """One push of up to 100 operations; the server's result for each, in order."""
        if not 1 <= len(operations) <= MAX_BATCH:
            raise ValueError(f"a push carries 1 to {MAX_BATCH} operations, not {len(operations)}")
        answer = self._json(self._request("POST", "/api/sync/push", json={
            "device_id": device_id or self.device_id, "operations": operations}))
        return answer["results"]

    def check_photos(self, hashes: list[str]) -> dict:
        """{"missing": [sha…], "partial": {sha: bytes received}} for the given hashes."""
        missing, partial = [], {}
        for start in range(0, len(hashes), MAX_CHECK):
            answer = self._json(self._request("POST", "/api/photos/check",
                                              json={"hashes": hashes[start:start + MAX_CHECK]}))
            missing += answer.get("missing", [])
            partial.update(answer.get("partial") or {})
        return {"missing": missing, "partial": partial}

    def upload_photo(self, source, sha256: str, metadata: dict | None = None, *,
                     received: int = 0) -> None:
        """Upload a photo (a path or bytes) the server lacks, resuming after `received` bytes.

        Small photos go in one PUT; larger ones (or a resumed one) in pieces starting where the
        server says it stands, so no byte it holds is sent again.
        """
        photo = _PhotoBytes(source)
        query = _metadata_query(metadata)
        if received == 0 and photo.size <= self.chunk_size:
            data = photo.read(0, photo.size)
            response = self._request("PUT", f"/api/photos/{sha256}", data=data, params=query,
                                     headers={"Content-Type": content_type(data[:16])})
            self._require_stored(response, sha256)
        else:
            self._upload_in_pieces(photo, sha256, query, received)
        self.stats.photos_uploaded += 1

    def _upload_in_pieces(self, photo, sha256: str, query: dict, offset: int) -> None:
        corrections = 0
        while True:
            if offset >= photo.size:  # every byte is there, but the answer that said so was lost
                if self.upload_status(sha256).get("complete"):
                    return
                # not processed (the server died first): the last piece again makes it finish
                offset = (photo.size - 1) // self.chunk_size * self.chunk_size
            piece = photo.read(offset, self.chunk_size)
            try:
                response = self._request(
                    "PUT", f"/api/photos/{sha256}/chunks", data=piece,
                    params={"offset": offset, "total": photo.size, **query},
                    headers={"Content-Type": "application/octet-stream"})
            except ServerRefused as refusal:
                if refusal.code != "photo.offset_mismatch" or corrections >= MAX_OFFSET_CORRECTIONS:
                    raise
                corrections += 1
                offset = int(refusal.details["received"])
                continue
            if response.status_code in (200, 201):
                self._require_stored(response, sha256)
                return
            answer = self._json(response)
            if not isinstance(answer, dict) or not isinstance(answer.get("received"), int):
                raise ServerUnreachable("服务器对照片分片的回答无法识别")
            offset, corrections = answer["received"], 0

    def _require_stored(self, response: requests.Response, sha256: str) -> None:
        """A 200 is only the server's word if it names the photo: a captive portal (public
        Wi-Fi asking to sign in) answers 200 with its own page, and the photo was never stored."""
        answer = self._json(response)
        if not isinstance(answer, dict) or answer.get("sha256") != sha256:
            raise ServerUnreachable("照片上传的回答不是服务器的（可能是需要登录的公共 Wi-Fi），下次同步再传")

    def upload_status(self, sha256: str) -> dict:
        return self._json(self._request("GET", f"/api/photos/{sha256}/upload"))

    def pull(self, cursor: str | None = None, limit: int = 200, *,
             device_id: str | None = None, scope: str | None = None) -> dict:
        """One page of the change feed after `cursor` (None: from the start), pulled under the
        scope epoch `scope` (None: not yet known)."""
        params = {"limit": limit, "device_id": device_id or self.device_id}
        if cursor is not None:
            params["cursor"] = cursor
        if scope is not None:
            params["scope"] = scope
        return self._json(self._request("GET", "/api/sync/pull", params=params))

    def current_system(self) -> str:
        """The indicator system of the server's current round (forms/ may ship a newer one)."""
        return self._json(self._request("GET", "/api/forms"))["system"]

    def buildings(self, q: str) -> list[dict]:
        """Every building in the user's scope that matches the search text."""
        found, page = [], 1
        while True:
            answer = self._json(self._request("GET", "/api/buildings", params={
                "q": q, "page": page, "per_page": BUILDINGS_PAGE}))
            found += answer["items"]
            if page * answer["per_page"] >= answer["total"] or not answer["items"]:
                return found
            page += 1

    # ---- one sync -------------------------------------------------------------------------

    def sync(self, outbox, *, pull: bool = False) -> SyncReport:
        """Push what is queued, upload the photos the server lacks, then (optionally) pull.

        Stops early — leaving everything not confirmed in the outbox — when the server cannot be
        reached within the run's retry budget, or refuses the login.
        """
        report, self.retrier.waited = SyncReport(), 0.0  # each run has its own waiting budget
        try:
            self._push_outbox(outbox, report)
            self._send_photos(outbox, report)
            if pull:
                self._pull_into(outbox, report)
        except ServerUnreachable as error:
            report.stopped = error.reason
        except ServerRefused as refusal:
            report.stopped, report.needs_login = refusal.message, refusal.needs_login
        return report

    def _push_outbox(self, outbox, report: SyncReport) -> None:
        queued = outbox.to_push()
        for start in range(0, len(queued), MAX_BATCH):
            batch = queued[start:start + MAX_BATCH]
            ids = [item.id for item in batch]
            outbox.mark_sent(ids)
            try:
                results = self.push([item.operation for item in batch], device_id=outbox.device_id)
            except (ServerUnreachable, ServerRefused) as error:
                outbox.note_error(ids, getattr(error, "message", None) or str(error))
                raise
            outbox.record_results(results)
            for answer in results:
                status = answer.get("status")
                report.applied += status == "applied"
                report.already_applied += status == "already_applied"
                report.failed += status in ("conflict", "rejected")

    def _send_photos(self, outbox, report: SyncReport) -> None:
        waiting = outbox.photos_waiting()
        if not waiting:
            return
        answer = self.check_photos([photo.sha256 for photo in waiting])
        missing = set(answer["missing"])
        for photo in waiting:
            if photo.sha256 not in missing:
                outbox.mark_photo_held(photo.sha256)
                continue
            problem = _file_problem(photo)
            if problem:
                outbox.mark_photo_failed(photo.sha256, problem)
                report.photos_failed += 1
                continue
            try:
                self.upload_photo(Path(photo.path), photo.sha256, photo.metadata,
                                  received=int(answer["partial"].get(photo.sha256, 0)))
            except ServerUnreachable as error:
                outbox.note_photo_error(photo.sha256, error.reason)
                raise
            except ServerRefused as refusal:
                if refusal.needs_login:
                    outbox.note_photo_error(photo.sha256, refusal.message)
                    raise
                outbox.mark_photo_failed(photo.sha256, refusal.message)
                report.photos_failed += 1
            else:
                outbox.mark_photo_held(photo.sha256)
                report.photos_uploaded += 1

    def _pull_into(self, outbox, report: SyncReport) -> None:
        cursor = outbox.pull_cursor
        while True:
            page = self.pull(cursor, device_id=outbox.device_id, scope=outbox.pull_scope)
            if page.get("reset"):  # the account's scope changed: drop what was pulled, start again
                outbox.start_pull_again(page["scope"])
                cursor = None
                continue
            outbox.save_pulled(page["changes"], page.get("cursor"), page.get("scope"))
            report.pulled += len(page["changes"])
            cursor = page.get("cursor", cursor)
            if not page.get("more"):
                return

    # ---- transport ------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, retry_statuses=is_retryable_status,
                 **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        prepared = self.session.prepare_request(
            requests.Request(method, self.base_url + path, headers=headers, **kwargs))
        settings = self.session.merge_environment_settings(prepared.url, {}, None, None, None)

        def send():
            self.stats.requests += 1
            self.stats.bytes_sent += len(prepared.body or b"")
            return self.session.send(prepared, timeout=self.timeout, **settings)

        response = self.retrier.call(send, retry_statuses=retry_statuses)
        if response.status_code >= 400:
            raise ServerRefused.from_response(response)
        return response

    @staticmethod
    def _json(response: requests.Response):
        try:
            return response.json()
        except ValueError:  # e.g. a captive portal's HTML page: not the server's answer
            raise ServerUnreachable(f"服务器的回答无法识别（HTTP {response.status_code}，不是 JSON）") from None


class _PhotoBytes:
    def __init__(self, source):
        self.path = None if isinstance(source, (bytes, bytearray)) else Path(source)
        self.data = None if self.path else bytes(source)
        self.size = self.path.stat().st_size if self.path else len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        if self.data is not None:
            return self.data[offset:offset + length]
        with open(self.path, "rb") as source:
            source.seek(offset)
            return source.read(length)


def _metadata_query(metadata: dict | None) -> dict:
    return {k: v for k, v in (metadata or {}).items()
            if k in ("captured_at", "latitude", "longitude") and v is not None}


def _file_problem(photo) -> str | None:
    """Why the file on disk can no longer be the photo that was queued, if it cannot."""
    try:
        if file_sha256(photo.path) != photo.sha256:
            return f"照片文件 {photo.path} 在登记后被修改或替换，请重新运行 push-defects"
    except OSError:
        return f"找不到照片文件 {photo.path}（已移动或删除）"
    return None
