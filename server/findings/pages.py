"""The review desk: the queue, a finding with its photo evidence, and the decisions."""
from flask import flash, g, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from server.appraisals.disagreement import ruling_against
from server.extensions import db
from server.findings import decisions
from server.findings.evidence import check_photo
from server.findings.models import PROBLEM_CLASSES, Finding, FindingPhoto
from server.findings.operations import find_finding
from server.findings.queue import filter_choices, queue_page
from server.findings.schemas import (BulkDecisionSchema, BulkRectificationSchema,
                                     ClassChangeSchema, DecisionSchema, PhotoQuery, QueueFilter)
from server.catalog import short_names
from server.pages import SIGNED_IN, page, page_blueprint
from server.photos.models import Photo
from server.photos.operations import open_variant, readable_photo, require_sha256
from sync import lifecycle
from sync.china_time import china_today

blueprint = page_blueprint("review_pages", __name__, url_prefix="/desk")
OTHER_PHOTOS_SHOWN = 60


def _show_finding_again(error, finding_uuid):
    """A refused decision: the finding page again, with the reason."""
    flash(error.message, "error")
    return _finding_page(find_finding(g.user, finding_uuid), error.status)


def _back_with_reason(error, **_path):
    flash(error.message, "error")
    return redirect(request.referrer or url_for(".queue"))


@blueprint.get("/review/")
@page(roles=SIGNED_IN, query=QueueFilter, writes=False)
def queue(query):
    return render_template("desk/review_queue.html", page=queue_page(g.user, query),
                           filters=query, choices=filter_choices(g.user),
                           statuses=lifecycle.STATES, indicators=short_names(),
                           can_decide=lifecycle.can_decide(g.user.role),
                           version_of=decisions.version_of)


@blueprint.get("/review/findings/<finding_uuid>")
@page(roles=SIGNED_IN, writes=False)
def finding(finding_uuid):
    return _finding_page(find_finding(g.user, finding_uuid))


@blueprint.post("/review/findings/<finding_uuid>/decision")
@page(roles=lifecycle.DECIDING_ROLES, form=DecisionSchema, writes=True,
      refused=_show_finding_again)
def decide(finding_uuid, form):
    review = decisions.decide(g.user, finding_uuid, form["decision"], form["reason"],
                              form["version"], form["deadline"])
    flash(f"已{lifecycle.DECISIONS[review.decision].label}", "success")
    return redirect(url_for(".finding", finding_uuid=finding_uuid))


@blueprint.post("/review/findings/<finding_uuid>/class")
@page(roles=lifecycle.DECIDING_ROLES, form=ClassChangeSchema, writes=True,
      refused=_show_finding_again)
def change_class(finding_uuid, form):
    changed = decisions.change_class(g.user, finding_uuid, form["problem_class"], form["reason"],
                                     form["version"])
    flash(f"问题分类已调整为“{changed.problem_class}”", "success")
    return redirect(url_for(".finding", finding_uuid=finding_uuid))


@blueprint.post("/review/bulk-accept")
@page(roles=lifecycle.DECIDING_ROLES, form=BulkDecisionSchema, writes=True,
      refused=_back_with_reason)
def bulk_accept(form):
    outcomes = decisions.bulk_accept(g.user, form["finding"])
    flash(f"已批量确认 {sum(o.accepted for o in outcomes)} 条问题", "success")
    _flash_skipped(outcomes, "未确认")
    return redirect(url_for(".queue"))


@blueprint.post("/review/bulk-rectify")
@page(roles=lifecycle.DECIDING_ROLES, form=BulkRectificationSchema, writes=True,
      refused=_back_with_reason)
def bulk_rectify(form):
    outcomes = decisions.bulk_start_rectification(g.user, form["finding"], form["deadline"],
                                                  form["reason"])
    flash(f"已对 {sum(o.accepted for o in outcomes)} 条问题下达整改", "success")
    _flash_skipped(outcomes, "未下达整改")
    return redirect(request.referrer
                    or url_for("rectification_pages.findings", state=lifecycle.ACCEPTED))


def _flash_skipped(outcomes, verb: str) -> None:
    for outcome in outcomes:
        if not outcome.accepted:
            flash(f"问题 {outcome.finding[:8]} {verb}：{outcome.message}", "error")


@blueprint.get("/photos/<sha>")
@page(roles=SIGNED_IN, query=PhotoQuery, writes=False)
def photo(sha, query):
    size = query["size"]
    stored = readable_photo(g.user, require_sha256(sha))
    file, length = open_variant(stored, size)
    response = send_file(file, mimetype=stored.mime_type if size == "original" else "image/jpeg",
                         max_age=3600, etag=f"{stored.sha256}-{size}")
    response.content_length = length
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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

