"""Devices pull while others push, against a real multi-threaded server: no request fails.

On SQLite a transaction that reads and then writes cannot wait for another writer (SQLite answers
"database is locked" at once), so a pull that noted in its own transaction when the device last
pulled, or when its token was last used, failed as soon as pushes ran beside it. A reading request
now stays a reader; that bookkeeping is written after it, in a short transaction of its own
(server/touches.py). The same run on PostgreSQL must not fail either.

LOUJIAN_CONCURRENCY_SECONDS shortens (or lengthens) the run; 20 s by default.
"""
import os
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests

from server.accounts import auth
from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from server.surveys.models import Submission
from server.syncing.models import Device
from tests.factories import submission_op

SECONDS = float(os.environ.get("LOUJIAN_CONCURRENCY_SECONDS", "20"))
WRITERS, PULLERS = 2, 4


@pytest.fixture
def field_team(make_round, make_community, make_estate, make_building, make_user, auth_headers):
    make_round()
    community = make_community()
    estate = make_estate(community=community)
    building_ids = [make_building(estate).id for _ in range(WRITERS)]
    team = [auth_headers(make_user(Role.WORKER, communities=[community]))
            for _ in range(WRITERS + PULLERS)]
    db.session.commit()  # the server's threads read what the test made
    return building_ids, team[:WRITERS], team[WRITERS:]


def pipe_leak(building_id):
    return {"op": "finding.report", "id": str(uuid.uuid4()), "building_id": building_id,
            "indicator": 6, "question_id": "water_pipes_leaking", "unit": "1单元", "floor": -1,
            "description": "给水管接口渗漏", "captured_at": "2024-07-02T10:00:00+08:00"}


@pytest.mark.slow
def test_devices_pull_while_others_push_and_no_request_fails(live_url, field_team, gas_answers,
                                                             monkeypatch, caplog):
    # Every request notes its token's use, not one in five minutes: the most bookkeeping there is.
    monkeypatch.setattr(auth, "LAST_USED_RESOLUTION", timedelta(0))
    building_ids, writers, pullers = field_team
    answers = gas_answers()
    deadline = time.monotonic() + SECONDS
    tallies, crashed = [], []  # a Counter per thread, summed once they are done
    pulling_devices = [str(uuid.uuid4()) for _ in pullers]

    def writer(tally, headers, building_id):
        session, device = _session(), str(uuid.uuid4())
        for n in _until(deadline):
            operation = (submission_op(SimpleNamespace(id=building_id), answers) if n % 2
                         else pipe_leak(building_id))
            response = session.post(f"{live_url}/api/sync/push", headers=headers, timeout=60,
                                    json={"device_id": device, "operations": [operation]})
            tally["push", response.status_code] += 1
            if response.ok:
                tally[operation["op"], response.json()["results"][0]["status"]] += 1

    def puller(tally, headers, device):
        session, cursor = _session(), "0"
        for _ in _until(deadline):
            response = session.get(f"{live_url}/api/sync/pull", headers=headers, timeout=60,
                                   params={"device_id": device, "cursor": cursor})
            tally["pull", response.status_code] += 1
            if response.ok:
                cursor = response.json()["cursor"]

    def run(work, *args):
        tallies.append(tally := Counter())
        try:
            work(tally, *args)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            crashed.append(repr(error))

    threads = [threading.Thread(target=run, args=(writer, h, b))
               for h, b in zip(writers, building_ids)]
    threads += [threading.Thread(target=run, args=(puller, h, d))
                for h, d in zip(pullers, pulling_devices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)

    tally = sum(tallies, Counter())
    summary = f"{SECONDS:g} s: {dict(sorted(tally.items()))}, crashed {crashed}"
    print(summary)
    assert not crashed, summary
    assert [key for key in tally if key[1] in range(500, 600)] == [], summary
    findings = tally["finding.report", "applied"]
    submissions = tally["submission.create", "applied"]
    assert findings > 0 and submissions > 0 and tally["pull", 200] > 0, summary
    db.session.rollback()  # see what the server's threads committed
    assert (_count(Finding), _count(Submission)) == (findings, submissions)
    pulled = db.session.scalars(db.select(Device).where(Device.id.in_(pulling_devices))).all()
    assert len(pulled) == PULLERS and all(d.last_pull_at is not None for d in pulled)
    assert "bookkeeping not written" not in caplog.text  # it waited its turn, it did not fail


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _until(deadline):
    n = 0
    while time.monotonic() < deadline:
        yield n
        n += 1


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))
