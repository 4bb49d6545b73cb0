"""The review desk: the queue, a finding with its photo evidence, and the decisions."""
from flask import flash, g, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from server.appraisals.disagreement import ruling_against
from server.extensions import db
from server.findings import decisions
from server.findings.evidence import check_after_photo, check_photo, round_start
from server.findings.models import PROBLEM_CLASSES, Finding, FindingPhoto
from server.findings.operations import find_finding
from server.findings.queue import (SORTS, arrived_photos, filter_choices, neighbours, queue_args,
                                   queue_page)
from server.findings.schemas import (BulkDecisionSchema, BulkRectificationSchema,
                                     AcceptAndRectifySchema, ClassChangeSchema, DeskDecisionSchema,
                                     PhotoQuery, QueueFilter)
from server.catalog import short_names
from server.pages import SIGNED_IN, page, page_blueprint
from server.photos.models import Photo
from server.photos.operations import (arrived_links, only_held_links, open_variant,
                                     readable_photo, require_sha256)
from sync import lifecycle
from sync.china_time import china_today

blueprint = page_blueprint("review_pages", __name__, url_prefix="/desk")
OTHER_PHOTOS_SHOWN = 60


def _show_finding_again(error, finding_uuid, query=None):
    """A refused decision: the finding page again (in its queue), with the reason."""
    flash(error.message, "error")
    return _finding_page(find_finding(g.user, finding_uuid), query or {"status": lifecycle.INITIAL},
                         error.status)


def _back_with_reason(error, **_path):
    flash(error.message, "error")
    return redirect(request.referrer or url_for(".queue"))


@blueprint.get("/review/")
@page(roles=SIGNED_IN, query=QueueFilter, writes=False)
def queue(query):
    page = queue_page(g.user, query)
    return render_template("desk/review_queue.html", page=page, filters=query,
                           queue=queue_args(query), choices=filter_choices(g.user),
                           statuses=lifecycle.STATES, sorts=SORTS, indicators=short_names(),
                           can_decide=lifecycle.can_decide(g.user.role),
                           version_of=decisions.version_of, arrived=arrived_photos(page.items))


@blueprint.get("/review/findings/<finding_uuid>")
@page(roles=SIGNED_IN, query=QueueFilter, writes=False)
def finding(finding_uuid, query):
    return _finding_page(find_finding(g.user, finding_uuid), query)


@blueprint.post("/review/findings/<finding_uuid>/decision")
@page(roles=lifecycle.DECIDING_ROLES, query=QueueFilter, form=DeskDecisionSchema, writes=True,
      refused=_show_finding_again)
def decide(finding_uuid, query, form):
    following = neighbours(g.user, query, finding_uuid)[1] if form["advance"] else None
    review = decisions.decide(g.user, finding_uuid, form["decision"], form["reason"],
                              form["version"], form["deadline"])
    flash(f"已{lifecycle.DECISIONS[review.decision].label}", "success")
    return _onwards(finding_uuid, following, form["advance"], query)


@blueprint.post("/review/findings/<finding_uuid>/accept-and-rectify")
@page(roles=lifecycle.DECIDING_ROLES, query=QueueFilter, form=AcceptAndRectifySchema,
      writes=True, refused=_show_finding_again)
def accept_and_rectify(finding_uuid, query, form):
    following = neighbours(g.user, query, finding_uuid)[1] if form["advance"] else None
    decisions.accept_and_start_rectification(g.user, finding_uuid, form["version"],
                                             form["deadline"], form["reason"])
    flash("已确认并下达整改", "success")
    return _onwards(finding_uuid, following, form["advance"], query)


@blueprint.post("/review/findings/<finding_uuid>/class")
@page(roles=lifecycle.DECIDING_ROLES, query=QueueFilter, form=ClassChangeSchema, writes=True,
      refused=_show_finding_again)
def change_class(finding_uuid, query, form):
    changed = decisions.change_class(g.user, finding_uuid, form["problem_class"], form["reason"],
                                     form["version"])
    flash(f"问题分类已调整为“{changed.problem_class}”", "success")
    return redirect(url_for(".finding", finding_uuid=finding_uuid, **queue_args(query)))


def _onwards(finding_uuid: str, following: str | None, advance: bool, query: dict):
    """After a decision: the next finding of the queue (确认并下一条), the queue itself when
    none is left, else the same finding again."""
    if advance and following is not None:
        return redirect(url_for(".finding", finding_uuid=following, **queue_args(query)))
    if advance:
        flash("本队列已无下一条问题", "success")
        return redirect(url_for(".queue", **queue_args(query)))
    return redirect(url_for(".finding", finding_uuid=finding_uuid, **queue_args(query)))


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


def _finding_page(finding: Finding, query: dict, status: int = 200):
    # Evidence is what its linker holds: the finding's author, a rectification's author.
    links = [(finding.author_id, p) for p in finding.photos] + \
        [(r.author_id, p) for r in finding.rectifications for p in r.photos]
    arrived = arrived_links((user, link.sha256) for user, link in links)
    photos = {p.sha256: p for p in db.session.scalars(
        select(Photo).where(Photo.sha256.in_({sha for _, sha in arrived})))}

    def evidence_of(user: int, link: FindingPhoto, check) -> dict:
        photo = photos.get(link.sha256) if (user, link.sha256) in arrived else None
        return {"sha256": link.sha256, "photo": photo,
                "check": check(photo) if photo is not None else None}

    def before(photo):
        return check_photo(photo, finding.building, round_start(finding))

    def after_rectification(photo):
        return check_after_photo(photo, finding, finding.building)

    evidence = [evidence_of(finding.author_id, link, before) for link in finding.photos]
    after = [(r, [evidence_of(r.author_id, link, after_rectification) for link in r.photos])
             for r in finding.rectifications]
    previous_finding, next_finding = neighbours(g.user, query, finding.uuid)
    return render_template(
        "desk/review_finding.html", finding=finding, building=finding.building,
        evidence=evidence, after=after, others=_other_photos(finding),
        history=decisions.decision_history(finding), today=china_today(),
        version=decisions.version_of(finding), classes=PROBLEM_CLASSES,
        can_decide=lifecycle.can_decide(g.user.role), queue=queue_args(query),
        queue_label=lifecycle.label(query["status"]),
        previous_finding=previous_finding, next_finding=next_finding,
        indicator_name=short_names().get(finding.indicator, ""),
        appraisal_flag=ruling_against(finding)), status


def _other_photos(finding: Finding) -> list:
    return db.session.execute(only_held_links(
        select(FindingPhoto.sha256, Finding.uuid, Finding.check_item, Finding.status)
        .join(Finding, FindingPhoto.finding_id == Finding.id))
        .where(Finding.building_id == finding.building_id, Finding.id != finding.id)
        .order_by(Finding.id.desc(), FindingPhoto.position).limit(OTHER_PHOTOS_SHOWN)).all()

