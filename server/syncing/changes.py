"""Turning feed entries into what a device stores: each change carries the entity's whole
current state, so applying a page twice (after a cut) changes nothing."""
from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.buildings.models import Building, Estate
from server.buildings.schemas import BuildingSchema
from server.endpoints import ApiSchema
from server.extensions import db
from server.findings.models import Finding, Review
from server.photos.operations import arrived_links
from server.surveys.models import Submission
from server.surveys.schemas import FindingSchema


def _last_rectified_on(finding) -> str | None:
    day = finding.rectifications[-1].rectified_on if finding.rectifications else None
    return day.isoformat() if day else None


class PulledFindingSchema(FindingSchema):
    round = fields.Function(lambda f: f.round.code, dump_only=True)
    author_id = fields.Integer(dump_only=True)
    description = fields.String(dump_only=True)
    captured_at = fields.DateTime(dump_only=True)
    review_reason = fields.Function(lambda f: f.latest_review_reason, dump_only=True)
    missing_photos = fields.Function(lambda f: f.missing_photos, dump_only=True)
    deadline = fields.Date(dump_only=True, allow_none=True,
                           metadata={"description": "整改完成时限（住建局设定），无则为 null"})
    rectified_on = fields.Function(_last_rectified_on, dump_only=True, metadata={
        "description": "最近一次整改上报的整改完成日期（ISO 日期），无则为 null"})


class ObservationSchema(ApiSchema):
    """Someone's survey of a building: others surveying it see that it exists."""

    uuid = fields.String(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    indicator = fields.Integer(dump_only=True)
    form_id = fields.String(dump_only=True)
    round = fields.Function(lambda s: s.round.code, dump_only=True, metadata={
        "description": "调查所属轮次代码：手机只把本轮的调查算作已调查"})
    author = fields.Function(lambda s: s.author.display_name, dump_only=True)
    author_id = fields.Integer(dump_only=True)
    captured_at = fields.DateTime(dump_only=True)
    received_at = fields.DateTime(dump_only=True)
    counts = fields.Boolean(dump_only=True)


def hydrate(page) -> list[dict]:
    latest = {}
    for change in page:
        latest[(change.kind, change.entity_id)] = change.seq
    entities = {
        "building": _buildings([i for k, i in latest if k == "building"]),
        "finding": _findings([i for k, i in latest if k == "finding"]),
        "submission": _submissions([i for k, i in latest if k == "submission"]),
    }
    changes = []
    for (kind, entity_id), seq in sorted(latest.items(), key=lambda item: item[1]):
        data = entities[kind].get(entity_id)
        if data is not None:
            changes.append({"seq": seq, "kind": kind, "id": entity_id, "data": data})
    return changes


def _buildings(ids: list[str]) -> dict:
    if not ids:
        return {}
    rows = db.session.scalars(select(Building).where(Building.id.in_([int(i) for i in ids]))
                              .options(selectinload(Building.estate).selectinload(Estate.community),
                                       selectinload(Building.estate)
                                       .selectinload(Estate.property_company)))
    return {str(b.id): BuildingSchema().dump(b) for b in rows}


def _findings(uuids: list[str]) -> dict:
    if not uuids:
        return {}
    findings = db.session.scalars(select(Finding).where(Finding.uuid.in_(uuids))
                                  .options(selectinload(Finding.photos),
                                           selectinload(Finding.round),
                                           selectinload(Finding.rectifications))).all()
    reasons = _latest_review_reasons([f.id for f in findings])
    arrived = arrived_links((f.author_id, p.sha256) for f in findings for p in f.photos)
    for finding in findings:
        finding.latest_review_reason = reasons.get(finding.id)
        finding.missing_photos = [p.sha256 for p in finding.photos
                                  if (finding.author_id, p.sha256) not in arrived]
    return {f.uuid: PulledFindingSchema().dump(f) for f in findings}


def _latest_review_reasons(finding_ids: list[int]) -> dict:
    rows = db.session.execute(select(Review.finding_id, Review.reason)
                              .where(Review.finding_id.in_(finding_ids)).order_by(Review.id))
    return {finding_id: reason for finding_id, reason in rows}


def _submissions(uuids: list[str]) -> dict:
    if not uuids:
        return {}
    rows = db.session.scalars(select(Submission).where(Submission.uuid.in_(uuids))
                              .options(selectinload(Submission.author),
                                       selectinload(Submission.round)))
    return {s.uuid: ObservationSchema().dump(s) for s in rows}
