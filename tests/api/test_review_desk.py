"""The review desk: the queue, the finding page, decisions, scope, staleness, escaping."""
import threading

import pytest
from sqlalchemy import select

from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.decisions import version_of
from server.findings.models import Finding, Review
from server.syncing.models import Change


@pytest.fixture
def building(make_building):
    return make_building(number="3#")


@pytest.fixture
def finding(make_finding, building):
    return make_finding(building, description="踏步缺角")


def decide(client, csrf_from, finding, decision, reason=None, version=None, csrf=True):
    page = f"/desk/review/findings/{finding.uuid}"
    data = {"decision": decision, "version": version or version_of(finding)}
    if reason is not None:
        data["reason"] = reason
    if csrf:
        data["csrf_token"] = csrf_from(page)
    return client.post(f"{page}/decision", data=data)


def test_queue_lists_pending_findings_in_scope(sign_in, reviewer, finding):
    page = sign_in(reviewer).get("/desk/review/")
    assert page.status_code == 200
    assert "踏步缺角" in page.get_data(as_text=True)


def test_queue_hides_findings_outside_a_workers_communities(sign_in, make_user, make_community,
                                                            finding):
    outsider = make_user(Role.WORKER, communities=[make_community("别处社区")])
    page = sign_in(outsider).get("/desk/review/")
    assert "踏步缺角" not in page.get_data(as_text=True)


def test_queue_filters_by_indicator(sign_in, reviewer, make_finding, building):
    make_finding(building, indicator=4, check_item="外墙渗漏", description="四号指标")
    make_finding(building, indicator=3, description="三号指标")
    text = sign_in(reviewer).get("/desk/review/?indicator=4").get_data(as_text=True)
    assert "四号指标" in text and "三号指标" not in text


@pytest.mark.parametrize("query, words", [
    ("indicator=abc", "指标：应为整数"),
    ("indicator=42", "指标"),
    ("date_from=2024-08-01&date_to=2024-07-01", "开始日期不能晚于结束日期"),
    ("date_from=yesterday", "应为日期"),
    ("colour=red", "不认识的参数"),
])
def test_nonsense_queue_filters_get_a_clear_400(sign_in, reviewer, query, words):
    page = sign_in(reviewer).get(f"/desk/review/?{query}")
    assert page.status_code == 400
    assert words in page.get_data(as_text=True)


def test_field_text_is_escaped_on_the_finding_page_and_queue(sign_in, reviewer, make_finding,
                                                             building):
    hostile = make_finding(building, description="<script>alert(1)</script>")
    client = sign_in(reviewer)
    for url in (f"/desk/review/findings/{hostile.uuid}", "/desk/review/"):
        text = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)" in text


def test_accepting_writes_a_review_the_status_the_audit_log_and_the_feed(
        client, sign_in, csrf_from, reviewer, finding):
    sign_in(reviewer)
    before = db.session.scalar(select(db.func.count(Change.id)))
    response = decide(client, csrf_from, finding, "accept")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "accepted"
    review = db.session.scalar(select(Review))
    assert (review.decision, review.reviewer_id) == ("accept", reviewer.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "finding.accept"))
    assert entry.actor_id == reviewer.id and entry.details["status"] == ["pending", "accepted"]
    feed = db.session.scalars(select(Change).where(Change.entity_id == finding.uuid)).all()
    assert db.session.scalar(select(db.func.count(Change.id))) > before and feed


def test_sending_back_needs_a_reason(client, sign_in, csrf_from, reviewer, finding):
    sign_in(reviewer)
    response = decide(client, csrf_from, finding, "return", reason="  ")
    assert response.status_code == 422
    assert "须填写原因" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_sending_back_with_a_reason_reaches_the_finding(client, sign_in, csrf_from, reviewer,
                                                        finding):
    sign_in(reviewer)
    assert decide(client, csrf_from, finding, "return", reason="照片模糊，请补拍").status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "returned"
    assert db.session.scalar(select(Review.reason)) == "照片模糊，请补拍"


def test_a_decision_on_a_finding_changed_since_the_page_loaded_is_refused(
        client, sign_in, csrf_from, reviewer, finding):
    sign_in(reviewer)
    stale = version_of(finding)
    finding.location_detail = "二单元三层"  # the worker corrected it meanwhile
    db.session.commit()
    response = decide(client, csrf_from, finding, "accept", version=stale)
    assert response.status_code == 409
    assert "已被修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"
    assert db.session.scalar(select(Review)) is None


def test_a_worker_cannot_decide(client, sign_in, csrf_from, make_user, building, finding):
    worker = make_user(Role.WORKER, communities=[building.estate.community])
    sign_in(worker)
    response = decide(client, csrf_from, finding, "accept")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_a_reviewer_cannot_decide_outside_their_county(client, sign_in, csrf_from, make_user,
                                                       make_community, make_county,
                                                       make_estate, make_building,
                                                       make_finding):
    elsewhere = make_community("外县社区", town_name="外县镇", county=make_county("外县", "999999"))
    foreign = make_finding(make_building(estate=make_estate(community=elsewhere)))
    reviewer = make_user(Role.REVIEWER)  # of 夏县
    sign_in(reviewer)
    page = f"/desk/review/findings/{foreign.uuid}"
    refused = client.get(page)
    assert refused.status_code == 404 and "外县" not in refused.get_data(as_text=True)
    token = csrf_from("/desk/review/")
    response = client.post(f"{page}/decision", data={"decision": "accept", "csrf_token": token,
                                                     "version": version_of(foreign)})
    assert response.status_code == 404


def test_a_decision_without_the_csrf_token_is_refused(client, sign_in, csrf_from, reviewer,
                                                       finding):
    sign_in(reviewer)
    response = decide(client, csrf_from, finding, "accept", csrf=False)
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_bulk_accept_confirms_fresh_findings_and_skips_stale_ones(
        client, sign_in, csrf_from, reviewer, make_finding, building):
    fresh, stale = make_finding(building), make_finding(building)
    old_version = version_of(stale)
    stale.description = "改过了"
    db.session.commit()
    sign_in(reviewer)
    response = client.post("/desk/review/bulk-accept", data={
        "csrf_token": csrf_from("/desk/review/"),
        "finding": [f"{fresh.uuid}|{version_of(fresh)}", f"{stale.uuid}|{old_version}"]},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已批量确认 1 条问题" in text and "已被修改" in text
    db.session.expire_all()
    assert db.session.get(Finding, fresh.id).status == "accepted"
    assert db.session.get(Finding, stale.id).status == "pending"


def test_changing_the_class_needs_a_reason_and_is_audited(client, sign_in, csrf_from,
                                                           reviewer, finding):
    sign_in(reviewer)
    page = f"/desk/review/findings/{finding.uuid}"
    data = {"problem_class": "尽力解决", "version": version_of(finding),
            "csrf_token": csrf_from(page)}
    assert client.post(f"{page}/class", data=data).status_code == 422
    assert client.post(f"{page}/class", data={**data, "reason": "不影响安全"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).problem_class == "尽力解决"
    entry = db.session.scalar(select(AuditEntry)
                              .where(AuditEntry.action == "finding.class_changed"))
    assert entry.details == {"problem_class": ["限时解决", "尽力解决"], "reason": "不影响安全"}


def test_verifying_a_rectified_finding_closes_it(client, sign_in, csrf_from, reviewer,
                                                 make_finding, building):
    rectified = make_finding(building, status="rectified")
    sign_in(reviewer)
    assert decide(client, csrf_from, rectified, "verify").status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, rectified.id).status == "verified"


def test_a_pending_finding_cannot_be_verified(client, sign_in, csrf_from, reviewer, finding):
    sign_in(reviewer)
    assert decide(client, csrf_from, finding, "verify").status_code == 409


def test_finding_page_shows_evidence_hash_and_disagreeing_capture(sign_in, reviewer, make_photo,
                                                                  make_finding, building):
    photo = make_photo(original_exif=False, exif_captured_at=None, exif_latitude=None,
                       exif_longitude=None)
    far = make_photo(exif_latitude=35.2)
    shown = make_finding(building, photos=[photo.sha256, far.sha256])
    make_finding(building, photos=[make_photo().sha256], check_item="楼道照明损坏")
    text = sign_in(reviewer).get(f"/desk/review/findings/{shown.uuid}").get_data(as_text=True)
    assert photo.sha256 in text
    assert "原图没有拍摄信息" in text and "EXIF 位置与手机定位相距" in text
    assert "同一楼栋的其他照片" in text and "楼道照明损坏" in text


def test_reviews_api_decides_with_a_version(client, auth_headers, reviewer, finding):
    headers = auth_headers(reviewer)
    url = f"/api/findings/{finding.uuid}/reviews"
    stale = client.post(url, headers=headers, json={"decision": "accept", "version": "old"})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "review.stale"
    response = client.post(url, headers=headers,
                           json={"decision": "resurvey", "reason": "位置不符",
                                 "version": version_of(finding)})
    assert response.status_code == 201
    assert response.json["status"] == "resurvey"


def test_two_reviewers_deciding_at_once_on_one_version_take_turns(app, auth_headers, make_user,
                                                                  finding):
    """Both read the same version; the second to commit is refused, never applied blind."""
    version, url = version_of(finding), f"/api/findings/{finding.uuid}/reviews"
    reviewers = [auth_headers(make_user(Role.REVIEWER)) for _ in range(2)]
    start, answers = threading.Barrier(2), []

    def review(headers, decision, reason):
        client = app.test_client()
        start.wait()
        answers.append(client.post(url, headers=headers, json={
            "decision": decision, "reason": reason, "version": version}).status_code)

    threads = [threading.Thread(target=review, args=(reviewers[0], "return", "照片模糊")),
               threading.Thread(target=review, args=(reviewers[1], "resurvey", "位置不符"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.commit()
    assert sorted(answers) == [201, 409]
    assert db.session.scalar(select(db.func.count()).select_from(Review)) == 1


def test_an_edit_from_the_field_and_a_decision_at_once_never_both_apply(
        app, auth_headers, make_user, make_finding, building):
    """The author corrects a pending finding while a reviewer accepts it: one of the two wins,
    the other is refused (stale decision, or the edit of a confirmed finding)."""
    author = make_user(Role.WORKER, communities=[building.estate.community])
    finding = make_finding(building, author=author, description="踏步缺角")
    finding_uuid, version = finding.uuid, version_of(finding)
    start, answers = threading.Barrier(2), {}

    def accept():
        client = app.test_client()
        start.wait()
        answers["decision"] = client.post(
            f"/api/findings/{finding_uuid}/reviews", headers=auth_headers_of["reviewer"],
            json={"decision": "accept", "version": version}).status_code

    def edit():
        client = app.test_client()
        start.wait()
        response = client.post("/api/sync/push", headers=auth_headers_of["author"], json={
            "operations": [{"op": "finding.update", "id": "0b6f1a52-7f43-4c38-9a55-1d2e3f4a5b6c",
                            "finding": finding_uuid, "changes": {"description": "踏步缺角两处"}}]})
        answers["edit"] = response.json["results"][0]["status"]

    auth_headers_of = {"reviewer": auth_headers(make_user(Role.REVIEWER)),
                       "author": auth_headers(author)}
    threads = [threading.Thread(target=accept), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.commit()
    stored = db.session.scalar(select(Finding).where(Finding.uuid == finding_uuid))
    assert (answers["decision"] == 201) != (answers["edit"] == "applied"), answers
    assert (stored.status, stored.description) in {("accepted", "踏步缺角"),
                                                   ("pending", "踏步缺角两处")}


def test_the_desk_refuses_a_reason_over_500_characters_as_the_api_does(
        client, sign_in, csrf_from, auth_headers, reviewer, finding):
    sign_in(reviewer)
    response = decide(client, csrf_from, finding, "return", reason="模" * 501)
    assert response.status_code == 422
    assert "原因" in response.get_data(as_text=True)
    api = client.post(f"/api/findings/{finding.uuid}/reviews", headers=auth_headers(reviewer),
                      json={"decision": "return", "reason": "模" * 501,
                            "version": version_of(finding)})
    assert api.status_code == 422 and "reason" in api.json["error"]["details"]["fields"]
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_the_desk_refuses_a_deadline_on_a_decision_that_sets_none(client, sign_in, csrf_from,
                                                                  reviewer, finding):
    sign_in(reviewer)
    page = f"/desk/review/findings/{finding.uuid}"
    response = client.post(f"{page}/decision", data={
        "decision": "accept", "version": version_of(finding), "deadline": "2099-01-01",
        "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "只有下达整改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_bulk_accept_with_nothing_ticked_says_so_and_changes_nothing(client, sign_in, csrf_from,
                                                                     reviewer, finding):
    sign_in(reviewer)
    response = client.post("/desk/review/bulk-accept",
                           data={"csrf_token": csrf_from("/desk/review/")},
                           follow_redirects=True)
    assert "请先勾选问题" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"
