"""Recording a filled form: validated against its form, append-only, idempotent by uuid."""
import uuid as uuid_module
from datetime import datetime, timezone

from sqlalchemy import select

from forms import (RetiredFormError, UnknownFormError, check_item_question, counts,
                   derive_defects, reported_defect, validate_answers)
from server.accounts.models import User
from server.accounts.scopes import require_can_survey, require_visible
from server.audit.operations import record
from server.buildings.operations import get_building
from server.errors import ApiError
from server.extensions import db
from server.surveys.models import (FINDING_STATUSES, Finding, FindingPhoto, Rectification,
                                   Submission, SurveyRound)
from server.syncing.feed import announce


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
    problems = validate_answers(form, payload["answers"], facts)
    if problems:
        raise ApiError("request.invalid", "表单填写有误，请按提示修改",
                       details={"fields": {"answers": problems}})

    submission = Submission(
        uuid=str(payload["id"]), round=survey_round, building=building,
        indicator=form.indicator, form_id=form.id, form_version=form.version, author=user,
        answers=payload["answers"], counts=counts(form, payload["answers"], facts),
        captured_at=_in_utc(payload.get("captured_at")))
    db.session.add(submission)
    for defect in derive_defects(form, payload["answers"], facts):
        submission.findings.append(_finding_from(defect, submission, user))
    record(user, "submission.created", "submission", submission.uuid,
           building_id=building.id, indicator=form.indicator, findings=len(submission.findings))
    return submission


def form_for(registry, form_id: str, version: int | None, allow_retired: bool = False):
    """The form by id and version (current when None), as an API error when it cannot be used."""
    wanted = f"表单 {form_id}" + (f" 第 {version} 版" if version else "")
    try:
        return registry.get(form_id, version, include_retired=allow_retired)
    except UnknownFormError:
        raise ApiError("form.unknown", f"找不到{wanted}") from None
    except RetiredFormError:
        raise ApiError("form.retired", f"{wanted}已停用，请更新应用后重新填写") from None


def _in_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(timezone.utc) if moment is not None else None


def _finding_from(defect: dict, submission: Submission | None, user: User, *,
                  finding_uuid=None, survey_round=None, building=None, indicator=None) -> Finding:
    """A finding from a derived defect: of a submission (its uuid derived from the
    submission's), or reported on its own (its uuid the device's)."""
    location = defect.get("location") or {}
    if submission is not None:
        finding_uuid = str(uuid_module.uuid5(uuid_module.UUID(submission.uuid),
                                             defect["question_id"]))
        survey_round, building = submission.round, submission.building
        indicator, captured_at = submission.indicator, submission.captured_at
    else:
        captured_at = None
    finding = Finding(
        uuid=finding_uuid, captured_at=captured_at,
        round=survey_round, building=building, indicator=indicator,
        question_id=defect["question_id"], check_item=defect["check_item"],
        unit=location.get("unit"), floor=location.get("floor"),
        location_detail=location.get("detail"), severity=defect["severity"],
        problem_class=defect["class"], responsible_unit=defect.get("responsible_unit"),
        difficulty=defect.get("difficulty"),
        suggestion=defect.get("suggestion"), author_id=user.id)
    for position, sha256 in enumerate(dict.fromkeys(defect.get("photos") or [])):
        finding.photos.append(FindingPhoto(sha256=sha256, position=position))
    return finding


EDITABLE_STATUSES = frozenset({"pending", "returned", "resurvey"})
RECTIFIABLE_STATUSES = frozenset({"accepted", "rectifying"})


def report_finding(user: User, payload: dict, registry, survey_round: SurveyRound) -> Finding:
    """One defect reported on its own (property companies' bulk reports), checked against the
    check items of the indicator's form in this round."""
    building = get_building(user, payload["building_id"])
    require_can_survey(user, building)
    form = next((f for f in registry.forms(survey_round.system)
                 if f.indicator == payload["indicator"]), None)
    if form is None:
        raise ApiError("request.invalid", f"{survey_round.code} 指标体系没有指标 {payload['indicator']}")
    question = check_item_question(form, question_id=payload.get("question_id"),
                                   check_item=payload.get("check_item"))
    if question is None:
        known = "、".join(form.check_items)
        raise ApiError("request.invalid", f"指标{form.indicator}没有这个检查项，可选：{known}",
                       details={"fields": {"check_item": ["未知的检查项"]},
                                "check_items": form.check_items})
    defect = reported_defect(form, question, building.facts())
    defect["location"] = {"unit": payload.get("unit"), "floor": payload.get("floor"),
                          "detail": payload.get("location_detail")}
    defect["photos"] = payload.get("photos", [])
    finding = _finding_from(defect, None, user, finding_uuid=str(payload["id"]),
                            survey_round=survey_round, building=building,
                            indicator=form.indicator)
    finding.description = payload.get("description")
    finding.captured_at = _in_utc(payload.get("captured_at"))
    db.session.add(finding)
    record(user, "finding.reported", "finding", finding.uuid, building_id=building.id,
           indicator=form.indicator, check_item=finding.check_item)
    return finding


def find_finding(user: User, finding_uuid: str, *, to_change: bool = False) -> Finding:
    """The finding, if the user may see it. `to_change` locks it until the transaction ends, so
    a change checked against its status cannot interleave with a reviewer's decision."""
    query = select(Finding).where(Finding.uuid == finding_uuid)
    if to_change:
        query = query.with_for_update().execution_options(populate_existing=True)
    finding = db.session.scalar(query)
    if finding is None:
        raise ApiError("resource.not_found", f"找不到问题 {finding_uuid}")
    require_visible(user, finding.building)
    return finding


def update_finding(user: User, finding_uuid: str, changes: dict) -> Finding:
    """The author corrects a finding not yet confirmed; one sent back returns to review."""
    finding = find_finding(user, finding_uuid, to_change=True)
    if finding.author_id != user.id:
        raise ApiError("auth.forbidden", "只能修改自己上报的问题")
    if finding.status not in EDITABLE_STATUSES:
        raise ApiError("finding.not_editable",
                       f"该问题状态为“{finding.status_label}”，不能再修改")
    before = {k: getattr(finding, k) for k in changes if k != "add_photos"}
    for name, value in before.items():
        setattr(finding, name, changes[name])
    known = {p.sha256 for p in finding.photos}
    for sha256 in changes.get("add_photos", []):
        if sha256 not in known:
            finding.photos.append(FindingPhoto(sha256=sha256, position=len(finding.photos)))
            known.add(sha256)
    if finding.status in ("returned", "resurvey"):
        finding.status = "pending"
    record(user, "finding.updated", "finding", finding.uuid,
           changes={k: [before[k], changes[k]] for k in before},
           added_photos=changes.get("add_photos", []))
    return finding


def report_rectification(user: User, payload: dict) -> Rectification:
    finding = find_finding(user, str(payload["finding"]), to_change=True)
    require_can_survey(user, finding.building)
    if finding.status not in RECTIFIABLE_STATUSES:
        raise ApiError("finding.not_editable",
                       f"该问题状态为“{finding.status_label}”，确认后才能上报整改")
    evidence = {p.sha256 for p in finding.photos}
    reused = [sha256 for sha256 in payload.get("photos", []) if sha256 in evidence]
    if reused:
        raise ApiError("request.invalid", "整改后照片不能与问题照片相同，请拍摄整改后的现场",
                       details={"fields": {"photos": reused}})
    rectification = Rectification(uuid=str(payload["id"]), finding=finding, author_id=user.id,
                                  note=payload.get("note"), rectified_on=payload.get("rectified_on"))
    for position, sha256 in enumerate(dict.fromkeys(payload.get("photos", []))):
        rectification.photos.append(FindingPhoto(finding_id=finding.id, sha256=sha256,
                                                 position=position))
    finding.status = "rectified"
    db.session.add(rectification)
    record(user, "finding.rectified", "finding", finding.uuid, rectification=rectification.uuid)
    return rectification


# Not yet 销项 (verified).
OPEN_STATUSES = frozenset(FINDING_STATUSES) - {"verified"}
# Last round's problems a new round carries over for follow-up: those not yet 销项, except the ones
# sent back (returned: not a confirmed problem). Pending and resurvey may still be problems;
# accepted, rectifying and rectified are confirmed and not yet closed.
CARRIED_OVER_STATUSES = OPEN_STATUSES - {"returned"}


def open_round(code: str, system: str, title: str | None, make_current: bool) -> SurveyRound:
    """A new survey round. Last round's problems carried over are put in the change feed again,
    so the workers who survey those buildings see them to follow up."""
    previous = db.session.scalar(select(SurveyRound).where(SurveyRound.is_current.is_(True)))
    new_round = SurveyRound(code=code, system=system, title=title or f"{code}年城市体检",
                            previous_round=previous, is_current=make_current)
    if previous is not None and make_current:
        previous.is_current = False
    db.session.add(new_round)
    if previous is not None:
        carried_over = db.session.execute(
            select(Finding.uuid, Finding.building_id).where(
                Finding.round_id == previous.id, Finding.status.in_(CARRIED_OVER_STATUSES)))
        for finding_uuid, building_id in carried_over:
            announce("finding", finding_uuid, building_id)
    db.session.flush()
    return new_round
