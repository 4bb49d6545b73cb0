"""Appraisals on the desk: an agency signs in and uploads; the building page shows appraisals; a
finding that disagrees with the governing appraisal is flagged in the queue and on its page."""
import io
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from server.accounts.models import Role
from server.appraisals.models import Appraisal
from server.extensions import db
from server.findings.decisions import version_of
from tests.factories import DEFAULT_PASSWORD

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n"
FLAG = "与鉴定结论不一致"


@pytest.fixture
def building(make_building):
    building = make_building(number="3#")
    db.session.commit()  # a refused upload rolls the request's session back
    return building


@pytest.fixture
def agency(make_user, survey_round):
    return make_user(Role.AGENCY)


@pytest.fixture
def appraise(survey_round, make_user):
    """An appraisal row as an upload would store it (no file needed for the pages)."""
    agencies = []

    def add(building, *, indicator=1, conclusion="no_hazard", on=date(2024, 6, 1), **extra):
        if not agencies:
            agencies.append(make_user(Role.AGENCY))
        agency = agencies[0]
        appraisal = Appraisal(uuid=str(uuid.uuid4()), building_id=building.id,
                              round_id=survey_round.id, indicator=indicator,
                              agency_id=agency.agency_id, author_id=agency.id,
                              conclusion=conclusion, appraised_on=on, **extra)
        db.session.add(appraisal)
        db.session.commit()
        return appraisal
    return add


def upload_form(client, csrf_from, building, document=PDF, **fields):
    page = f"/desk/appraisals/new?building={building.id}"
    token = csrf_from(page)
    key = re.search(r'name="uuid" value="([^"]+)"', client.get(page).get_data(as_text=True))[1]
    data = {"csrf_token": token, "uuid": key, "building_id": str(building.id), "indicator": "1",
            "conclusion": "hazard", "grade": "", "appraised_on": "2024-06-20", "summary": "",
            "document": (io.BytesIO(document), "报告.pdf")}
    data.update(fields)
    return client.post("/desk/appraisals/new", data=data, content_type="multipart/form-data")


def test_an_agency_signs_in_to_the_desk(client, agency, building):
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', client.get("/desk/login").data)[1]
    response = client.post("/desk/login", data={"username": agency.username,
                                                "password": DEFAULT_PASSWORD,
                                                "csrf_token": token.decode()})
    assert response.status_code == 302
    assert client.get("/desk/appraisals/").status_code == 200


def test_agency_uploads_from_the_desk_and_lands_on_the_building(client, sign_in, csrf_from,
                                                                agency, building):
    sign_in(agency)
    response = upload_form(client, csrf_from, building, summary="承重墙开裂")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desk/buildings/{building.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "鉴定报告已上传" in page and "承重墙开裂" in page and "报告.pdf" in page


def test_submitting_the_same_desk_form_twice_stores_one_appraisal(client, sign_in, csrf_from,
                                                                  agency, building):
    sign_in(agency)
    page = f"/desk/appraisals/new?building={building.id}"
    key = re.search(r'name="uuid" value="([^"]+)"', client.get(page).get_data(as_text=True))[1]
    for _ in range(2):
        upload_form(client, csrf_from, building, uuid=key)
    assert db.session.scalar(select(func.count(Appraisal.id))) == 1


def test_desk_upload_of_a_fake_pdf_explains_the_refusal(client, sign_in, csrf_from, agency,
                                                        building):
    sign_in(agency)
    response = upload_form(client, csrf_from, building, document=b"\xff\xd8\xff\xe0JFIF")
    assert response.status_code == 415
    assert "鉴定报告须为 PDF 文件" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0


def test_desk_upload_without_a_date_names_the_field(client, sign_in, csrf_from, agency, building):
    sign_in(agency)
    response = upload_form(client, csrf_from, building, appraised_on="")
    assert response.status_code == 422
    assert "请填写鉴定日期" in response.get_data(as_text=True)


def test_desk_upload_without_csrf_is_refused(client, sign_in, agency, building):
    sign_in(agency)
    response = client.post("/desk/appraisals/new", content_type="multipart/form-data", data={
        "building_id": str(building.id), "indicator": "1", "conclusion": "hazard",
        "appraised_on": "2024-06-20", "document": (io.BytesIO(PDF), "a.pdf")})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0


def test_upload_page_finds_buildings_by_estate_and_number(sign_in, agency, building):
    text = sign_in(agency).get(f"/desk/appraisals/new?q={building.estate.name}3").get_data(
        as_text=True)
    assert f"/desk/appraisals/new?building={building.id}" in text


@pytest.mark.parametrize("chosen", ["²", "-3", "99999999999", "3号"])
def test_upload_page_treats_a_building_that_is_no_id_as_not_chosen(sign_in, agency, chosen):
    response = sign_in(agency).get(f"/desk/appraisals/new?building={chosen}")
    assert response.status_code == 200 and "上传鉴定报告" in response.get_data(as_text=True)


def test_a_reviewer_cannot_open_the_upload_form(sign_in, reviewer, building):
    response = sign_in(reviewer).get(f"/desk/appraisals/new?building={building.id}")
    assert response.status_code == 403
    assert "专业机构" in response.get_data(as_text=True)


def test_building_page_offers_the_upload_link_to_an_agency_only(sign_in, agency, reviewer,
                                                                building):
    link = f"/desk/appraisals/new?building={building.id}"
    assert link in sign_in(agency).get(f"/desk/buildings/{building.id}").get_data(as_text=True)
    assert link not in sign_in(reviewer).get(f"/desk/buildings/{building.id}").get_data(
        as_text=True)


def test_building_page_shows_the_appraisal_with_its_pdf_link(sign_in, reviewer, appraise,
                                                             building):
    appraisal = appraise(building, conclusion="hazard", grade="D", document_sha256="a" * 64,
                         document_name="鉴定.pdf", document_size=1000)
    text = sign_in(reviewer).get(f"/desk/buildings/{building.id}").get_data(as_text=True)
    assert "存在安全隐患" in text and ">D<" in text and "2024-06-01" in text
    assert f"/desk/appraisals/{appraisal.uuid}/document" in text


def test_summary_and_file_name_are_shown_escaped(client, sign_in, csrf_from, agency, reviewer,
                                                 building):
    sign_in(agency)
    upload_form(client, csrf_from, building, summary="<script>alert(1)</script>",
                document=PDF)
    db.session.execute(db.update(Appraisal).values(document_name="<img src=x onerror=alert(1)>.pdf"))
    db.session.commit()
    for page in (f"/desk/buildings/{building.id}", "/desk/appraisals/"):
        text = sign_in(reviewer).get(page).get_data(as_text=True)
        assert "<script>alert" not in text and "&lt;script&gt;alert(1)" in text
        assert "<img src=x" not in text


def test_desk_download_serves_the_pdf(client, sign_in, csrf_from, agency, building):
    sign_in(agency)
    upload_form(client, csrf_from, building)
    key = db.session.scalar(select(Appraisal.uuid))
    response = client.get(f"/desk/appraisals/{key}/document")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"


def test_an_agency_lists_only_its_own_appraisals(sign_in, agency, appraise, make_building):
    appraise(make_building(), summary="别家机构的鉴定")
    text = sign_in(agency).get("/desk/appraisals/").get_data(as_text=True)
    assert "别家机构的鉴定" not in text and "还没有鉴定报告" in text


def test_an_agency_cannot_decide_on_findings(sign_in, agency, make_finding, building):
    finding = make_finding(building)
    client = sign_in(agency)
    page = client.get(f"/desk/review/findings/{finding.uuid}")
    assert page.status_code == 200 and 'value="accept"' not in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    response = client.post(f"/desk/review/findings/{finding.uuid}/decision", data={
        "decision": "accept", "version": version_of(finding), "csrf_token": token})
    assert response.status_code == 403
    db.session.refresh(finding)
    assert finding.status == "pending"


def test_queue_filter_lists_findings_that_disagree_with_the_appraisal(
        sign_in, reviewer, appraise, make_finding, make_building, building):
    appraise(building, indicator=1, conclusion="no_hazard")
    make_finding(building, indicator=1, check_item="墙体裂缝", description="与鉴定矛盾")
    make_finding(make_building(), indicator=1, check_item="墙体裂缝", description="未鉴定楼栋")
    text = sign_in(reviewer).get("/desk/review/?disagreeing=1").get_data(as_text=True)
    assert "与鉴定矛盾" in text and "未鉴定楼栋" not in text


def test_queue_filter_follows_the_latest_appraisal(sign_in, reviewer, appraise, make_finding,
                                                   building):
    appraise(building, indicator=1, conclusion="no_hazard", on=date(2024, 5, 1))
    appraise(building, indicator=1, conclusion="hazard", on=date(2024, 6, 1))
    make_finding(building, indicator=1, check_item="墙体裂缝", description="与鉴定一致")
    text = sign_in(reviewer).get("/desk/review/?disagreeing=1").get_data(as_text=True)
    assert "与鉴定一致" not in text


def test_finding_page_flags_the_disagreement(sign_in, reviewer, appraise, make_finding,
                                             building):
    appraise(building, indicator=2, conclusion="no_hazard", grade="A")
    finding = make_finding(building, indicator=2, check_item="使用橡胶软管")
    text = sign_in(reviewer).get(f"/desk/review/findings/{finding.uuid}").get_data(as_text=True)
    assert FLAG in text and "未发现安全隐患" in text


def test_verified_finding_is_not_flagged(sign_in, reviewer, appraise, make_finding, building):
    appraise(building, indicator=1, conclusion="no_hazard")
    finding = make_finding(building, indicator=1, status="verified")
    text = sign_in(reviewer).get(f"/desk/review/findings/{finding.uuid}").get_data(as_text=True)
    assert FLAG not in text


def test_building_page_flags_a_no_problem_survey_against_a_hazard_appraisal(
        sign_in, reviewer, appraise, make_finding, building):
    appraise(building, indicator=1, conclusion="hazard")
    make_finding(building, indicator=1, counts=False)  # its submission said "no problem"
    text = sign_in(reviewer).get(f"/desk/buildings/{building.id}").get_data(as_text=True)
    assert "以下现场调查与现行鉴定结论不一致" in text


def test_flag_on_an_unconfirmed_finding_says_confirming_it_would_outrank_the_appraisal(
        sign_in, reviewer, appraise, make_finding, building):
    appraise(building, indicator=1, conclusion="no_hazard")
    finding = make_finding(building, indicator=1, check_item="墙体裂缝", status="resurvey")
    text = sign_in(reviewer).get(f"/desk/review/findings/{finding.uuid}").get_data(as_text=True)
    assert "该楼栋状态目前以鉴定为准；若确认本条问题，该楼栋将按审核确认计入存在问题" in text
    assert "已在审核中确认" not in text


def test_flag_on_a_confirmed_finding_says_the_review_decision_counts(
        sign_in, reviewer, appraise, make_finding, building):
    appraise(building, indicator=1, conclusion="no_hazard")
    finding = make_finding(building, indicator=1, check_item="墙体裂缝", status="rectifying")
    text = sign_in(reviewer).get(f"/desk/review/findings/{finding.uuid}").get_data(as_text=True)
    assert FLAG in text
    assert "本条问题已在审核中确认（与鉴定结论相反），该楼栋按审核确认计入存在问题；请复核" in text
    assert "以鉴定为准" not in text
