"""The desk's appraisal pages: the list, the upload form (agencies), the PDF."""
from uuid import uuid4

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from server.accounts.pages import login_required
from server.appraisals import operations
from server.appraisals.documents import max_bytes, read_upload
from server.appraisals.models import CONCLUSIONS
from server.appraisals.routes import pdf_response
from server.appraisals.schemas import (GRADES, INDICATOR_NAMES, AppraisalListQuery,
                                       AppraisalSchema)
from server.buildings.operations import buildings_query, get_building
from server.desk.rendering import load_query, register_page_errors
from server.db_types import DATABASE_INTEGERS
from server.errors import ApiError
from server.extensions import db

blueprint = Blueprint("appraisal_pages", __name__, url_prefix="/desk/appraisals")
register_page_errors(blueprint)
PER_PAGE = 50
SEARCH_RESULTS = 30
_upload_schema = AppraisalSchema()


@blueprint.get("/")
@login_required
def index():
    query = load_query(AppraisalListQuery, request.args)
    page = db.paginate(operations.listed_appraisals(g.user), page=query["page"],
                       per_page=PER_PAGE, error_out=False)
    return render_template("desk/appraisals.html", page=page, conclusions=CONCLUSIONS,
                           buildings=operations.buildings_of(page.items),
                           can_appraise=operations.can_appraise(g.user))


@blueprint.get("/new")
@login_required
def new():
    operations.require_appraiser(g.user)
    return _upload_page({"uuid": str(uuid4())})


@blueprint.post("/new")
@login_required
def upload():
    operations.require_appraiser(g.user)
    try:
        payload = _load_upload()
        document = read_upload(payload.pop("document"), max_bytes())
        appraisal, created = operations.record_appraisal(g.user, payload, document)
    except ApiError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _upload_page(request.form, error.status)
    db.session.commit()
    flash("鉴定报告已上传" if created else "该鉴定报告此前已上传，未重复保存", "success")
    return redirect(url_for("ledger_pages.building", building_id=appraisal.building_id))


@blueprint.get("/<appraisal_uuid>/document")
@login_required
def document(appraisal_uuid):
    return pdf_response(operations.readable_appraisal(g.user, appraisal_uuid))


def _upload_page(values, status: int = 200):
    """The form for the building in `?building=` (or the form's own field), else a search."""
    chosen = str(values.get("building_id") or request.args.get("building", "")).strip()
    building_id = int(chosen) if chosen.isascii() and chosen.isdigit() else None
    building = get_building(g.user, building_id) \
        if building_id is not None and building_id in DATABASE_INTEGERS else None
    q = request.args.get("q", "").strip()
    found = db.session.scalars(buildings_query(g.user, q=q).limit(SEARCH_RESULTS)).all() \
        if q and building is None else []
    return render_template("desk/appraisal_upload.html", building=building, q=q, found=found,
                           values=values, conclusions=CONCLUSIONS, grades=GRADES,
                           indicators=INDICATOR_NAMES, limit_mb=max_bytes() / (1024 * 1024)), \
        status


def _load_upload() -> dict:
    data = {**request.form.to_dict(flat=True), **request.files.to_dict(flat=True)}
    data.pop("csrf_token", None)
    try:
        return _upload_schema.load(data)
    except ValidationError as error:
        problems = "；".join(_first(messages) for messages in error.messages.values())
        raise ApiError("request.invalid", f"请修改后重新提交：{problems}",
                       details={"fields": error.messages}) from None


def _first(messages) -> str:
    if isinstance(messages, dict):
        return _first(next(iter(messages.values())))
    if isinstance(messages, list):
        return _first(messages[0]) if messages else ""
    return "有不认识的字段" if messages == "Unknown field." else str(messages)
