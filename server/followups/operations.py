"""Follow-ups as work: opened when a survey asks for an agency's look, withdrawn when a later
survey of the same building and indicator no longer asks, closed by the agency's appraisal,
assigned to an agency by the bureau; and who sees which.

Who sees them (the desk's 待专业机构评估 and GET /api/follow-ups): reviewers and admins every
follow-up of their county; an agency those of its county not assigned to another agency; the
field roles none. Anything else is "not found or not yours".
"""
from sqlalchemy import false, or_, select
from sqlalchemy.orm import selectinload

from server.accounts.models import Agency, Role, User
from server.accounts.scopes import buildings_visible_to, not_found_or_not_yours
from server.appraisals.models import Appraisal
from server.audit.operations import record
from server.buildings.models import Building, Estate
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db
from server.followups.models import APPRAISED, OPEN, WITHDRAWN, FollowUp
from server.surveys.models import Submission

DESK_ROLES = frozenset({Role.REVIEWER, Role.ADMIN, Role.AGENCY})
ASSIGNING_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
WHAT = "该评估事项"


def open_follow_ups(submission: Submission) -> None:
    """After a survey is added: a work item for each follow-up its form asked for. An open one of
    an earlier survey of the building and indicator in the round stays open (with its agency) if
    this survey asks the same question again, and is withdrawn if it does not: the latest survey
    says what is still needed. Adds only; the caller flushes (a sync batch flushes once)."""
    asked = {item["question_id"]: item["reason"] for item in submission.follow_ups or []}
    key = (submission.round.id, submission.building.id, submission.indicator)
    with db.session.no_autoflush:
        stored = db.session.scalars(select(FollowUp).where(
            FollowUp.round_id == key[0], FollowUp.building_id == key[1],
            FollowUp.indicator == key[2], FollowUp.status == OPEN)).all()
    pending = [f for f in db.session.new if isinstance(f, FollowUp) and f.status == OPEN
               and (f.round_id, f.building_id, f.indicator) == key]
    kept = set()
    for earlier in [*stored, *pending]:
        if earlier.question_id in asked:
            kept.add(earlier.question_id)
        else:
            earlier.status, earlier.closed_at = WITHDRAWN, utcnow()
    for question_id, reason in asked.items():
        if question_id not in kept:
            db.session.add(FollowUp(submission=submission, round_id=key[0], building_id=key[1],
                                    indicator=key[2], question_id=question_id, reason=reason,
                                    status=OPEN))


def close_follow_ups(appraisal: Appraisal) -> None:
    """After an appraisal is stored: the open follow-ups of its building and indicator in its
    round (all made before it) are appraised by it."""
    for follow_up in db.session.scalars(select(FollowUp).where(
            FollowUp.round_id == appraisal.round_id, FollowUp.building_id == appraisal.building_id,
            FollowUp.indicator == appraisal.indicator, FollowUp.status == OPEN)):
        follow_up.status, follow_up.appraisal_id = APPRAISED, appraisal.id
        follow_up.closed_at = utcnow()


def visible_follow_ups(user: User):
    """A SELECT of the follow-ups the user may see, newest first."""
    stmt = select(FollowUp).join(Building, FollowUp.building_id == Building.id).where(
        buildings_visible_to(user))
    if user.role == Role.AGENCY:
        stmt = stmt.where(or_(FollowUp.agency_id.is_(None), FollowUp.agency_id == user.agency_id))
    elif user.role not in ASSIGNING_ROLES:
        stmt = stmt.where(false())
    return stmt.options(
        selectinload(FollowUp.building).selectinload(Building.estate).selectinload(
            Estate.community),
        selectinload(FollowUp.submission).selectinload(Submission.author),
        selectinload(FollowUp.submission).selectinload(Submission.findings),
        selectinload(FollowUp.agency), selectinload(FollowUp.appraisal),
    ).order_by(FollowUp.created_at.desc(), FollowUp.id.desc())


def listed_follow_ups(user: User, query: dict):
    """visible_follow_ups narrowed by the list's filters: status (open by default; all), indicator."""
    stmt = visible_follow_ups(user)
    if query.get("status", OPEN) != "all":
        stmt = stmt.where(FollowUp.status == query.get("status", OPEN))
    if query.get("indicator") is not None:
        stmt = stmt.where(FollowUp.indicator == query["indicator"])
    return stmt


def get_follow_up(user: User, follow_up_id: int) -> FollowUp:
    found = db.session.scalar(visible_follow_ups(user).where(FollowUp.id == follow_up_id))
    if found is None:
        raise not_found_or_not_yours(WHAT)
    return found


def agencies_to_assign(user: User) -> list[Agency]:
    """The agencies of the user's county, by name (what 指派 offers)."""
    return list(db.session.scalars(select(Agency).where(Agency.county_id == user.county_id)
                                   .order_by(Agency.name, Agency.id)))


def assign(user: User, follow_up_id: int, agency_id: int | None) -> FollowUp:
    """The bureau gives an open follow-up to one of its county's agencies (None: to any)."""
    if user.role not in ASSIGNING_ROLES:
        raise ApiError("auth.forbidden", "只有住建局可以指派专业机构")
    follow_up = get_follow_up(user, follow_up_id)
    agency = None
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id)
        if agency is None or agency.county_id != user.county_id:
            raise not_found_or_not_yours("该专业机构")
    if follow_up.status != OPEN:
        raise ApiError("follow_up.closed")
    before = follow_up.agency.name if follow_up.agency else None
    follow_up.agency = agency
    record(user, "follow_up.assigned", "follow_up", str(follow_up.id),
           building_id=follow_up.building_id, indicator=follow_up.indicator,
           agency=[before, agency.name if agency else None])
    return follow_up
