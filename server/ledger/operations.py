"""A building's current status per indicator, derived by sync.status from everything kept."""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.extensions import db
from server.surveys.models import Submission, SurveyRound
from sync.status import Appraisal as AppraisalFact
from sync.status import Observation, current_status


def indicator_statuses(building: Building, survey_round: SurveyRound, system) -> list[dict]:
    submissions = db.session.scalars(
        select(Submission).where(Submission.building_id == building.id,
                                 Submission.round_id == survey_round.id)
        .options(selectinload(Submission.findings)).order_by(Submission.id)).all()
    appraisals = db.session.scalars(
        select(Appraisal).where(Appraisal.building_id == building.id,
                                Appraisal.round_id == survey_round.id)).all()
    observations, appraisal_facts = defaultdict(list), defaultdict(list)
    for submission in submissions:
        observations[submission.indicator].append(Observation(
            submission.uuid, submission.counts, submission.captured_at, submission.id,
            tuple(f.status for f in submission.findings)))
    for appraisal in appraisals:
        appraisal_facts[appraisal.indicator].append(AppraisalFact(
            appraisal.id, appraisal.conclusion == "hazard", appraisal.appraised_on, appraisal.id))
    rows = []
    for indicator in system.indicators:
        number = indicator["number"]
        status = current_status(number, observations[number], appraisal_facts[number])
        rows.append({"indicator": number, "name": indicator["name"],
                     "short_name": indicator["short_name"], "counts": status.counts,
                     "label": status.label, "source": status.source, "basis": status.basis,
                     "observations": status.observations, "disagreement": status.disagreement,
                     "needs_resurvey": status.needs_resurvey})
    return rows
