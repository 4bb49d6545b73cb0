"""A fake network for the sync client's tests: a requests adapter mounted on a Session.

`FakeTransport(handler)` answers every request from `handler(request)`, which returns
(status, json-or-bytes, headers) or raises (e.g. requests.ConnectionError). `FakeLoujian` is such a
handler speaking the sync protocol in memory, with faults injectable per route: an error answer,
a dropped connection before the server sees the request, or a lost answer after it processed it.
"""
import hashlib
import json
import re
from collections import deque
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from sync.defects_file import IndicatorCatalogue

BASE_URL = "http://loujian.test"
TOKEN = "test-token"


class FakeTransport(BaseAdapter):
    def __init__(self, handler):
        super().__init__()
        self.handler = handler
        self.sent = []  # every PreparedRequest, in order

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(request)
        status, body, headers = self.handler(request)
        response = requests.Response()
        response.status_code = status
        response.request, response.url = request, request.url
        response.headers = CaseInsensitiveDict(headers or {})
        if isinstance(body, (bytes, str)):
            response._content = body.encode() if isinstance(body, str) else body
        else:
            response._content = json.dumps(body).encode()
            response.headers.setdefault("Content-Type", "application/json")
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


def session_for(handler) -> tuple[requests.Session, FakeTransport]:
    session, transport = requests.Session(), FakeTransport(handler)
    session.trust_env = False
    session.mount(BASE_URL, transport)
    return session, transport


def scripted(*outcomes):
    """A handler answering with the given outcomes in turn: (status, body[, headers]) or an exception."""
    queue = deque(outcomes)

    def handle(request):
        outcome = queue.popleft()
        if isinstance(outcome, Exception):
            raise outcome
        status, body, *headers = outcome
        return status, body, headers[0] if headers else {}
    return handle


def error_body(code, message="错误", details=None):
    return {"error": {"code": code, "message": message, "details": details or {}}}


class FakeLoujian:
    """The server's side of PROTOCOL.md, in memory."""

    def __init__(self, buildings=(), company=None):
        self.buildings = list(buildings)  # dicts as GET /api/buildings returns them
        self.company = company or {"id": 7, "name": "夏县禹都物业服务有限公司"}
        self.system = "2024"  # the current round's indicator system, as GET /api/forms says
        self.check_items = {i["number"]: i["check_items"]
                            for i in IndicatorCatalogue.load(self.system).indicators}
        self.operations = {}   # id -> (canonical body, result)
        self.findings = []     # finding uuids, one per applied finding.report
        self.photos = {}       # sha -> bytes
        self.partial = {}      # sha -> bytearray
        self.changes = []
        self.faults = []       # (method, path regex, kind, outcome), consumed once each
        self.log = []          # (method, path) of every request that reached the server
        self.pull_page_size = 500

    # ---- fault injection ---------------------------------------------------------------------

    def answer(self, method, path, status, body=None, headers=None):
        """The next matching request gets this answer instead of being processed."""
        self.faults.append((method, path, "answer", (status, body or {}, headers or {})))

    def drop(self, method, path, error=None):
        """The next matching request never reaches the server."""
        self.faults.append((method, path, "drop", error or requests.ConnectionError("down")))

    def let_through(self, method, path):
        """The next matching request is processed normally (to order it before other faults)."""
        self.faults.append((method, path, "pass", None))

    def lose_answer(self, method, path):
        """The next matching request is processed, but its answer never reaches the client."""
        self.faults.append((method, path, "lose", requests.ConnectionError("reset")))

    def requests_to(self, method, path):
        return [entry for entry in self.log if entry[0] == method and re.fullmatch(path, entry[1])]

    # ---- dispatch ------------------------------------------------------------------------------

    def __call__(self, request):
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        fault = self._take_fault(request.method, url.path)
        if fault and fault[2] == "drop":
            raise fault[3]
        if fault and fault[2] == "answer":
            return fault[3]
        self.log.append((request.method, url.path))
        answer = self._route(request, url.path, query)
        if fault and fault[2] == "lose":
            raise fault[3]
        return answer

    def _take_fault(self, method, path):
        for fault in self.faults:
            if fault[0] == method and re.fullmatch(fault[1], path):
                self.faults.remove(fault)
                return fault
        return None

    def _route(self, request, path, query):
        if path == "/api/forms":
            return 200, {"round": None, "system": self.system, "forms": []}, {}
        if path == "/api/auth/token":
            return self._login(json.loads(request.body))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, error_body("auth.token_invalid", "登录凭证无效或已过期，请重新登录"), {}
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        if path == "/api/buildings":
            return 200, self._search(query), {}
        if path == "/api/sync/push":
            return 200, self._push(json.loads(body)), {}
        if path == "/api/sync/pull":
            return 200, self._pull(query), {}
        if path == "/api/photos/check":
            hashes = json.loads(body)["hashes"]
            missing = [h for h in hashes if h not in self.photos]
            return 200, {"missing": missing, "partial": {h: len(self.partial[h])
                                                         for h in missing if h in self.partial}}, {}
        match = re.fullmatch(r"/api/photos/([0-9a-f]{64})(/chunks|/upload)?", path)
        if match and match[2] is None:
            return self._store(match[1], body)
        if match and match[2] == "/chunks":
            return self._chunk(match[1], body, int(query["offset"]), int(query["total"]))
        if match:
            held = match[1] in self.photos
            received = len(self.photos.get(match[1]) or self.partial.get(match[1], b""))
            return 200, {"received": received, "complete": held}, {}
        return 404, error_body("route.not_found"), {}

    def _login(self, body):
        if body.get("password") != "loujian2024":
            return 401, error_body("auth.invalid_credentials", "用户名或密码错误"), {}
        return 201, {"token": TOKEN, "expires_at": "2030-01-01T00:00:00+00:00",
                     "user": {"id": 3, "username": body["username"], "display_name": "禹都物业",
                              "role": "property", "role_label": "物业公司",
                              "property_company": self.company}}, {}

    def _search(self, query):
        q = query.get("q", "")
        items = [b for b in self.buildings if q in b["label"] or q in (b.get("code") or "")]
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 50))
        return {"items": items[(page - 1) * per_page:page * per_page], "page": page,
                "per_page": per_page, "total": len(items)}

    def _push(self, body):
        results = []
        for operation in body["operations"]:
            canonical = json.dumps(operation, sort_keys=True, ensure_ascii=False)
            stored = self.operations.get(operation["id"])
            if stored and stored[0] == canonical:
                results.append({"id": operation["id"], "status": "already_applied", "result": stored[1]})
            elif stored:
                differing = [k for k, v in operation.items() if json.loads(stored[0]).get(k) != v]
                results.append({"id": operation["id"], "status": "conflict", "error": error_body(
                    "sync.conflict", "该操作编号已提交过不同内容", {"differing_fields": differing})["error"]})
            elif operation["check_item"] not in self.check_items.get(operation["indicator"], []):
                results.append({"id": operation["id"], "status": "rejected", "error": error_body(
                    "request.invalid", "提交的数据未通过校验，请按提示修改",
                    {"fields": {"check_item": ["不是该指标的检查项"]}})["error"]})
            else:
                result = {"finding": operation["id"], "status": "pending",
                          "missing_photos": [h for h in operation["photos"] if h not in self.photos]}
                self.operations[operation["id"]] = (canonical, result)
                self.findings.append(operation["id"])
                self.changes.append({"seq": len(self.changes) + 1, "kind": "finding",
                                     "id": operation["id"], "data": {"status": "pending"}})
                results.append({"id": operation["id"], "status": "applied", "result": result})
        return {"results": results, "server_time": "2024-07-01T01:30:00+00:00"}

    def _pull(self, query):
        after = int(query.get("cursor") or 0)
        limit = min(int(query.get("limit", 200)), self.pull_page_size)
        page = [c for c in self.changes if c["seq"] > after][:limit]
        cursor = str(page[-1]["seq"]) if page else query.get("cursor")
        return {"changes": page, "cursor": cursor,
                "more": bool(page) and page[-1]["seq"] < len(self.changes)}

    def _store(self, sha, data):
        if sha in self.photos:
            return 200, {"sha256": sha}, {}
        if hashlib.sha256(data).hexdigest() != sha:
            return 422, error_body("photo.hash_mismatch", "照片内容与其 SHA-256 不符"), {}
        self.photos[sha] = data
        self.partial.pop(sha, None)
        return 201, {"sha256": sha}, {}

    def _chunk(self, sha, data, offset, total):
        if sha in self.photos:
            return 200, {"sha256": sha}, {}
        held = self.partial.setdefault(sha, bytearray())
        if offset != len(held):
            return 409, error_body("photo.offset_mismatch", "分片位置不符", {"received": len(held)}), {}
        held += data
        if len(held) < total:
            return 202, {"received": len(held)}, {}
        return self._store(sha, bytes(held))


def building(building_id, estate, number, code=None):
    return {"id": building_id, "estate": estate, "number": number, "label": f"{estate}{number}",
            "code": code}
