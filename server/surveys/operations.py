"""Recording a filled form: validated against its form, append-only, idempotent by uuid."""
import uuid as uuid_module

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms import (
    RetiredFormError,
    UnknownFormError,
    counts,
    derive_defects,
    follow_ups,
    measure_value,
    validate_answers,
)
from server.accounts.models import User
from server.accounts.scopes import can_see_estate, require_can_survey
from server.audit.operations import record
from server.catalog import round_context
from server.buildings.operations import get_building
from server.db_types import as_utc
from server.errors import ApiError
from server.extensions import db
from server.findings.operations import finding_from_defect
from server.followups.operations import open_follow_ups
from server.surveys.models import Submission, SurveyRound
from server.signals import round_opened

# The operations below check everything before they add or change anything, and leave flushing
# to their caller: sync applies a whole batch with one flush (see server/syncing/operations.py).


def record_submission(user: User, payload: dict, registry, survey_round: SurveyRound
                      ) -> Submission:
    """One filled form, validated against its form version; its defects become findings.
    Exactly-once is the caller's (the sync operation log's); the unique uuid backs it up."""
    form = form_for(registry, payload["form_id"], payload["form_version"])
    building = get_building(user, payload["building_id"])
    require_can_survey(user, building)
    if form.system != survey_round.system:
        raise ApiError("request.invalid",
                       f"表单 {form.id} 属于 {form.system} 指标体系，与轮次 {survey_round.code} 不符")
    facts = building.facts()
    context = round_context(survey_round)
    problems = validate_answers(form, payload["answers"], facts, context)
    if problems:
        raise ApiError("request.invalid", "表单填写有误，请按提示修改",
                       details={"fields": {"answers": problems}})

    submission = Submission(
        uuid=str(payload["id"]), round=survey_round, building=building,
        indicator=form.indicator, form_id=form.id, form_version=form.version, author=user,
        answers=payload["answers"], counts=counts(form, payload["answers"], facts, context),
        follow_ups=follow_ups(form, payload["answers"], facts, context),
        measure=_whole(measure_value(form, payload["answers"], facts, context)),
        captured_at=as_utc(payload.get("captured_at")))
    db.session.add(submission)
    for defect in derive_defects(form, payload["answers"], facts, context):
        submission.findings.append(finding_from_defect(defect, submission, user))
    open_follow_ups(submission)
    record(user, "submission.created", "submission", submission.uuid,
           building_id=building.id, indicator=form.indicator, findings=len(submission.findings))
    return submission


def _whole(measure):
    """A measure counts households or 套: kept as the whole number it is."""
    return None if measure is None else round(measure)


def form_for(registry, form_id: str, version: int | None, allow_retired: bool = False):
    """The form by id and version (current when None), as an API error when it cannot be used."""
    wanted = f"表单 {form_id}" + (f" 第 {version} 版" if version else "")
    try:
        return registry.get(form_id, version, include_retired=allow_retired)
    except UnknownFormError:
        raise ApiError("form.unknown", f"找不到{wanted}") from None
    except RetiredFormError:
        raise ApiError("form.retired", f"{wanted}已停用，请更新应用后重新填写") from None



def find_submission(user: User, submission_uuid: str) -> Submission:
    """The submission, if the user may see its building. Unknown, malformed and out-of-scope
    uuids get the same answer, which names nothing (not the building, not whether it exists)."""
    try:
        wanted = str(uuid_module.UUID(submission_uuid))
    except ValueError:
        wanted = None
    submission = wanted and db.session.scalar(select(Submission).where(Submission.uuid == wanted))
    if not submission or not can_see_estate(user, submission.building.estate):
        raise ApiError("resource.not_found", "找不到这份调查表，或不在您负责的范围内")
    return submission


def other_observations(submission: Submission) -> list[Submission]:
    """The other surveys of the same building and indicator, newest first (every round)."""
    return db.session.scalars(
        select(Submission).where(Submission.building_id == submission.building_id,
                                 Submission.indicator == submission.indicator,
                                 Submission.id != submission.id)
        .options(selectinload(Submission.author), selectinload(Submission.round))
        .order_by(Submission.received_at.desc(), Submission.id.desc())).all()


def open_round(code: str, system: str, title: str | None, make_current: bool) -> SurveyRound:
    """A new survey round. Those who listen hear of it (server.signals.round_opened): the change
    feed sends last round's open problems to the workers again, to follow up."""
    previous = db.session.scalar(select(SurveyRound).where(SurveyRound.is_current.is_(True)))
    new_round = SurveyRound(code=code, system=system, title=title or f"{code}年城市体检",
                            previous_round=previous, is_current=make_current)
    if previous is not None and make_current:
        previous.is_current = False
    db.session.add(new_round)
    db.session.flush()
    round_opened.send(new_round, session=db.session)
    return new_round
