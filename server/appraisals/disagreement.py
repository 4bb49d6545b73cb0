"""Where the field disagrees with the appraisal that governs a building's indicator (any indicator
its round's system has agencies appraise; an appraisal exists only for those).

For a building, indicator and round, the governing appraisal is the latest by appraised_on, the
id breaking ties (as server/appraisals/findings.py). A finding says "there is a problem", so a finding disagrees
when the governing appraisal found no hazard; a submission disagrees when its conclusion
(counts or not) differs from the appraisal's. A verified (销项) finding is settled and never
flagged. The plain rule is `disagrees`; the rest are the same rule as SQL.
"""
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.extensions import db
from server.findings.models import Finding
from server.surveys.models import Submission
from sync import lifecycle


def disagrees(counts: bool, conclusion: str | None) -> bool:
    """Whether a field observation (`counts`: it found a problem) contradicts the governing
    appraisal's conclusion (None: no appraisal, as for every indicator agencies do not appraise)."""
    if conclusion is None:
        return False
    return counts != (conclusion == "hazard")


def governing(appraisal):
    """A WHERE clause on an Appraisal alias: no later appraisal of its building, indicator and
    round exists."""
    later = aliased(Appraisal)
    return ~exists().where(
        later.building_id == appraisal.building_id, later.indicator == appraisal.indicator,
        later.round_id == appraisal.round_id,
        or_(later.appraised_on > appraisal.appraised_on,
            and_(later.appraised_on == appraisal.appraised_on, later.id > appraisal.id)))


def contradicts_appraisal():
    """A WHERE clause on Finding: it disagrees with its building's governing appraisal."""
    ruling = aliased(Appraisal)
    return and_(
        Finding.status.not_in(lifecycle.COMPLETED),
        exists().where(ruling.building_id == Finding.building_id,
                       ruling.indicator == Finding.indicator,
                       ruling.round_id == Finding.round_id,
                       ruling.conclusion == "no_hazard", governing(ruling)))


def disagreeing_findings(user: User, round_id: int | None = None):
    """A SELECT of the findings the user can see that disagree with an appraisal."""
    stmt = (select(Finding).join(Building, Finding.building_id == Building.id)
            .where(buildings_visible_to(user), contradicts_appraisal()))
    if round_id is not None:
        stmt = stmt.where(Finding.round_id == round_id)
    return stmt.order_by(Finding.created_at, Finding.id)


def governing_appraisal(building_id: int, indicator: int, round_id: int) -> Appraisal | None:
    return db.session.scalar(
        select(Appraisal).where(Appraisal.building_id == building_id,
                                Appraisal.indicator == indicator, Appraisal.round_id == round_id)
        .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc()).limit(1))


def ruling_against(finding: Finding) -> Appraisal | None:
    """The governing appraisal a finding disagrees with, or None when it does not."""
    if finding.status in lifecycle.COMPLETED:
        return None
    ruling = governing_appraisal(finding.building_id, finding.indicator, finding.round_id)
    if ruling is None or not disagrees(True, ruling.conclusion):
        return None
    return ruling


def disagreeing_submission_ids(building_id: int) -> set[int]:
    """The building's submissions (any round) whose conclusion contradicts the appraisal that
    governs their indicator and round."""
    ruling = aliased(Appraisal)
    return set(db.session.scalars(
        select(Submission.id).join(ruling, and_(ruling.building_id == Submission.building_id,
                                                ruling.indicator == Submission.indicator,
                                                ruling.round_id == Submission.round_id))
        .where(Submission.building_id == building_id, governing(ruling),
               or_(and_(Submission.counts.is_(True), ruling.conclusion == "no_hazard"),
                   and_(Submission.counts.is_(False), ruling.conclusion == "hazard")))))
