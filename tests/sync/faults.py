"""Fault injection for the sync tests: the real app in-process, a network that misbehaves on
purpose, and scenarios (a workload and its faults) drawn from one seed, to replay any failure.

`AppTransport` hands each request the client makes to the Flask app's test client, in a fresh
app context (its own database session, as a separate server worker would have), and turns the
answer back into a `requests.Response`. `FaultyAdapter` sits in front of it and, drawing from
`random.Random(seed)`, does one of these to a request (until the scenario's fault budget is spent;
then the network is clean, so every scenario can converge):

  drop         connection error before the request reaches the server
  lose_answer  the server handles and commits it; the answer is lost (reset, or read timeout)
  cut          the body is cut off part-way: the app receives the prefix with the declared
               Content-Length, which Werkzeug reports as a client disconnect (400), as a real
               WSGI server would. The server reads a body whole before acting on it, so a cut
               push applies nothing, a cut photo stores nothing and a cut chunk appends nothing;
               the client sees a connection error.
  busy         a proxy's 503 with Retry-After (seconds or an HTTP date); the app never sees it
  duplicate    the request reaches the server twice; the client gets either answer
  replay       delivered now, and a copy again after 1–3 later requests (a stale retry arriving
               late); the late answer goes nowhere
  delay        stuck in the network: the client times out and retries; the original arrives
               after 1–3 later requests (reordered), its answer going nowhere
  portal       a captive portal (hotel or station Wi-Fi) answers 200 with its own HTML page;
               the app never sees the request
  crash        the server process dies mid-request: in a push, before its k-th of n operations
               (0 ≤ k ≤ n; k = n is after all of them, before the commit); in a photo upload,
               after the files are written but before the row commits. Emulated by raising
               `SimulatedCrash` there: the app's error handler rolls the transaction back, which
               is what the database does to a dead process's transaction. The client sees the
               connection reset or the proxy's 502. (A real SIGKILL: test_server_kill.py.)
"""
import email.utils
import io
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import requests
import urllib3
from PIL import Image
from requests.adapters import BaseAdapter, HTTPAdapter

import server.photos.operations as photo_operations
import server.syncing.operations as sync_operations

BASE_URL = "http://loujian.test"
_WIRE = HTTPAdapter()  # only its build_response: status, headers, body decoding, encoding
FAULT_KINDS = ("drop", "lose_answer", "cut", "busy", "duplicate", "replay", "delay", "portal",
               "crash")
CHUNK_SIZE = 2048  # the client's piece size in these tests: "large" photos go in 3–4 pieces
GAS_DEFECTS = ("hose_faulty", "no_flame_failure", "no_leak_alarm", "riser_corroded",
               "shutoff_valve_faulty", "gas_in_bedroom")


class SimulatedCrash(Exception):
    """The server process dying at this point of a request (see `crash` above)."""


# ---- the app, in-process --------------------------------------------------------------------

class AppTransport(BaseAdapter):
    """A requests adapter that delivers each request to the Flask app in-process."""

    def __init__(self, app):
        super().__init__()
        self.app = app
        self.client = app.test_client(use_cookies=False)
        self.delivered: list[tuple[str, str, requests.Response]] = []  # what reached the app

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return self.deliver(request)

    def deliver(self, request, cut_at: int | None = None) -> requests.Response:
        """The app's answer; with `cut_at`, the body stops after that many bytes."""
        url = urlsplit(request.url)
        body = _body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        declared = {}
        if cut_at is not None:
            declared, body = {"CONTENT_LENGTH": str(len(body))}, body[:cut_at]
        with self.app.app_context():  # a session of its own, like another worker's
            answer = self.client.open(url.path, method=request.method, query_string=url.query,
                                      headers=headers, data=body, environ_overrides=declared)
            content = answer.get_data()
            answer.close()
        response = response_to(request, answer.status_code, content, answer.headers)
        self.delivered.append((request.method, url.path, response))
        return response

    def close(self):
        pass


def response_to(request, status: int, content: bytes, headers) -> requests.Response:
    """The answer as requests builds it from the wire (so gzip is decoded as it would be)."""
    fields = urllib3.HTTPHeaderDict()
    for name, value in headers.items():
        fields.add(name, value)
    raw = urllib3.HTTPResponse(body=io.BytesIO(content), headers=fields, status=status,
                               preload_content=False, decode_content=True)
    response = _WIRE.build_response(request, raw)
    response.content  # read it now, as the connection would be gone later  # noqa: B018
    return response


def session_on(adapter) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount(BASE_URL, adapter)
    return session


def _body(request) -> bytes:
    body = request.body or b""
    return body.encode() if isinstance(body, str) else bytes(body)


# ---- the server dying mid-request -----------------------------------------------------------

class ServerCrashes:
    """Installs crash points in the push and photo code; `FaultyAdapter` arms one per request.

    A push crashes before its k-th operation is applied (k = n: after the last, before the
    commit); a photo upload crashes when the photo is about to be recorded — after its files are
    in the store and its row is flushed, before the commit.
    """

    def __init__(self, monkeypatch):
        self.armed, self.fired = None, False  # armed: [point, how many times to pass it first]
        for op, apply in sync_operations.APPLY.items():
            monkeypatch.setitem(sync_operations.APPLY, op, self._crashing("push", apply))
        monkeypatch.setattr(sync_operations, "push",
                            self._crashing("push", sync_operations.push, after=True))
        monkeypatch.setattr(photo_operations, "record",
                            self._crashing("photo", photo_operations.record))

    def _crashing(self, point: str, function, after=False):
        def crashing(*args, **kwargs):
            if not after:
                self._reach(point)
            result = function(*args, **kwargs)
            if after:
                self._reach(point)
            return result
        return crashing

    def arm(self, point: str, after: int = 0) -> None:
        self.armed, self.fired = [point, after], False

    def disarm(self) -> bool:
        fired, self.armed, self.fired = self.fired, None, False
        return fired

    def _reach(self, point: str) -> None:
        if self.armed is None or self.armed[0] != point:
            return
        if self.armed[1] > 0:
            self.armed[1] -= 1
            return
        self.armed, self.fired = None, True
        raise SimulatedCrash(f"the server died in a {point}")


# ---- the network misbehaving ----------------------------------------------------------------

@dataclass
class Held:
    request: requests.PreparedRequest
    after: int  # delivered once this many more requests have gone through


class FaultyAdapter(BaseAdapter):
    """Faults drawn at random (`probability` per request, at most `budget` in all), after any
    scripted ones: `script` entries (method, path regex, kind[, detail]) are each used once, on
    the first request they match — "pass" lets one through, to place the next fault. An entry
    no request matched is a fault the test meant and never made: `script_left` names them."""

    def __init__(self, transport: AppTransport, rng: random.Random, *, probability: float = 0.0,
                 budget: int = 0, kinds=FAULT_KINDS, crashes: ServerCrashes | None = None,
                 script=()):
        super().__init__()
        self.transport, self.rng, self.crashes = transport, rng, crashes
        self.probability, self.budget = probability, budget
        self.kinds = tuple(k for k in kinds if k != "crash" or crashes is not None)
        self.script = [(*entry, None)[:4] for entry in script]
        self.faults: list[str] = []       # what was done, for the failure message
        self.sent: list[tuple] = []       # (method, path, query, body size) of every attempt
        self.held: list[Held] = []
        self.slept: list[float] = []
        self.owed_wait = (None, 0.0)      # (the request a 503 answered, its Retry-After)
        self.short_waits: list[str] = []  # Retry-After not honoured

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        if self.owed_wait[0] is request:  # the same request again, without any wait
            self.short_waits.append(f"sent again without waiting {self.owed_wait[1]:g} s")
        self.owed_wait = (None, 0.0)
        self.sent.append((request.method, url.path, parse_qs(url.query), len(_body(request))))
        kind, detail = self._draw(request, url.path)
        try:
            return getattr(self, f"_{kind}")(request, url.path, detail)
        finally:
            self._deliver_held()

    def sleep(self, seconds: float) -> None:
        """The client's sleep: recorded, never slept."""
        self.slept.append(seconds)
        if seconds < self.owed_wait[1]:
            self.short_waits.append(f"waited {seconds:g} s after Retry-After {self.owed_wait[1]:g}")
        self.owed_wait = (None, 0.0)

    def flush_held(self) -> None:
        """Everything still stuck in the network arrives (after the device has finished)."""
        while self.held:
            self.transport.deliver(self.held.pop(0).request)

    def script_left(self) -> list[str]:
        """The scripted entries no request has matched yet, as problems."""
        return [f"scripted {kind} {method} {path} never struck"
                for method, path, kind, _ in self.script]

    def close(self):
        pass

    # ---- one request --------------------------------------------------------------------------

    def _draw(self, request, path: str) -> tuple[str, object]:
        scripted = next((entry for entry in self.script
                         if entry[0] == request.method and re.fullmatch(entry[1], path)), None)
        if scripted is not None:
            self.script.remove(scripted)
            kind, detail = scripted[2:]
        elif len(self.faults) >= self.budget or self.rng.random() >= self.probability:
            return "pass", None
        else:
            kinds = [k for k in self.kinds if _applies(k, request.method, path, _body(request))]
            kind, detail = self.rng.choice(kinds), None
        if kind != "pass":
            self.faults.append(f"{kind} {request.method} {_short(request.url)}")
        return kind, detail

    def _note(self, detail: str) -> None:
        self.faults[-1] += f" ({detail})"

    def _pass(self, request, path, detail):
        return self.transport.deliver(request)

    def _drop(self, request, path, detail):
        raise requests.ConnectionError("connection refused: the server was not reached")

    def _lose_answer(self, request, path, detail):
        self.transport.deliver(request)
        if self.rng.random() < 0.5:
            raise requests.ReadTimeout("the answer did not arrive in time")
        raise requests.ConnectionError("connection reset after the server answered")

    def _cut(self, request, path, cut_at):
        size = len(_body(request))
        # one draw whatever the size, which differs on a replay (ids): the same faults follow
        cut_at = int(self.rng.random() * size) if cut_at is None else cut_at
        self._note(f"{cut_at}/{size} bytes")
        self.transport.deliver(request, cut_at=cut_at)
        raise requests.ConnectionError("connection reset while sending the body")

    def _busy(self, request, path, seconds):
        seconds = seconds or self.rng.choice((1, 5, 30, 120))
        self.owed_wait = (request, seconds)
        if self.rng.random() < 0.25:  # an HTTP date; a second's rounding is allowed for
            value = email.utils.formatdate(time.time() + seconds + 1, usegmt=True)
        else:
            value = str(seconds)
        self._note(f"Retry-After: {value}")
        return response_to(request, 503, b"<h1>503 Service Temporarily Unavailable</h1>",
                           {"Retry-After": value, "Content-Type": "text/html"})

    def _portal(self, request, path, detail):
        page = "<html><body>请先登录车站免费 Wi-Fi</body></html>".encode()
        return response_to(request, 200, page, {"Content-Type": "text/html; charset=utf-8"})

    def _duplicate(self, request, path, detail):
        answers = [self.transport.deliver(request), self.transport.deliver(request)]
        chosen = self.rng.randrange(2)
        self._note(f"answer {chosen + 1} of 2")
        return answers[chosen]

    def _replay(self, request, path, detail):
        answer = self.transport.deliver(request)
        self.held.append(Held(request.copy(), self.rng.randint(1, 3)))
        return answer

    def _delay(self, request, path, detail):
        self.held.append(Held(request.copy(), self.rng.randint(1, 3)))
        raise requests.ReadTimeout("no answer: the request is stuck in the network")

    def _crash(self, request, path, after):
        if path == "/api/sync/push":
            operations = len(json.loads(_body(request))["operations"])
            after = self.rng.randint(0, operations) if after is None else after
            self.crashes.arm("push", after)
            self._note(f"before operation {after + 1} of {operations}" if after < operations
                       else f"after all {operations} operations, before the commit")
        else:
            self.crashes.arm("photo")
        answer = self.transport.deliver(request)
        if not self.crashes.disarm():  # it died after doing the work, before answering
            self._note(f"after answering {answer.status_code}")
        elif path != "/api/sync/push":
            self._note("while storing the photo")
        if self.rng.random() < 0.5:
            raise requests.ConnectionError("connection reset: the server process died")
        return response_to(request, 502, b"<html><h1>502 Bad Gateway</h1></html>",
                           {"Content-Type": "text/html"})

    def _deliver_held(self) -> None:
        for held in list(self.held):
            held.after -= 1
            if held.after <= 0:
                self.held.remove(held)
                self.transport.deliver(held.request)


def _short(url: str) -> str:
    """`sync/push`, `photos/…/chunks offset 2048`: enough to see which request it was."""
    parts = urlsplit(url)
    path = re.sub(r"[0-9a-f]{64}", "…", parts.path.removeprefix("/api/"))
    offset = parse_qs(parts.query).get("offset")
    return f"{path} offset {offset[0]}" if offset else path


def _applies(kind: str, method: str, path: str, body: bytes) -> bool:
    if kind == "cut":
        return len(body) > 1
    if kind == "crash":
        return path == "/api/sync/push" or (method == "PUT" and path.startswith("/api/photos/"))
    return True


# ---- scenarios ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedPhoto:
    number: int
    large: bool  # sent in pieces of CHUNK_SIZE
    png: bool


@dataclass(frozen=True)
class PlannedOperation:
    """A gas-safety form (`defects`: question → photo numbers) or a reported pipe leak."""
    kind: str  # "submission" | "finding"
    building: int
    id: str
    captured_at: str
    defects: tuple = ()
    photos: tuple = ()
    unit: str | None = None
    floor: int | None = None


@dataclass(frozen=True)
class Scenario:
    seed: int
    buildings: int
    operations: tuple
    photos: tuple
    probability: float
    budget: int
    kinds: tuple = FAULT_KINDS
    facts: dict = field(default_factory=dict)


def scenario(seed: int, operations=(1, 4), photos=(0, 4)) -> Scenario:
    """The workload and the fault profile of one seed (with so many operations and photos)."""
    rng = random.Random(f"scenario-{seed}")
    planned_photos = [PlannedPhoto(n, rng.random() < 0.1, rng.random() < 0.3)
                      for n in range(rng.randint(*photos))]
    buildings = rng.choice((1, 1, 2))
    planned = []
    for number in range(rng.randint(*operations)):
        op_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        captured_at = f"2024-07-0{rng.randint(1, 3)}T09:{rng.choice((0, 30)):02d}:00+08:00"
        building = rng.randrange(buildings)
        if rng.random() < 0.5:
            chosen = rng.sample(GAS_DEFECTS, rng.choice((0, 0, 1, 2)) if planned_photos else 0)
            defects = tuple((question, _some_photos(rng, planned_photos, at_least=1))
                            for question in chosen)
            planned.append(PlannedOperation("submission", building, op_id, captured_at,
                                            defects=defects, unit=f"{rng.randint(1, 3)}单元",
                                            floor=rng.randint(1, 6)))
        else:
            planned.append(PlannedOperation("finding", building, op_id, captured_at,
                                            photos=_some_photos(rng, planned_photos, at_least=0),
                                            unit=rng.choice((None, "1单元", "2单元")),
                                            floor=rng.choice((None, -1, 2, 5))))
    facts = {"floors_above": rng.choice((6, 11)), "floors_below": 1,
             "year_built": rng.choice((1985, 1995, 2008))}
    return Scenario(seed, buildings, tuple(planned), tuple(planned_photos),
                    probability=rng.uniform(0.3, 0.7), budget=rng.randint(2, 12), facts=facts)


def _some_photos(rng: random.Random, photos: list, at_least: int) -> tuple:
    if not photos:
        return ()
    count = rng.randint(at_least, min(3, len(photos)))
    return tuple(rng.sample(range(len(photos)), count))


def photo_bytes(seed: int, photo: PlannedPhoto) -> bytes:
    """A tiny noise image, distinct for every (seed, photo); a large one is 3–4 pieces."""
    rng = random.Random(f"photo-{seed}-{photo.number}")
    side = (48 if photo.png else 80) if photo.large else rng.choice((8, 12, 16))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(
        out, "PNG" if photo.png else "JPEG")
    return out.getvalue()
