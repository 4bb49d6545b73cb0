"""Appraisal endpoints. The upload is multipart/form-data (the fields and the PDF), loaded through
one schema by @endpoint; the PDF's bytes are read and checked here before the operation."""
from flask import Blueprint, g, send_file

from server.accounts.models import Role
from server.appraisals import operations
from server.appraisals.documents import max_bytes, read_upload
from server.appraisals.schemas import AppraisalSchema
from server.endpoints import endpoint

blueprint = Blueprint("appraisals_api", __name__, url_prefix="/api")
ALL_ROLES = tuple(Role)
UPLOAD_ERRORS = ["resource.not_found", "round.unknown", "appraisal.conflict",
                 "document.not_pdf", "document.too_large", "document.empty"]


@blueprint.post("/appraisals")
@endpoint(summary="专业机构上传鉴定报告（PDF 与结论；201 已保存，200 同一编号早已保存）",
          tags=["appraisals"], roles=operations.APPRAISING_ROLES, writes=True, form=AppraisalSchema,
          response=AppraisalSchema, status=201, errors=UPLOAD_ERRORS)
def upload_appraisal(form):
    document = read_upload(form.pop("document"), max_bytes())
    appraisal, created = operations.record_appraisal(g.user, form, document)
    return appraisal, (201 if created else 200)


@blueprint.get("/buildings/<int:building_id>/appraisals")
@endpoint(summary="楼栋的专业鉴定（新的在前）", tags=["appraisals"], roles=ALL_ROLES, writes=False,
          response=AppraisalSchema, many=True,
          errors=["resource.not_found"])
def building_appraisals(building_id):
    return operations.building_appraisals(g.user, building_id)


@blueprint.get("/appraisals/<appraisal_uuid>/document")
@endpoint(summary="鉴定报告 PDF", tags=["appraisals"], roles=ALL_ROLES, writes=False,
          errors=["resource.not_found"])
def appraisal_document(appraisal_uuid):
    appraisal = operations.readable_appraisal(g.user, appraisal_uuid)
    return pdf_response(appraisal), 200


def pdf_response(appraisal):
    """The PDF as a download under its uploaded name (RFC 5987 `filename*` when not ASCII)."""
    file, size = operations.open_document(appraisal)
    response = send_file(file, mimetype="application/pdf", as_attachment=True,
                         download_name=appraisal.document_name or "鉴定报告.pdf",
                         etag=appraisal.document_sha256, max_age=None, conditional=False)
    response.content_length = size
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
