"""Pull carries what a phone needs to show a confirmed problem's rectification: its deadline
(整改完成时限), its status, and once reported, the day it was fixed."""
import uuid
from datetime import date

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.findings.decisions import decide, version_of
from server.findings.models import Finding
from tests.factories import submission_op
from tests.sync.test_pull import pull_all


@pytest.fixture
def community(make_community):
    return make_community("城东社区")


@pytest.fixture
def building(make_estate, make_building, community):
    return make_building(make_estate("达明新村", community), "1#", year_built=1990)


@pytest.fixture
def worker(make_user, auth_headers, community, make_round):
    make_round()
    return auth_headers(make_user(Role.WORKER, communities=[community]))


@pytest.fixture
def confirmed_finding(push, worker, building, gas_answers):
    """A rubber-hose finding the bureau has confirmed (已确认)."""
    push(worker, submission_op(building, gas_answers(
        rubber_hose=True, rubber_hose_households=1, rubber_hose_location={"unit": "1单元"},
        rubber_hose_photos=["a" * 64])))
    finding = db.session.scalar(db.select(Finding))
    finding.status = "accepted"
    db.session.commit()
    return finding


def finding_changes(client, worker, cursor=None):
    changes, cursor = pull_all(client, worker, cursor)
    return [c["data"] for c in changes if c["kind"] == "finding"], cursor


def test_pulled_finding_without_a_deadline_says_null(client, worker, confirmed_finding):
    [data], _ = finding_changes(client, worker)
    assert data["deadline"] is None and data["rectified_on"] is None
    assert (data["status"], data["status_label"]) == ("accepted", "已确认")


def test_deadline_set_by_the_bureau_reaches_the_phone_as_an_iso_date(client, worker,
                                                                     confirmed_finding):
    _, cursor = finding_changes(client, worker)
    confirmed_finding.deadline = date(2024, 9, 30)
    confirmed_finding.status = "rectifying"
    db.session.commit()
    [data], _ = finding_changes(client, worker, cursor)
    assert data["deadline"] == "2024-09-30"
    assert (data["status"], data["status_label"]) == ("rectifying", "整改中")


def test_reported_rectification_comes_back_as_rectified_with_its_day(client, push, worker,
                                                                     confirmed_finding):
    confirmed_finding.deadline = date(2024, 9, 30)
    db.session.commit()
    _, cursor = finding_changes(client, worker)
    [result] = push(worker, {"op": "rectification.report", "id": str(uuid.uuid4()),
                             "finding": confirmed_finding.uuid, "note": "已更换金属波纹管",
                             "photos": ["b" * 64], "rectified_on": "2024-08-15"}).json["results"]
    assert result["status"] == "applied", result
    [data], _ = finding_changes(client, worker, cursor)
    assert (data["status"], data["status_label"]) == ("rectified", "已整改")
    assert data["rectified_on"] == "2024-08-15" and data["deadline"] == "2024-09-30"
    assert data["photos"] == ["a" * 64]  # the evidence only: after-photos hang off the report


def test_a_rejected_rectification_reaches_the_phone_with_the_reviewers_reason(
        client, push, worker, confirmed_finding, make_user):
    push(worker, {"op": "rectification.report", "id": str(uuid.uuid4()),
                  "finding": confirmed_finding.uuid, "photos": ["b" * 64],
                  "rectified_on": "2024-08-15"})
    _, cursor = finding_changes(client, worker)
    db.session.refresh(confirmed_finding)
    decide(make_user(Role.REVIEWER), confirmed_finding.uuid, "reject_rectification",
           "软管仍未更换", version_of(confirmed_finding))
    db.session.commit()
    [data], _ = finding_changes(client, worker, cursor)
    assert (data["status"], data["review_reason"]) == ("rectifying", "软管仍未更换")
