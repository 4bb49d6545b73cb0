"""The bureau's rectification decisions: 下达整改 with a deadline, moving the deadline,
整改不合格, in bulk, and through the API; scope, staleness and CSRF as for every decision."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.decisions import version_of
from server.findings.models import Finding, FindingPhoto, Rectification
from sync.china_time import china_today


@pytest.fixture
def building(make_building):
    return make_building(number="3#")


@pytest.fixture
def accepted(make_finding, building):
    return make_finding(building, status="accepted", problem_class="限时解决")


def in_days(days: int) -> str:
    return (china_today() + timedelta(days=days)).isoformat()


def rectification(client, csrf_from, finding, decision, *, deadline=None, reason=None,
                  version=None, csrf=True):
    page = f"/desk/review/findings/{finding.uuid}"
    data = {"decision": decision, "version": version or version_of(finding)}
    if deadline is not None:
        data["deadline"] = deadline
    if reason is not None:
        data["reason"] = reason
    if csrf:
        data["csrf_token"] = csrf_from(page)
    return client.post(f"{page}/decision", data=data)


def reloaded(finding) -> Finding:
    db.session.expire_all()
    return db.session.get(Finding, finding.id)


def test_starting_rectification_sets_status_deadline_and_audit(client, sign_in, csrf_from,
                                                               reviewer, accepted):
    sign_in(reviewer)
    response = rectification(client, csrf_from, accepted, "rectify", deadline=in_days(30),
                             reason="物业公司更换踏步")
    assert response.status_code == 302
    finding = reloaded(accepted)
    assert (finding.status, finding.deadline.isoformat()) == ("rectifying", in_days(30))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "finding.rectify"))
    assert entry.actor_id == reviewer.id
    assert entry.details["status"] == ["accepted", "rectifying"]
    assert entry.details["deadline"] == [None, in_days(30)]
    assert entry.details["reason"] == "物业公司更换踏步"


def test_starting_rectification_of_a_time_limited_problem_requires_a_deadline(
        client, sign_in, csrf_from, reviewer, accepted):
    sign_in(reviewer)
    response = rectification(client, csrf_from, accepted, "rectify")
    assert response.status_code == 422
    assert "须填写整改完成时限" in response.get_data(as_text=True)
    assert reloaded(accepted).status == "accepted"


def test_a_best_effort_problem_can_start_rectification_without_deadline(
        client, sign_in, csrf_from, reviewer, make_finding, building):
    best_effort = make_finding(building, status="accepted", problem_class="尽力解决")
    sign_in(reviewer)
    assert rectification(client, csrf_from, best_effort, "rectify").status_code == 302
    finding = reloaded(best_effort)
    assert (finding.status, finding.deadline) == ("rectifying", None)


def test_a_deadline_in_the_past_is_refused(client, sign_in, csrf_from, reviewer, accepted):
    sign_in(reviewer)
    response = rectification(client, csrf_from, accepted, "rectify", deadline=in_days(-1))
    assert response.status_code == 422
    assert "不能早于今天" in response.get_data(as_text=True)
    assert reloaded(accepted).deadline is None


def test_todays_date_is_an_acceptable_deadline(client, sign_in, csrf_from, reviewer, accepted):
    sign_in(reviewer)
    assert rectification(client, csrf_from, accepted, "rectify",
                         deadline=in_days(0)).status_code == 302


def test_a_pending_finding_cannot_start_rectification(client, sign_in, csrf_from, reviewer,
                                                      make_finding, building):
    pending = make_finding(building)
    sign_in(reviewer)
    response = rectification(client, csrf_from, pending, "rectify", deadline=in_days(10))
    assert response.status_code == 409
    assert reloaded(pending).status == "pending"


def test_changing_the_deadline_needs_a_reason_and_is_audited(client, sign_in, csrf_from,
                                                             reviewer, make_finding, building):
    ongoing = make_finding(building, status="rectifying",
                           deadline=china_today() + timedelta(days=5))
    sign_in(reviewer)
    assert rectification(client, csrf_from, ongoing, "deadline",
                         deadline=in_days(40)).status_code == 422
    assert rectification(client, csrf_from, ongoing, "deadline", deadline=in_days(40),
                         reason="冬季不宜施工").status_code == 302
    finding = reloaded(ongoing)
    assert (finding.status, finding.deadline.isoformat()) == ("rectifying", in_days(40))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "finding.deadline"))
    assert entry.details["deadline"] == [in_days(5), in_days(40)]
    assert entry.details["reason"] == "冬季不宜施工"


def test_failed_rectification_returns_to_rectifying_and_keeps_after_photos(
        client, sign_in, csrf_from, reviewer, make_finding, building):
    done = make_finding(building, status="rectified", deadline=china_today() + timedelta(days=3))
    report = Rectification(uuid="7d1c7a4e-0000-4000-8000-000000000001", finding_id=done.id,
                           author_id=done.author_id, note="已修补")
    report.photos.append(FindingPhoto(finding_id=done.id, sha256="ab" * 32))
    db.session.add(report)
    db.session.commit()
    sign_in(reviewer)
    assert rectification(client, csrf_from, done, "reject_rectification").status_code == 422
    assert rectification(client, csrf_from, done, "reject_rectification",
                         reason="踏步仍有缺角").status_code == 302
    finding = reloaded(done)
    assert (finding.status, finding.deadline.isoformat()) == ("rectifying", in_days(3))
    assert [p.sha256 for r in finding.rectifications for p in r.photos] == ["ab" * 32]
    page = client.get(f"/desk/review/findings/{done.uuid}").get_data(as_text=True)
    assert "整改不合格" in page and "踏步仍有缺角" in page


def test_a_stale_rectification_decision_is_refused(client, sign_in, csrf_from, reviewer,
                                                   accepted):
    sign_in(reviewer)
    stale = version_of(accepted)
    accepted.location_detail = "二单元"
    db.session.commit()
    response = rectification(client, csrf_from, accepted, "rectify", deadline=in_days(9),
                             version=stale)
    assert response.status_code == 409 and "已被修改" in response.get_data(as_text=True)
    assert reloaded(accepted).status == "accepted"


def test_a_worker_cannot_start_rectification(client, sign_in, csrf_from, make_user, building,
                                             accepted):
    sign_in(make_user(Role.WORKER, communities=[building.estate.community]))
    response = rectification(client, csrf_from, accepted, "rectify", deadline=in_days(9))
    assert response.status_code == 403
    assert reloaded(accepted).status == "accepted"


def test_a_reviewer_of_another_county_cannot_start_rectification(
        client, sign_in, csrf_from, make_user, make_community, make_county, make_estate,
        make_building, make_finding):
    elsewhere = make_community("外县社区", town_name="外县镇", county=make_county("外县", "999999"))
    foreign = make_finding(make_building(estate=make_estate(community=elsewhere)),
                           status="accepted")
    sign_in(make_user(Role.REVIEWER))
    response = client.post(f"/desk/review/findings/{foreign.uuid}/decision", data={
        "decision": "rectify", "deadline": in_days(9), "version": version_of(foreign),
        "csrf_token": csrf_from("/desk/review/")})
    assert response.status_code == 404
    assert reloaded(foreign).status == "accepted"


def test_a_rectification_decision_without_csrf_token_is_refused(client, sign_in, csrf_from,
                                                                reviewer, accepted):
    sign_in(reviewer)
    response = rectification(client, csrf_from, accepted, "rectify", deadline=in_days(9),
                             csrf=False)
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert reloaded(accepted).status == "accepted"


def test_bulk_rectification_starts_fresh_findings_and_skips_stale_ones(
        client, sign_in, csrf_from, reviewer, make_finding, building):
    fresh, stale = (make_finding(building, status="accepted") for _ in range(2))
    old_version = version_of(stale)
    stale.description = "改过了"
    db.session.commit()
    sign_in(reviewer)
    listing = "/desk/rectification/findings?state=accepted"
    response = client.post("/desk/review/bulk-rectify", data={
        "csrf_token": csrf_from(listing), "deadline": in_days(20),
        "finding": [f"{fresh.uuid}|{version_of(fresh)}", f"{stale.uuid}|{old_version}"]},
        headers={"Referer": listing}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已对 1 条问题下达整改" in text and "已被修改" in text
    assert reloaded(fresh).status == "rectifying"
    assert reloaded(stale).status == "accepted"


def test_bulk_rectification_with_a_past_deadline_changes_nothing(
        client, sign_in, csrf_from, reviewer, accepted):
    sign_in(reviewer)
    response = client.post("/desk/review/bulk-rectify", data={
        "csrf_token": csrf_from("/desk/review/"), "deadline": in_days(-2),
        "finding": [f"{accepted.uuid}|{version_of(accepted)}"]}, follow_redirects=True)
    assert "不能早于今天" in response.get_data(as_text=True)
    assert reloaded(accepted).status == "accepted"


def test_api_starts_rectification_with_a_deadline(client, auth_headers, reviewer, accepted):
    response = client.post(f"/api/findings/{accepted.uuid}/reviews",
                           headers=auth_headers(reviewer),
                           json={"decision": "rectify", "deadline": in_days(15),
                                 "version": version_of(accepted)})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "rectifying"
    assert response.json["deadline"] == in_days(15)
    assert reloaded(accepted).deadline.isoformat() == in_days(15)


def test_api_refuses_a_deadline_on_an_ordinary_decision(client, auth_headers, reviewer,
                                                        make_finding, building):
    pending = make_finding(building)
    response = client.post(f"/api/findings/{pending.uuid}/reviews",
                           headers=auth_headers(reviewer),
                           json={"decision": "accept", "deadline": in_days(15),
                                 "version": version_of(pending)})
    assert response.status_code == 422
    assert "deadline" in response.json["error"]["details"]["fields"]


def test_api_refuses_a_stale_rectification_decision(client, auth_headers, reviewer, accepted):
    response = client.post(f"/api/findings/{accepted.uuid}/reviews",
                           headers=auth_headers(reviewer),
                           json={"decision": "rectify", "deadline": in_days(15),
                                 "version": "old"})
    assert response.status_code == 409 and response.json["error"]["code"] == "review.stale"


def test_reason_text_is_escaped_in_the_decision_history(client, sign_in, csrf_from, reviewer,
                                                        accepted):
    sign_in(reviewer)
    rectification(client, csrf_from, accepted, "rectify", deadline=in_days(9),
                  reason="<script>alert(1)</script>")
    text = client.get(f"/desk/review/findings/{accepted.uuid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)" in text
