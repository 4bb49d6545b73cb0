"""Recording a filled form: validated against its form, append-only, idempotent by uuid."""
import uuid as uuid_module
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms import RetiredFormError, UnknownFormError, counts, derive_defects, validate_answers
from server.accounts.models import User
from server.accounts.scopes import require_can_survey
from server.audit.operations import record
from server.buildings.operations import get_building
from server.errors import ApiError
from server.extensions import db
from server.surveys.models import Finding, FindingPhoto, Submission, SurveyRound
from sync.idempotency import differing_fields


def record_submission(user: User, payload: dict, registry, survey_round: SurveyRound
                      ) -> tuple[Submission, bool]:
    """Returns the submission and whether it was created now (False: a replay)."""
    submission_uuid = str(payload["uuid"])
    stored = db.session.scalar(select(Submission).where(Submission.uuid == submission_uuid))
    if stored is not None:
        return _replay(stored, payload, survey_round), False

    form = form_for(registry, payload["form_id"], payload["form_version"])
    building = get_building(user, payload["building_id"])
    require_can_survey(user, building)
    if form.system != survey_round.system:
        raise ApiError("request.invalid",
                       f"表单 {form.id} 属于 {form.system} 指标体系，与轮次 {survey_round.code} 不符")
    facts = building.facts()
    problems = validate_answers(form, payload["answers"], facts)
    if problems:
        raise ApiError("request.invalid", "表单填写有误，请按提示修改",
                       details={"fields": {"answers": problems}})

    submission = Submission(
        uuid=submission_uuid, round=survey_round, building=building, indicator=form.indicator,
        form_id=form.id, form_version=form.version, author=user, answers=payload["answers"],
        counts=counts(form, payload["answers"], facts), captured_at=_in_utc(payload["captured_at"]))
    db.session.add(submission)
    for defect in derive_defects(form, payload["answers"], facts):
        submission.findings.append(_finding_from(defect, submission, user))
    try:
        db.session.flush()
    except IntegrityError:
        # Another request stored the same uuid between our read and our write.
        db.session.rollback()
        stored = db.session.scalar(select(Submission).where(Submission.uuid == submission_uuid))
        return _replay(stored, payload, survey_round), False
    record(user, "submission.created", "submission", submission.uuid,
           building_id=building.id, indicator=form.indicator, findings=len(submission.findings))
    return submission, True


def form_for(registry, form_id: str, version: int | None, allow_retired: bool = False):
    """The form by id and version (current when None), as an API error when it cannot be used."""
    wanted = f"表单 {form_id}" + (f" 第 {version} 版" if version else "")
    try:
        return registry.get(form_id, version, include_retired=allow_retired)
    except UnknownFormError:
        raise ApiError("form.unknown", f"找不到{wanted}") from None
    except RetiredFormError:
        raise ApiError("form.retired", f"{wanted}已停用，请更新应用后重新填写") from None


def _replay(stored: Submission, payload: dict, survey_round: SurveyRound) -> Submission:
    incoming = {"building_id": payload["building_id"], "form_id": payload["form_id"],
                "form_version": payload["form_version"], "answers": payload["answers"],
                "captured_at": _in_utc(payload["captured_at"]), "round": survey_round.code}
    kept = {"building_id": stored.building_id, "form_id": stored.form_id,
            "form_version": stored.form_version, "answers": stored.answers,
            "captured_at": stored.captured_at, "round": stored.round.code}
    differences = differing_fields(kept, incoming)
    if differences:
        raise ApiError("submission.conflict",
                       f"编号 {stored.uuid} 已提交过不同内容（{'、'.join(differences)} 不同）",
                       details={"uuid": stored.uuid, "differing_fields": differences})
    return stored


def _in_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(timezone.utc) if moment is not None else None


def _finding_from(defect: dict, submission: Submission, user: User) -> Finding:
    location = defect.get("location") or {}
    finding = Finding(
        uuid=str(uuid_module.uuid5(uuid_module.UUID(submission.uuid), defect["question_id"])),
        round=submission.round, building=submission.building, indicator=submission.indicator,
        question_id=defect["question_id"], check_item=defect["check_item"],
        unit=location.get("unit"), floor=location.get("floor"),
        location_detail=location.get("detail"), severity=defect["severity"],
        problem_class=defect["class"], responsible_unit=defect.get("responsible_unit"),
        difficulty=defect.get("difficulty"),
        suggestion=defect.get("suggestion"), author_id=user.id)
    for position, sha256 in enumerate(dict.fromkeys(defect.get("photos") or [])):
        finding.photos.append(FindingPhoto(sha256=sha256, position=position))
    return finding
