"""A real server process, killed with SIGKILL at a random moment of a sync — in the middle of a
push of a hundred operations, halfway through a chunked photo upload, or anywhere — and started
again: the device syncs on, and every finding and every photo is on the server exactly once,
photos byte-identical, the ledger the same as after a clean run.

The server runs in a subprocess (create_app on the test database and media folder, served by
Werkzeug on a local port) and is restarted on the same port, as a supervisor would. A failure
names its seed; the moment of the kill is random, so a replay may land elsewhere.
"""
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from server.extensions import db
from server.syncing.models import SyncOperation
from tests.sync.exactly_once import FieldTrial, sync_until_done
from tests.sync.faults import CHUNK_SIZE, PlannedPhoto, scenario

REPO = Path(__file__).resolve().parents[2]
SEEDS = range(5)  # mid-push, mid-upload, anywhere, mid-push, mid-upload
SERVE = """
import json, sys
from werkzeug.serving import make_server
from server import create_app

server = make_server("127.0.0.1", int(sys.argv[2]), create_app(json.loads(sys.argv[1])),
                     threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


class ServerProcess:
    """The app in a process of its own, on one port, that can be killed and started again."""

    def __init__(self, app, log_path: Path):
        self.config = json.dumps({
            "TESTING": True, "SECRET_KEY": "test-secret",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "LOUJIAN_MEDIA_DIR": app.config["LOUJIAN_MEDIA_DIR"]})
        self.log_path, self.port, self.process, self.kills = log_path, 0, None, 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, self.config, str(self.port)], cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=log)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the server did not start: see {self.log_path}")
        self.port = int(line)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()


class Killer(requests.Session):
    """A real session that kills the server a moment after the chosen request set off."""

    def __init__(self, server: ServerProcess, moment: str, rng: random.Random):
        super().__init__()
        self.trust_env = False
        self.server, self.moment, self.rng = server, moment, rng
        self.sent, self.timer, self.aimed_at = 0, None, None
        self.chosen = rng.randint(1, 12)  # for "anywhere": the nth request

    def send(self, request, **kwargs):
        self.sent += 1
        if self.timer is None and self._is_the_moment(request):
            delay = self.rng.uniform(0, 0.25 if self.moment == "mid-push" else 0.02)
            self.aimed_at = (f"{delay * 1000:.0f} ms after request {self.sent} {request.method} "
                             f"{urlsplit(request.url).path[:24]}… set off ({self.moment})")
            self.timer = threading.Timer(delay, self.server.kill)
            self.timer.start()
        return super().send(request, **kwargs)

    def call_off(self) -> None:
        """A kill that has not come yet (the sync was quicker) will not come later."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer.join()

    def _is_the_moment(self, request) -> bool:
        path, query = urlsplit(request.url).path, urlsplit(request.url).query
        if self.moment == "mid-push":
            return path == "/api/sync/push"
        if self.moment == "mid-upload":
            return path.endswith("/chunks") and f"offset={CHUNK_SIZE}&" in query + "&"
        return self.sent == self.chosen


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    process = ServerProcess(app, tmp_path_factory.mktemp("server") / "server.log")
    try:
        process.start()
        yield process
    finally:
        process.kill()


@pytest.fixture
def field(app, tmp_path, gas_answers, make_estate, make_building, make_community, make_user,
          make_round, monkeypatch):
    return FieldTrial(app, tmp_path, gas_answers, make_estate, make_building, make_community,
                      make_user, make_round, monkeypatch)


def hundred_operations(seed: int):
    """About a hundred operations and a dozen photos, at least one of them sent in pieces."""
    plan = scenario(seed, operations=(95, 100), photos=(10, 12))
    return replace(plan, photos=(PlannedPhoto(0, True, False), *plan.photos[1:]))


def stored_operations(run) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SyncOperation).where(
        SyncOperation.id.in_(run.workload.operation_ids)))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_server_killed_mid_sync_and_restarted_loses_and_doubles_nothing(field, server, seed):
    rng = random.Random(f"kill-{seed}")
    moment = ("mid-push", "mid-upload", "anywhere")[seed % 3]
    plan = hundred_operations(seed)
    server.ensure_running()
    session = Killer(server, moment, rng)
    run = field.start(plan, session=session, base_url=server.url)
    kills, started = server.kills, time.perf_counter()
    report = run.client.sync(run.outbox, pull=True)
    session.call_off()
    killed = (f"killed {session.aimed_at}" if server.kills > kills else "killed after the sync")
    killed += (f"; the first sync took {time.perf_counter() - started:.2f} s and stopped with "
               f"{report.stopped!r}")
    server.kill()  # if it was quicker than the kill
    killed += f"; the server held {stored_operations(run)} of {len(plan.operations)} operations"
    print(killed)
    server.start()
    run.syncs = 1 + sync_until_done(run.client, run.outbox)
    run.problems = field.judge(run)
    field.compare_with_clean_twins([plan], [run])
    assert run.problems == [], f"seed={seed} {killed}\n  " + "\n  ".join(run.problems)
