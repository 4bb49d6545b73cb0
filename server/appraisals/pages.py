"""The desk's appraisal pages: the list, the upload form (agencies), the PDF."""
from uuid import uuid4

from flask import flash, g, redirect, render_template, request, url_for

from server.appraisals import operations
from server.appraisals.documents import max_bytes, read_upload
from server.appraisals.models import CONCLUSIONS
from server.appraisals.routes import pdf_response
from server.appraisals.schemas import GRADES, AppraisalListQuery, AppraisalSchema, UploadPageQuery
from server.appraisals.terms import conclusion_label, indicator_label
from server.catalog import current_round
from server.buildings.operations import buildings_query, get_building
from server.db_types import DATABASE_INTEGERS
from server.extensions import db
from server.pages import SIGNED_IN, page, page_blueprint

blueprint = page_blueprint("appraisal_pages", __name__, url_prefix="/desk/appraisals")
PER_PAGE = 50
SEARCH_RESULTS = 30
blueprint.add_app_template_global(conclusion_label, "appraisal_conclusion")
blueprint.add_app_template_global(indicator_label, "appraisal_indicator")


@blueprint.get("/")
@page(roles=SIGNED_IN, query=AppraisalListQuery, writes=False)
def index(query):
    page = db.paginate(operations.listed_appraisals(g.user), page=query["page"],
                       per_page=PER_PAGE, error_out=False)
    return render_template("desk/appraisals.html", page=page,
                           buildings=operations.buildings_of(page.items),
                           can_appraise=operations.can_appraise(g.user))


@blueprint.get("/new")
@page(roles=SIGNED_IN, query=UploadPageQuery, writes=False)
def new(query):
    operations.require_appraiser(g.user)
    chosen = {"uuid": str(uuid4()), "indicator": str(query.get("indicator", ""))}
    return _upload_page(chosen, query.get("building"), query.get("q", ""))


def _upload_again(error):
    """A refused upload: the form again, as it was filled, with the reason."""
    flash(error.message, "error")
    return _upload_page(request.form, request.form.get("building_id"), "", error.status)


@blueprint.post("/new")
@page(roles=SIGNED_IN, form=AppraisalSchema, writes=True, refused=_upload_again)
def upload(form):
    operations.require_appraiser(g.user)
    document = read_upload(form.pop("document"), max_bytes())
    appraisal, created = operations.record_appraisal(g.user, form, document)
    flash("鉴定报告已上传" if created else "该鉴定报告此前已上传，未重复保存", "success")
    return redirect(url_for("ledger_pages.building", building_id=appraisal.building_id))


@blueprint.get("/<appraisal_uuid>/document")
@page(roles=SIGNED_IN, writes=False)
def document(appraisal_uuid):
    return pdf_response(operations.readable_appraisal(g.user, appraisal_uuid))


def _upload_page(values, chosen: str | None, q: str, status: int = 200):
    """The form for the chosen building (`?building=`, or the form's own field), else a search.
    `values` fills the form again as it was posted."""
    chosen = (chosen or "").strip()
    building_id = int(chosen) if chosen.isascii() and chosen.isdigit() else None
    building = get_building(g.user, building_id) \
        if building_id is not None and building_id in DATABASE_INTEGERS else None
    found = db.session.scalars(buildings_query(g.user, q=q).limit(SEARCH_RESULTS)).all() \
        if q and building is None else []
    return render_template("desk/appraisal_upload.html", building=building, q=q, found=found,
                           values=values, conclusions=CONCLUSIONS, grades=GRADES,
                           indicators=_offered(), limit_mb=max_bytes() / (1024 * 1024)), \
        status



def _offered() -> dict[int, str]:
    """The indicators the current round's system has agencies appraise (none without a round)."""
    survey_round = current_round()
    return operations.appraisable(survey_round) if survey_round else {}
