"""Recording a professional agency's appraisal (专业机构鉴定), and who may read one.

An appraisal is created once, keyed by the uuid its uploader chose: a replay with the same
content answers the stored appraisal; the same uuid with other content is a conflict naming
the fields that differ. The PDF is stored (content-addressed) before the row is flushed, so a
row never points at a missing file; a refused or failed upload leaves no row.
"""
from typing import BinaryIO
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from server.accounts.models import Role, User
from server.accounts.scopes import buildings_visible_to, require_visible
from server.appraisals.documents import Document, document_store
from server.appraisals.findings import follow_appraisal
from server.appraisals.models import Appraisal
from server.audit.operations import record
from server.buildings.models import Building, Estate
from server.buildings.operations import get_building
from server.errors import ApiError
from server.extensions import db
from server.catalog import appraised_indicators, round_by_code, short_names
from server.surveys.models import SurveyRound
from sync.idempotency import differing_fields

APPRAISING_ROLES = frozenset({Role.AGENCY})
FIELD_LABELS = {"agency": "鉴定机构", "building_id": "楼栋", "round": "轮次", "indicator": "指标",
                "conclusion": "结论", "grade": "等级", "summary": "摘要", "appraised_on": "鉴定日期",
                "document": "报告文件"}


def can_appraise(user: User) -> bool:
    return user.role in APPRAISING_ROLES and user.agency_id is not None


def require_appraiser(user: User) -> None:
    if not can_appraise(user):
        raise ApiError("auth.forbidden", "只有专业机构可以上传鉴定报告")


def appraisable(survey_round: SurveyRound) -> dict[int, str]:
    """{number: short name} of the indicators agencies appraise in the round's system."""
    names = short_names(survey_round.system)
    return {n: names[n] for n in sorted(appraised_indicators(survey_round.system))}


def _require_appraised(survey_round: SurveyRound, indicator: int) -> None:
    offered = appraisable(survey_round)
    if indicator not in offered:
        listed = "、".join(f"指标{n}（{name}）" for n, name in offered.items())
        reason = f"本轮由专业机构鉴定的指标为{listed}"
        raise ApiError("request.invalid", reason, details={"fields": {"indicator": [reason]}})


def record_appraisal(user: User, payload: dict, document: Document) -> tuple[Appraisal, bool]:
    """Stores the appraisal; returns it and whether it was created now (False: a replay)."""
    require_appraiser(user)
    building = get_building(user, payload["building_id"])
    survey_round = round_by_code(payload.get("round"))
    _require_appraised(survey_round, payload["indicator"])
    uuid = str(payload.get("uuid") or uuid4())
    incoming = {"agency": user.agency_id, "building_id": building.id, "round": survey_round.code,
                "indicator": payload["indicator"], "conclusion": payload["conclusion"],
                "grade": payload.get("grade"), "summary": payload.get("summary"),
                "appraised_on": payload["appraised_on"], "document": document.sha256}
    stored = db.session.scalar(select(Appraisal).where(Appraisal.uuid == uuid))
    if stored is not None:
        return _replayed(stored, incoming), False

    document_store().put(document.sha256, document.data)
    appraisal = Appraisal(
        uuid=uuid, building_id=building.id, round_id=survey_round.id,
        indicator=incoming["indicator"], agency_id=user.agency_id, author_id=user.id,
        conclusion=incoming["conclusion"], grade=incoming["grade"], summary=incoming["summary"],
        appraised_on=incoming["appraised_on"], document_sha256=document.sha256,
        document_name=document.name, document_size=document.size)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(appraisal)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:  # its twin (same uuid) was stored meanwhile
        savepoint.rollback()
        stored = db.session.scalar(select(Appraisal).where(Appraisal.uuid == uuid))
        if stored is None:
            raise
        return _replayed(stored, incoming), False
    follow_appraisal(appraisal)
    record(user, "appraisal.created", "appraisal", uuid, building_id=building.id,
           round=survey_round.code, indicator=appraisal.indicator,
           conclusion=appraisal.conclusion, grade=appraisal.grade,
           appraised_on=appraisal.appraised_on.isoformat(), document_sha256=document.sha256,
           document_name=document.name)
    return appraisal, True


def _replayed(stored: Appraisal, incoming: dict) -> Appraisal:
    held = {"agency": stored.agency_id, "building_id": stored.building_id,
            "round": db.session.get(SurveyRound, stored.round_id).code,
            "indicator": stored.indicator, "conclusion": stored.conclusion,
            "grade": stored.grade, "summary": stored.summary,
            "appraised_on": stored.appraised_on, "document": stored.document_sha256}
    differences = differing_fields(held, incoming)
    if differences:
        labels = "、".join(FIELD_LABELS[name] for name in differences)
        raise ApiError("appraisal.conflict", f"鉴定报告 {stored.uuid} 已提交过不同内容（{labels}不同）",
                       details={"differing_fields": differences})
    return stored


def building_appraisals(user: User, building_id: int) -> list[Appraisal]:
    """A building's appraisals, newest first (the first of an indicator and round governs)."""
    building = get_building(user, building_id)
    return list(db.session.scalars(
        select(Appraisal).where(Appraisal.building_id == building.id)
        .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc())))


def listed_appraisals(user: User):
    """A SELECT of appraisals for the desk's list: an agency sees its own appraisals, everyone
    else those of the buildings they can see."""
    stmt = (select(Appraisal).join(Building, Appraisal.building_id == Building.id)
            .options(selectinload(Appraisal.agency)))
    if user.role == Role.AGENCY:
        stmt = stmt.where(Appraisal.agency_id == user.agency_id)
    return (stmt.where(buildings_visible_to(user))
            .order_by(Appraisal.created_at.desc(), Appraisal.id.desc()))


def buildings_of(appraisals: list[Appraisal]) -> dict[int, Building]:
    """The buildings of these appraisals by id, with their estate and community loaded."""
    ids = {a.building_id for a in appraisals}
    return {b.id: b for b in db.session.scalars(
        select(Building).where(Building.id.in_(ids))
        .options(selectinload(Building.estate).selectinload(Estate.community)))}


def readable_appraisal(user: User, appraisal_uuid: str) -> Appraisal:
    appraisal = db.session.scalar(select(Appraisal).where(Appraisal.uuid == appraisal_uuid))
    building = db.session.get(Building, appraisal.building_id) if appraisal else None
    require_visible(user, building, "该鉴定报告")
    return appraisal


def open_document(appraisal: Appraisal) -> tuple[BinaryIO, int]:
    store = document_store()
    if appraisal.document_sha256 is None or not store.exists(appraisal.document_sha256):
        raise ApiError("resource.not_found", "鉴定报告文件缺失，请联系管理员")
    return store.open(appraisal.document_sha256), store.size(appraisal.document_sha256)
