"""Follow-ups (待专业机构评估): a 2025 survey answering 需专业机构评估 opens one; the agency's appraisal
of the building and indicator closes it; a later survey no longer asking withdraws it; the
bureau assigns it; who sees which."""
import io
import uuid

import pytest
from sqlalchemy import select

from server.accounts.models import Agency, Role
from server.extensions import db
from server.findings.models import Finding
from server.followups.models import FollowUp
from tests.api.test_rounds_2025 import gas_2025, recorded

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ASSESS = {"riser_service_year": 1998, "riser_assessment": "assess"}
SOUND = {"riser_service_year": 1998, "riser_assessment": "sound"}


@pytest.fixture
def building(make_building):
    return make_building(year_built=1990, gas_supply="pipeline", floors_above=6)


@pytest.fixture
def worker(make_user, make_round, building):
    make_round(code="2025", system="2025")
    return make_user(Role.WORKER, communities=[building.estate.community],
                     display_name="城东社区管理员")


@pytest.fixture
def survey(push, auth_headers, worker, building):
    """Pushes a 2025 gas survey of the building with these answers, as the worker."""
    def send(answers):
        return recorded(push, auth_headers(worker), gas_2025(building, answers))
    return send


@pytest.fixture
def appraise(client, auth_headers, building):
    def send(agency, indicator=2, conclusion="hazard"):
        return client.post("/api/appraisals", headers=auth_headers(agency),
                           content_type="multipart/form-data", data={
                               "uuid": str(uuid.uuid4()), "building_id": str(building.id),
                               "indicator": str(indicator), "conclusion": conclusion,
                               "appraised_on": "2025-06-20",
                               "document": (io.BytesIO(PDF), "检测报告.pdf")})
    return send


@pytest.fixture
def listed(client, auth_headers):
    def read(user, **query):
        response = client.get("/api/follow-ups", headers=auth_headers(user),
                              query_string=query)
        assert response.status_code == 200, response.json
        return response.json["items"]
    return read


@pytest.fixture
def agency(make_user):
    return make_user(Role.AGENCY)


def test_answering_needs_an_agency_opens_a_follow_up_the_bureau_sees(survey, listed, reviewer,
                                                                      building):
    submission = survey(ASSESS)
    [item] = listed(reviewer)
    assert (item["status"], item["building"], item["indicator"], item["indicator_name"]) == (
        "open", building.label, 2, "燃气安全")
    assert item["question"].startswith("运行满20年的立管")
    assert item["reason"] == "燃气立管运行满20年，需燃气公司或专业机构评估是否存在安全隐患"
    assert (item["reported_by"], item["submission_uuid"]) == ("城东社区管理员", submission.uuid)


def test_an_appraisal_of_the_building_and_indicator_closes_it(survey, appraise, agency,
                                                              listed, reviewer):
    survey(ASSESS)
    response = appraise(agency)
    assert response.status_code == 201, response.json
    assert listed(reviewer) == []
    [item] = listed(reviewer, status="appraised")
    assert item["appraisal_uuid"] == response.json["uuid"] and item["closed_at"]


def test_an_appraisal_of_another_indicator_leaves_it_open(survey, appraise, agency, listed,
                                                          reviewer):
    survey(ASSESS)
    assert appraise(agency, indicator=1).status_code == 201
    assert [i["status"] for i in listed(reviewer)] == ["open"]


def test_a_later_survey_no_longer_asking_withdraws_it(survey, listed, reviewer):
    survey(ASSESS)
    survey(SOUND)
    assert listed(reviewer) == []
    assert [i["status"] for i in listed(reviewer, status="all")] == ["withdrawn"]


def test_a_later_survey_asking_again_keeps_the_one_follow_up(survey, listed, reviewer):
    first = survey(ASSESS)
    survey(ASSESS)
    [item] = listed(reviewer, status="all")
    assert (item["status"], item["submission_uuid"]) == ("open", first.uuid)


def test_an_assigned_follow_up_is_hidden_from_other_agencies(survey, client, auth_headers,
                                                              reviewer, agency, make_user,
                                                              listed):
    other = make_user(Role.AGENCY)
    survey(ASSESS)
    follow_up = db.session.scalar(select(FollowUp))
    response = client.post(f"/api/follow-ups/{follow_up.id}/assignment",
                           headers=auth_headers(reviewer), json={"agency_id": agency.agency_id})
    assert response.status_code == 200, response.json
    assert response.json["agency"] == agency.agency.name
    assert [i["id"] for i in listed(agency)] == [follow_up.id]
    assert listed(other) == []
    refused = client.get(f"/api/follow-ups/{follow_up.id}", headers=auth_headers(other))
    assert (refused.status_code, refused.json["error"]["code"]) == (404, "resource.not_found")


def test_a_worker_is_not_given_follow_ups(survey, client, auth_headers, worker):
    survey(ASSESS)
    response = client.get("/api/follow-ups", headers=auth_headers(worker))
    assert (response.status_code, response.json["error"]["code"]) == (403, "auth.forbidden")


def test_an_agency_cannot_assign(survey, client, auth_headers, agency):
    survey(ASSESS)
    follow_up = db.session.scalar(select(FollowUp))
    response = client.post(f"/api/follow-ups/{follow_up.id}/assignment",
                           headers=auth_headers(agency), json={"agency_id": agency.agency_id})
    assert response.status_code == 403


def test_assigning_a_closed_follow_up_is_refused(survey, client, auth_headers, reviewer, agency):
    survey(ASSESS)
    survey(SOUND)
    follow_up = db.session.scalar(select(FollowUp))
    response = client.post(f"/api/follow-ups/{follow_up.id}/assignment",
                           headers=auth_headers(reviewer), json={"agency_id": agency.agency_id})
    assert (response.status_code, response.json["error"]["code"]) == (409, "follow_up.closed")


def test_assigning_an_agency_of_another_county_is_not_found(survey, client, auth_headers,
                                                            reviewer, make_county):
    survey(ASSESS)
    far = Agency(county_id=make_county("闻喜县", "140823").id, name="闻喜房屋鉴定所")
    db.session.add(far)
    db.session.commit()
    follow_up = db.session.scalar(select(FollowUp))
    response = client.post(f"/api/follow-ups/{follow_up.id}/assignment",
                           headers=auth_headers(reviewer), json={"agency_id": far.id})
    assert (response.status_code, response.json["error"]["code"]) == (404, "resource.not_found")
    assert "闻喜" not in response.get_data(as_text=True)
    assert db.session.get(FollowUp, follow_up.id).agency_id is None


def test_a_2025_hazard_appraisal_of_energy_retrofit_is_a_confirmed_finding(
        appraise, agency, worker, building):
    response = appraise(agency, indicator=8)
    assert response.status_code == 201, response.json
    assert response.json["conclusion_label"] == "需要进行节能改造"
    finding = db.session.scalar(select(Finding).where(Finding.building_id == building.id))
    assert (finding.indicator, finding.status, finding.check_item, finding.problem_class) == (
        8, "accepted", "经专业机构节能诊断需要进行节能改造", "尽力解决")


def test_a_2025_round_refuses_an_appraisal_of_an_indicator_agencies_do_not_appraise(
        appraise, agency, worker):
    response = appraise(agency, indicator=3)
    assert response.status_code == 422
    message = response.json["error"]["details"]["fields"]["indicator"][0]
    assert "指标8（节能改造）" in message and "指标3" not in message


def test_desk_lists_follow_ups_by_building_name_with_the_assign_form(survey, sign_in, reviewer,
                                                                      building, agency):
    survey(ASSESS)
    text = sign_in(reviewer).get("/desk/follow-ups/").get_data(as_text=True)
    assert building.label in text and "燃气立管运行满20年" in text and "城东社区管理员" in text
    assert agency.agency.name in text and "指派" in text


def test_desk_assigns_through_its_form(survey, sign_in, reviewer, agency, csrf_from):
    survey(ASSESS)
    follow_up = db.session.scalar(select(FollowUp))
    client = sign_in(reviewer)
    token = csrf_from("/desk/follow-ups/")
    response = client.post(f"/desk/follow-ups/{follow_up.id}/assignment",
                           data={"csrf_token": token, "agency_id": str(agency.agency_id)})
    assert response.status_code == 302
    assert db.session.get(FollowUp, follow_up.id).agency_id == agency.agency_id


def test_desk_offers_an_agency_the_upload_that_closes_it(survey, sign_in, agency, building):
    survey(ASSESS)
    text = sign_in(agency).get("/desk/follow-ups/").get_data(as_text=True)
    assert f"/desk/appraisals/new?building={building.id}&amp;indicator=2" in text
    assert 'name="agency_id"' not in text


def test_desk_page_is_not_for_workers(survey, sign_in, worker):
    survey(ASSESS)
    assert sign_in(worker).get("/desk/follow-ups/").status_code == 403
