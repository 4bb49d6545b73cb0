"""Professional appraisals over the API: upload (multipart), replay, conflicts, refusals, the PDF."""
import hashlib
import io
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from server.accounts.models import Role
from server.appraisals.documents import document_store
from server.appraisals.models import Appraisal
from server.audit.models import AuditEntry
from server.extensions import db
from server.findings.models import Finding, Review
from server.ledger.models import BuildingStatus

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def building(make_building):
    return make_building(year_built=1982)


@pytest.fixture
def survey_round(make_round):
    return make_round()


@pytest.fixture
def agency(make_user, survey_round):
    return make_user(Role.AGENCY)


@pytest.fixture
def upload(client, auth_headers, agency, building):
    """POSTs /api/appraisals as the agency (or `user`); fields default to a hazard appraisal."""
    def send(user=None, document=PDF, filename="鉴定报告.pdf", omit=(), **fields):
        data = {"uuid": str(uuid.uuid4()), "building_id": str(building.id), "indicator": "1",
                "conclusion": "hazard", "grade": "C", "appraised_on": "2024-06-20",
                "summary": "承重墙贯通裂缝"}
        data.update({k: str(v) for k, v in fields.items()})
        if document is not None:
            data["document"] = (io.BytesIO(document), filename, "application/pdf")
        for name in omit:
            data.pop(name, None)
        return client.post("/api/appraisals", headers=auth_headers(user or agency), data=data,
                           content_type="multipart/form-data")
    return send


def appraisal_count() -> int:
    return db.session.scalar(select(func.count(Appraisal.id)))


def test_agency_uploads_an_appraisal(upload, agency):
    response = upload()
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["indicator"], body["conclusion"], body["grade"]) == (1, "hazard", "C")
    assert body["agency"] == agency.agency.name
    assert body["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["document_size"] == len(PDF)
    assert document_store().exists(body["document_sha256"])


def structure_state(client, headers, building) -> dict:
    response = client.get(f"/api/buildings/{building.id}/status", headers=headers)
    return next(i for i in response.json["indicators"] if i["indicator"] == 1)


def test_a_hazard_appraisal_is_a_confirmed_finding_of_the_agency(client, upload, agency,
                                                                 auth_headers, building):
    upload(conclusion="hazard", grade="C")
    structure = structure_state(client, auth_headers(agency), building)
    assert (structure["state"], structure["confirmed"]) == ("counts", 1)
    finding = db.session.scalar(select(Finding).where(Finding.building_id == building.id))
    assert (finding.status, finding.author_id, finding.indicator) == ("accepted", agency.id, 1)
    assert finding.appraisal_id is not None and "C级" in finding.description
    row = db.session.scalar(select(BuildingStatus).where(BuildingStatus.building_id == building.id,
                                                         BuildingStatus.indicator == 1))
    assert row is not None and row.state == "counts"


def test_a_later_appraisal_without_a_hazard_takes_the_building_out_of_the_count(
        client, upload, agency, auth_headers, building):
    upload(conclusion="hazard", appraised_on="2024-05-01")
    upload(conclusion="no_hazard", appraised_on="2024-06-01")
    structure = structure_state(client, auth_headers(agency), building)
    assert structure["state"] == "clear"
    finding = db.session.scalar(select(Finding).where(Finding.building_id == building.id))
    assert finding.status == "returned"
    assert "取代" in db.session.scalar(select(Review.reason).where(Review.finding_id == finding.id))


def test_an_earlier_appraisal_uploaded_late_does_not_take_over(client, upload, agency,
                                                               auth_headers, building):
    upload(conclusion="no_hazard", appraised_on="2024-06-01")
    upload(conclusion="hazard", appraised_on="2024-05-01")
    assert structure_state(client, auth_headers(agency), building)["state"] == "clear"
    assert db.session.scalar(select(Finding).where(Finding.building_id == building.id)) is None


def test_replayed_upload_returns_the_stored_appraisal(upload):
    key = str(uuid.uuid4())
    first = upload(uuid=key)
    replay = upload(uuid=key)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json == first.json
    assert appraisal_count() == 1


def test_same_uuid_with_other_content_is_a_conflict_naming_the_fields(upload):
    key = str(uuid.uuid4())
    upload(uuid=key, conclusion="hazard")
    response = upload(uuid=key, conclusion="no_hazard", document=PDF + b"%more\n")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "appraisal.conflict"
    assert response.json["error"]["details"]["differing_fields"] == ["conclusion", "document"]
    assert "结论" in response.json["error"]["message"]
    assert appraisal_count() == 1


def test_a_worker_may_not_upload_an_appraisal(upload, make_user, building):
    worker = make_user(Role.WORKER, communities=[building.estate.community])
    response = upload(user=worker)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "auth.forbidden"


def test_a_reviewer_may_not_upload_an_appraisal(upload, make_user):
    response = upload(user=make_user(Role.REVIEWER))
    assert response.status_code == 403


def test_building_of_another_county_is_out_of_scope(upload, make_county, make_community,
                                                    make_estate, make_building):
    elsewhere = make_community(county=make_county(name="闻喜县", code="140823"))
    far = make_building(estate=make_estate(community=elsewhere))
    response = upload(building_id=far.id)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "resource.not_found"
    assert far.estate.name not in response.get_data(as_text=True)
    assert appraisal_count() == 0


def test_unknown_building_is_not_found(upload):
    response = upload(building_id=999999)
    assert response.status_code == 404


def test_indicator_3_is_refused(upload):
    response = upload(indicator=3)
    assert response.status_code == 422
    assert "指标1" in response.json["error"]["details"]["fields"]["indicator"][0]
    assert appraisal_count() == 0


def test_unknown_conclusion_is_refused(upload):
    response = upload(conclusion="maybe")
    assert response.status_code == 422
    assert "conclusion" in response.json["error"]["details"]["fields"]


def test_appraisal_date_in_the_future_is_refused(upload):
    response = upload(appraised_on=(date.today() + timedelta(days=2)).isoformat())
    assert response.status_code == 422
    assert response.json["error"]["details"]["fields"]["appraised_on"] == ["鉴定日期不能晚于今天"]


def test_unknown_round_is_refused(upload):
    response = upload(round="1999")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "round.unknown"


def test_jpeg_named_pdf_is_refused(upload):
    response = upload(document=JPEG, filename="报告.pdf")
    assert response.status_code == 415
    assert response.json["error"]["code"] == "document.not_pdf"
    assert appraisal_count() == 0


def test_oversized_document_is_refused(upload, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOUJIAN_DOCUMENT_MAX_BYTES", 64)
    response = upload(document=PDF + b"0" * 64)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "document.too_large"
    assert appraisal_count() == 0


def test_empty_document_is_refused(upload):
    response = upload(document=b"")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "document.empty"


def test_missing_document_is_refused(upload):
    response = upload(document=None)
    assert response.status_code == 422
    assert response.json["error"]["details"]["fields"]["document"] == ["请附上鉴定报告 PDF 文件"]


def test_json_body_is_refused_with_a_hint(client, auth_headers, agency, building):
    response = client.post("/api/appraisals", headers=auth_headers(agency),
                           json={"building_id": building.id})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json["error"]["message"]


def test_hostile_file_name_is_kept_only_for_display(upload):
    response = upload(filename="../../etc/passwd.pdf")
    assert response.status_code == 201
    assert response.json["document_name"] == "passwd.pdf"


def test_control_characters_are_dropped_from_the_file_name(upload):
    response = upload(filename="报告\t\x07\u202eX.pdf")
    assert response.json["document_name"] == "报告X.pdf"


def test_upload_writes_an_audit_entry(upload, agency):
    key = upload().json["uuid"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "appraisal"))
    assert (entry.action, entry.entity_id, entry.actor_id) == ("appraisal.created", key, agency.id)
    assert entry.details["conclusion"] == "hazard"


def test_download_returns_the_pdf_bytes_with_safe_headers(client, upload, agency, auth_headers):
    key = upload(filename="达明新村3#鉴定.pdf").json["uuid"]
    response = client.get(f"/api/appraisals/{key}/document", headers=auth_headers(agency))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%BE%BE%E6%98%8E%E6%96%B0%E6%9D%913#%E9%89%B4%E5%AE%9A.pdf" \
        in disposition
    assert disposition.isascii()


def test_download_is_refused_outside_the_scope(client, upload, make_user, make_community,
                                               auth_headers):
    key = upload().json["uuid"]
    outsider = make_user(Role.WORKER, communities=[make_community("别处社区")])
    response = client.get(f"/api/appraisals/{key}/document", headers=auth_headers(outsider))
    assert response.status_code == 404


def test_download_of_an_unknown_appraisal_is_not_found(client, agency, auth_headers):
    response = client.get(f"/api/appraisals/{uuid.uuid4()}/document", headers=auth_headers(agency))
    assert response.status_code == 404


def test_building_appraisals_are_listed_newest_first(client, upload, agency, auth_headers,
                                                     building):
    upload(appraised_on="2024-03-01", indicator=2, conclusion="no_hazard")
    upload(appraised_on="2024-06-01")
    response = client.get(f"/api/buildings/{building.id}/appraisals", headers=auth_headers(agency))
    assert response.status_code == 200
    assert [a["appraised_on"] for a in response.json] == ["2024-06-01", "2024-03-01"]


def test_openapi_documents_the_multipart_upload(client):
    document = client.get("/api/openapi.json").json
    body = document["paths"]["/api/appraisals"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body
    responses = document["paths"]["/api/appraisals"]["post"]["responses"]
    assert {"201", "409", "413", "415"} <= set(responses)
