"""What the field does with a finding: report one on its own, correct it, report it fixed.
Each move is checked against the lifecycle (sync/lifecycle.py). A finding that comes with a
filled form is made from the form's defects (server/surveys/operations.py) by the same hands."""
import uuid as uuid_module

from sqlalchemy import select

from forms import check_item_question, reported_defect
from server.accounts.models import User
from server.accounts.scopes import require_can_survey, require_visible
from server.audit.operations import record
from server.catalog import round_context
from server.buildings.operations import get_building
from server.db_types import as_utc
from server.errors import ApiError
from server.extensions import db
from server.findings.models import Finding, FindingPhoto, Rectification
from server.surveys.models import Submission, SurveyRound
from sync import lifecycle

# The operations below check everything before they add or change anything, and leave flushing
# to their caller: sync applies a whole batch with one flush (see server/syncing/operations.py).


def follow(move, *args):
    """A lifecycle move, its refusal as the API's error."""
    try:
        return move(*args)
    except lifecycle.TransitionRefused as refusal:
        raise ApiError(refusal.code, refusal.message) from None



def finding_from_defect(defect: dict, submission: Submission | None, user: User, *,
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
        uuid=finding_uuid, captured_at=captured_at, status=lifecycle.INITIAL,
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
    defect = reported_defect(form, question, building.facts(), round_context(survey_round))
    defect["location"] = {"unit": payload.get("unit"), "floor": payload.get("floor"),
                          "detail": payload.get("location_detail")}
    defect["photos"] = payload.get("photos", [])
    finding = finding_from_defect(defect, None, user, finding_uuid=str(payload["id"]),
                            survey_round=survey_round, building=building,
                            indicator=form.indicator)
    finding.description = payload.get("description")
    finding.captured_at = as_utc(payload.get("captured_at"))
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
    require_visible(user, finding.building if finding else None, "该问题")
    return finding


def update_finding(user: User, finding_uuid: str, changes: dict) -> Finding:
    """The author corrects a finding not yet confirmed; one sent back returns to review."""
    finding = find_finding(user, finding_uuid, to_change=True)
    if finding.author_id != user.id:
        raise ApiError("auth.forbidden", "只能修改自己上报的问题")
    new_status = follow(lifecycle.after_correction, finding.status)
    before = {k: getattr(finding, k) for k in changes if k != "add_photos"}
    for name, value in before.items():
        setattr(finding, name, changes[name])
    known = {p.sha256 for p in finding.photos}
    for sha256 in changes.get("add_photos", []):
        if sha256 not in known:
            finding.photos.append(FindingPhoto(sha256=sha256, position=len(finding.photos)))
            known.add(sha256)
    finding.status = new_status
    record(user, "finding.updated", "finding", finding.uuid,
           changes={k: [before[k], changes[k]] for k in before},
           added_photos=changes.get("add_photos", []))
    return finding


def report_rectification(user: User, payload: dict) -> Rectification:
    finding = find_finding(user, str(payload["finding"]), to_change=True)
    require_can_survey(user, finding.building)
    new_status = follow(lifecycle.after_rectification_report, finding.status)
    evidence = {p.sha256 for p in finding.photos}
    reused = [sha256 for sha256 in payload.get("photos", []) if sha256 in evidence]
    if reused:
        raise ApiError("request.invalid", "整改后照片不能与问题照片相同，请拍摄整改后的现场",
                       details={"fields": {"photos": reused}})
    rectification = Rectification(uuid=str(payload["id"]), finding=finding, author_id=user.id,
                                  note=payload.get("note"),
                                  rectified_on=payload.get("rectified_on"))
    for position, sha256 in enumerate(dict.fromkeys(payload.get("photos", []))):
        rectification.photos.append(FindingPhoto(finding_id=finding.id, sha256=sha256,
                                                 position=position))
    finding.status = new_status
    db.session.add(rectification)
    record(user, "finding.rectified", "finding", finding.uuid, rectification=rectification.uuid)
    return rectification
