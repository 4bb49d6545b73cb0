"""The review desk: the queue, a finding with its photo evidence, and the decisions."""
from datetime import date

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from server.accounts.pages import login_required
from server.appraisals.disagreement import ruling_against
from server.desk.rendering import load_query, register_page_errors
from server.errors import ApiError
from server.extensions import db
from server.findings import decisions
from server.findings.evidence import check_photo
from server.findings.models import PROBLEM_CLASSES, Finding, FindingPhoto
from server.findings.operations import find_finding
from server.findings.queue import filter_choices, queue_page
from server.findings.schemas import QueueFilter
from server.ledger.indicators import short_names
from server.photos.models import Photo
from server.photos.operations import open_variant, readable_photo, require_sha256
from sync import lifecycle
from sync.china_time import china_today

blueprint = Blueprint("review_pages", __name__, url_prefix="/desk")
register_page_errors(blueprint)
OTHER_PHOTOS_SHOWN = 60
PHOTO_SIZES = ("thumb", "display", "original")


@blueprint.get("/review/")
@login_required
def queue():
    filters = load_query(QueueFilter, request.args)
    page = queue_page(g.user, filters)
    return render_template("desk/review_queue.html", page=page, filters=filters,
                           choices=filter_choices(g.user), statuses=lifecycle.STATES,
                           indicators=short_names(),
                           can_decide=lifecycle.can_decide(g.user.role),
                           version_of=decisions.version_of)


@blueprint.get("/review/findings/<finding_uuid>")
@login_required
def finding(finding_uuid):
    return _finding_page(find_finding(g.user, finding_uuid))


@blueprint.post("/review/findings/<finding_uuid>/decision")
@login_required
def decide(finding_uuid):
    form = request.form
    try:
        review = decisions.decide(g.user, finding_uuid, form.get("decision", ""),
                                   form.get("reason"), form.get("version"), _form_deadline(form))
    except ApiError as error:
        return _refused(finding_uuid, error)
    db.session.commit()
    flash(f"已{lifecycle.DECISIONS[review.decision].label}", "success")
    return redirect(url_for(".finding", finding_uuid=finding_uuid))


@blueprint.post("/review/findings/<finding_uuid>/class")
@login_required
def change_class(finding_uuid):
    form = request.form
    try:
        changed = decisions.change_class(g.user, finding_uuid, form.get("problem_class", ""),
                                          form.get("reason"), form.get("version"))
    except ApiError as error:
        return _refused(finding_uuid, error)
    db.session.commit()
    flash(f"问题分类已调整为“{changed.problem_class}”", "success")
    return redirect(url_for(".finding", finding_uuid=finding_uuid))


@blueprint.post("/review/bulk-accept")
@login_required
def bulk_accept():
    items = [value.partition("|")[::2] for value in request.form.getlist("finding")]
    if not items:
        flash("请先勾选要确认的问题", "error")
        return redirect(request.referrer or url_for(".queue"))
    outcomes = decisions.bulk_accept(g.user, items)
    db.session.commit()
    accepted = sum(o.accepted for o in outcomes)
    flash(f"已批量确认 {accepted} 条问题", "success")
    for outcome in outcomes:
        if not outcome.accepted:
            flash(f"问题 {outcome.finding[:8]} 未确认：{outcome.message}", "error")
    return redirect(url_for(".queue"))


@blueprint.post("/review/bulk-rectify")
@login_required
def bulk_rectify():
    back = request.referrer or url_for("rectification_pages.findings", state=lifecycle.ACCEPTED)
    items = [value.partition("|")[::2] for value in request.form.getlist("finding")]
    if not items:
        flash("请先勾选要下达整改的问题", "error")
        return redirect(back)
    try:
        outcomes = decisions.bulk_start_rectification(
            g.user, items, _form_deadline(request.form), request.form.get("reason"))
    except ApiError as error:
        if error.code != "request.invalid":
            raise
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(f"已对 {sum(o.accepted for o in outcomes)} 条问题下达整改", "success")
    for outcome in outcomes:
        if not outcome.accepted:
            flash(f"问题 {outcome.finding[:8]} 未下达整改：{outcome.message}", "error")
    return redirect(back)


def _form_deadline(form) -> date | None:
    text = (form.get("deadline") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError("request.invalid", "整改完成时限应为日期（年-月-日）",
                       details={"fields": {"deadline": ["应为日期"]}}) from None


@blueprint.get("/photos/<sha>")
@login_required
def photo(sha):
    size = request.args.get("size", "display")
    if size not in PHOTO_SIZES:
        raise ApiError("request.bad_parameter", "照片尺寸应为 thumb、display 或 original")
    stored = readable_photo(g.user, require_sha256(sha))
    file, length = open_variant(stored, size)
    response = send_file(file, mimetype=stored.mime_type if size == "original" else "image/jpeg",
                         max_age=3600, etag=f"{stored.sha256}-{size}")
    response.content_length = length
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _refused(finding_uuid: str, error: ApiError):
    db.session.rollback()
    flash(error.message, "error")
    return _finding_page(find_finding(g.user, finding_uuid), error.status)


def _finding_page(finding: Finding, status: int = 200):
    links = finding.photos + [p for r in finding.rectifications for p in r.photos]
    photos = {p.sha256: p for p in db.session.scalars(
        select(Photo).where(Photo.sha256.in_([link.sha256 for link in links])))}
    evidence = [_evidence(link, photos.get(link.sha256)) for link in finding.photos]
    after = [(r, [_evidence(link, photos.get(link.sha256)) for link in r.photos])
             for r in finding.rectifications]
    return render_template(
        "desk/review_finding.html", finding=finding, building=finding.building,
        evidence=evidence, after=after, others=_other_photos(finding),
        history=decisions.decision_history(finding), today=china_today(),
        version=decisions.version_of(finding), decisions=lifecycle.DECISIONS, classes=PROBLEM_CLASSES,
        can_decide=lifecycle.can_decide(g.user.role),
        indicator_name=short_names().get(finding.indicator, ""),
        appraisal_flag=ruling_against(finding)), status


def _evidence(link: FindingPhoto, photo: Photo | None) -> dict:
    return {"sha256": link.sha256, "photo": photo,
            "check": check_photo(photo) if photo is not None else None}


def _other_photos(finding: Finding) -> list:
    return db.session.execute(
        select(FindingPhoto.sha256, Finding.uuid, Finding.check_item, Finding.status)
        .join(Finding, FindingPhoto.finding_id == Finding.id)
        .join(Photo, Photo.sha256 == FindingPhoto.sha256)
        .where(Finding.building_id == finding.building_id, Finding.id != finding.id)
        .order_by(Finding.id.desc(), FindingPhoto.position).limit(OTHER_PHOTOS_SHOWN)).all()

