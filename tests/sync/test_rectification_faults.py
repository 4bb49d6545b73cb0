"""A rectification report (整改上报) with its after-photos reaches the server exactly once,
whatever the network does: the same seeded faults as the survey scenarios (cuts before, during
and after a request; duplicates, replays, 503s, a server that dies mid-request), 100 seeds.
A failure names its seed and faults; replay one with LOUJIAN_FAULT_SEED=<n>."""
import os
import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.accounts.models import Role
from server.accounts.operations import issue_token
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.models import Finding, FindingPhoto, Rectification
from server.photos.models import Photo
from server.photos.operations import photo_store
from sync.client import SyncClient
from sync.outbox import Outbox
from sync.photo_files import describe_photo
from tests.sync.exactly_once import sync_until_done
from tests.sync.faults import (
    BASE_URL,
    CHUNK_SIZE,
    AppTransport,
    FaultyAdapter,
    PlannedPhoto,
    ServerCrashes,
    photo_bytes,
    session_on,
)

SEEDS = [int(s) for s in os.environ["LOUJIAN_FAULT_SEED"].split(",")] \
    if os.environ.get("LOUJIAN_FAULT_SEED") else range(100)


@pytest.fixture
def device(app, tmp_path, make_round, make_estate, make_building, make_user, monkeypatch):
    """A worker's phone, and a way to give it a confirmed problem to fix on a fresh building."""
    survey_round = make_round()
    estate = make_estate()
    worker = make_user(Role.WORKER, communities=[estate.community])
    token, _ = issue_token(worker, timedelta(days=1))
    db.session.commit()
    crashes = ServerCrashes(monkeypatch)

    def confirmed_problem():
        finding = Finding(uuid=str(uuid.uuid4()), round_id=survey_round.id,
                          building=make_building(estate), indicator=2,
                          check_item="燃气用户使用橡胶软管", severity="严重",
                          problem_class="限时解决", status="rectifying", author_id=worker.id)
        db.session.add(finding)
        db.session.commit()
        return finding.uuid

    def client_for(seed, outbox_path):
        adapter = FaultyAdapter(AppTransport(app), random.Random(f"rectify-{seed}"),
                                probability=0.35, budget=6, crashes=crashes)
        client = SyncClient(BASE_URL, token, session=session_on(adapter), sleep=adapter.sleep,
                            rng=random.Random(seed), chunk_size=CHUNK_SIZE)
        return client, adapter

    return confirmed_problem, client_for, tmp_path


def after_photo(folder, seed):
    """A phone JPEG, or a PNG large enough to go up in chunks, for this seed."""
    planned = PlannedPhoto(1000 + seed, seed % 3 == 0, seed % 3 == 0)
    path = folder / f"after-{seed}"
    path.write_bytes(photo_bytes(seed, planned))
    return describe_photo(path)


def problems_after(seed, finding_uuid, report_id, photo) -> list[str]:
    db.session.rollback()
    problems = []
    reports = db.session.scalars(select(Rectification).where(Rectification.uuid == report_id)).all()
    if len(reports) != 1:
        problems.append(f"{len(reports)} rectification rows")
    links = db.session.scalar(select(func.count()).select_from(FindingPhoto)
                              .where(FindingPhoto.sha256 == photo.sha256,
                                     FindingPhoto.rectification_id.is_not(None)))
    if links != 1:
        problems.append(f"{links} after-photo links")
    if db.session.scalar(select(func.count()).select_from(Photo)
                         .where(Photo.sha256 == photo.sha256)) != 1:
        problems.append("the photo is not stored once")
    else:
        with photo_store().open(photo.sha256, "original") as stored:
            if stored.read() != photo.path.read_bytes():
                problems.append("the stored photo differs from the phone's")
    status = db.session.scalar(select(Finding.status).where(Finding.uuid == finding_uuid))
    if status != "rectified":
        problems.append(f"finding is {status}")
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "finding.rectified", AuditEntry.entity_id == finding_uuid))
    if audited != 1:
        problems.append(f"{audited} audit entries")
    return problems


def test_rectification_reports_arrive_exactly_once_whatever_the_network_does(device):
    confirmed_problem, client_for, folder = device
    failures, faults_struck = [], set()
    for seed in SEEDS:
        finding_uuid = confirmed_problem()
        photo = after_photo(folder, seed)
        report_id = str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))
        with Outbox(folder / f"outbox-{seed}.sqlite3") as outbox:
            outbox.add({"op": "rectification.report", "id": report_id, "finding": finding_uuid,
                        "note": "已更换为金属波纹管", "photos": [photo.sha256],
                        "rectified_on": "2024-08-15"}, photos=[photo])
            client, adapter = client_for(seed, outbox)
            try:
                sync_until_done(client, outbox)
                adapter.flush_held()
                problems = problems_after(seed, finding_uuid, report_id, photo)
            except Exception as error:  # noqa: BLE001 — reported with the seed and its faults
                db.session.rollback()
                problems = [f"{type(error).__name__}: {error}"]
        if problems:
            failures.append(f"seed={seed} faults={adapter.faults}: {problems}")
        faults_struck.update(fault.split()[0] for fault in adapter.faults)
    assert failures == [], "\n".join(failures[:10])
    assert len(faults_struck) >= 6, faults_struck  # the network really misbehaved, many ways
