"""The world the adversarial tests attack: two communities of one county and a second county,
every kind of object on each side, and a caller of every role.

    side "east"  城东社区 (夏县): estate 东篱花园 managed by 东篱物业, worker A
    side "west"  城西社区 (夏县): estate 西岭小区, worker B
    side "outer" 远山社区 (外县): its own worker and agency
    county-wide  an agency, a reviewer and an admin of 夏县

Each side has a building, a submission and a finding pushed through the real sync, a photo the
finding's author uploaded (`PUT /api/photos/<sha>`, so it is really held), an appraisal with
its PDF (`POST /api/appraisals`) and a follow-up (待专业机构评估) of its submission, open and
unassigned (made as the server makes one: the world's 2024 forms ask for no agency). Every object carries names (estate, building number, community,
description, summary, bytes) that no answer to a caller outside its side may contain.
"""
import io
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from server.accounts.models import Agency, Role
from server.accounts.operations import create_user
from server.extensions import db
from server.findings.decisions import version_of
from server.findings.models import Finding
from server.followups.models import FollowUp
from server.surveys.models import Submission
from server.photos.operations import STORE_EXTENSION
from server.photos.store import DiskPhotoStore
from tests.api.conftest import csrf_from, sign_in  # noqa: F401  (fixtures, shared not copied)
from tests.factories import DEFAULT_PASSWORD, submission_op
from tests.unit.test_photo_samples import plain_jpeg, sha256_of

# Tables whose rows a refused request must leave alone; a reading request may still write its
# token's last use and its device's last pull (server/touches.py), so those are not here.
WATCHED_TABLES = ("buildings", "findings", "finding_photos", "reviews", "rectifications",
                  "submissions", "sync_operations", "audit_log", "photos", "photo_holders",
                  "appraisals", "building_statuses", "status_tallies", "change_log",
                  "follow_ups")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Side:
    """One side's objects (path values by parameter name) and the names that betray them."""
    name: str
    ids: dict
    names: list[str]
    secrets: list[bytes]
    finding_version: str


@dataclass
class Caller:
    name: str
    user: object
    headers: dict
    own: tuple[str, ...]           # the sides it may see
    foreign: tuple[str, ...]       # the sides it must not


@dataclass
class World:
    sides: dict[str, Side]
    callers: dict[str, Caller]


@pytest.fixture(autouse=True)
def photo_store(app, tmp_path, monkeypatch):
    """Photos of this test only, so an upload is always a first upload."""
    monkeypatch.setitem(app.extensions, STORE_EXTENSION, DiskPhotoStore(tmp_path / "media"))


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """The world's eight accounts sign in with bearer tokens and sessions, never a password, so
    their passwords are hashed cheaply (one scrypt costs about 0.3 s on this machine)."""
    monkeypatch.setattr("server.accounts.operations.hash_password",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1"))


@pytest.fixture
def world(client, make_county, make_community, make_estate, make_building, make_property_company,
          make_user, make_round, auth_headers, gas_answers) -> World:
    make_round()
    home = make_county()
    outer_county = make_county("外县", "149999")
    company = make_property_company("东篱物业")
    east = make_building(make_estate("东篱花园", make_community("城东社区"), company), "东A3#")
    west = make_building(make_estate("西岭小区", make_community("城西社区")), "西B7#")
    outer = make_building(make_estate("远山新村", make_community("远山社区", "远山镇",
                                                                  county=outer_county)), "外C9#")
    worker_a = make_user(Role.WORKER, communities=[east.estate.community])
    worker_b = make_user(Role.WORKER, communities=[west.estate.community])
    agency = make_user(Role.AGENCY)
    outer_worker = _outer_user(Role.WORKER, outer_county, communities=[outer.estate.community])
    outer_agency = _outer_user(Role.AGENCY, outer_county, agency=Agency(
        county_id=outer_county.id, name="远山房屋鉴定所"))
    # A side's names (夏县 and 瑶峰镇 are both 城东's and 城西's, so they betray neither).
    sides = {
        "east": _furnish(client, auth_headers, gas_answers, "east", east, worker_a, agency,
                         size=(640, 480), names=["东篱花园", "东A3#", "城东社区", "东篱物业"]),
        "west": _furnish(client, auth_headers, gas_answers, "west", west, worker_b, agency,
                         size=(642, 480), names=["西岭小区", "西B7#", "城西社区"]),
        "outer": _furnish(client, auth_headers, gas_answers, "outer", outer, outer_worker,
                          outer_agency, size=(644, 480),
                          names=["远山新村", "外C9#", "远山社区", "远山镇", "外县",
                                 "远山房屋鉴定所"]),
    }
    callers = [
        Caller("worker_a", worker_a, auth_headers(worker_a), ("east",), ("west", "outer")),
        Caller("worker_b", worker_b, auth_headers(worker_b), ("west",), ("east", "outer")),
        Caller("property", (p := make_user(Role.PROPERTY, property_company=company)),
               auth_headers(p), ("east",), ("west", "outer")),
        Caller("agency", agency, auth_headers(agency), ("east", "west"), ("outer",)),
        Caller("reviewer", (r := make_user(Role.REVIEWER)), auth_headers(r), ("east", "west"),
               ("outer",)),
        Caller("admin", (a := make_user(Role.ADMIN)), auth_headers(a), ("east", "west"),
               ("outer",)),
    ]
    assert home.id != outer_county.id
    for side, account in (("east", worker_a), ("west", worker_b), ("outer", outer_worker)):
        sides[side].ids["user_id"] = account.id  # an account of that side (/…/accounts/<id>)
    return World(sides, {c.name: c for c in callers})


def _outer_user(role, county, **links):
    user = create_user(username=f"outer-{role}", password=DEFAULT_PASSWORD,
                       display_name="外县用户", role=role, county=county, **links)
    db.session.commit()
    return user


def _furnish(client, auth_headers, gas_answers, name, building, author, agency, *, size,
             names) -> Side:
    """A side's submission, finding, photo and appraisal, made through the API as real
    clients make them."""
    headers = auth_headers(author)
    photo = plain_jpeg(size)
    sha = sha256_of(photo)
    upload = client.put(f"/api/photos/{sha}", data=photo, content_type="image/jpeg",
                        headers=headers)
    assert upload.status_code == 201, upload.json
    description = f"{names[0]}三单元楼梯扶手断裂（{name}）"
    submission = submission_op(building, gas_answers())
    finding_id = str(uuid.uuid4())
    pushed = client.post("/api/sync/push", headers=headers, json={"operations": [
        submission,
        {"op": "finding.report", "id": finding_id, "building_id": building.id, "indicator": 3,
         "check_item": "楼梯踏步损坏", "description": description, "photos": [sha],
         "captured_at": "2024-07-01T09:30:00+08:00"}]})
    assert [r["status"] for r in pushed.json["results"]] == ["applied", "applied"], pushed.json
    summary = f"{names[0]}承重墙贯通裂缝鉴定意见"
    appraisal_id = str(uuid.uuid4())
    pdf = PDF + f"% {name} {appraisal_id}\n".encode()
    appraised = client.post("/api/appraisals", headers=auth_headers(agency),
                            content_type="multipart/form-data", data={
                                "uuid": appraisal_id, "building_id": str(building.id),
                                "indicator": "1", "conclusion": "hazard", "grade": "C",
                                "appraised_on": "2024-06-20", "summary": summary,
                                "document": (io.BytesIO(pdf), f"{names[0]}鉴定.pdf")})
    assert appraised.status_code == 201, appraised.json
    finding = db.session.scalar(sa.select(Finding).where(Finding.uuid == finding_id))
    follow_up = FollowUp(submission=db.session.scalar(sa.select(Submission).where(
        Submission.uuid == submission["id"])), round_id=finding.round_id, building_id=building.id,
        indicator=2, question_id="riser_assessment", reason=f"{names[0]}燃气立管需专业机构评估")
    db.session.add(follow_up)
    db.session.commit()
    return Side(name=name, names=[*names, description, summary, follow_up.reason], secrets=[photo, pdf],
                finding_version=version_of(finding),
                ids={"building_id": building.id, "estate_id": building.estate_id,
                     "community_id": building.estate.community_id, "finding_uuid": finding_id,
                     "submission_uuid": submission["id"], "appraisal_uuid": appraisal_id,
                     "sha": sha, "follow_up_id": follow_up.id})


@pytest.fixture
def openapi(client) -> dict:
    return client.get("/api/openapi.json").json


@pytest.fixture
def digest(app):
    """A cheap fingerprint of the watched tables (rows and latest change of each), read on a
    connection of its own so that it sees what the requests committed."""
    metadata = db.metadata.tables
    parts = []
    for name in WATCHED_TABLES:
        table = metadata[name]
        parts.append(sa.select(sa.func.count()).select_from(table).scalar_subquery())
        for column in ("updated_at", "created_at", "at", "received_at", "seq"):
            if column in table.c:
                parts.append(sa.select(sa.func.max(table.c[column])).scalar_subquery())
    query = sa.select(*parts)

    def take() -> tuple:
        with db.engine.connect() as connection:
            return tuple(connection.execute(query).one())
    return take
