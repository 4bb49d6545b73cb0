"""One building's state per indicator by the counting rule (sync/counting.py), with what the
desk shows beside it: the evidence behind the state and where the field disagrees."""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms import applies
from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.catalog import form_registry
from server.extensions import db
from server.findings.models import Finding
from server.ledger.counting import counting_questions
from server.surveys.models import Submission, SurveyRound
from sync import counting, lifecycle


def indicator_statuses(building: Building, survey_round: SurveyRound, system) -> list[dict]:
    submissions = db.session.scalars(
        select(Submission).where(Submission.building_id == building.id,
                                 Submission.round_id == survey_round.id)
        .options(selectinload(Submission.findings)).order_by(Submission.id)).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.building_id == building.id,
                              Finding.round_id == survey_round.id)).all()
    appraised = set(db.session.scalars(
        select(Appraisal.indicator).where(Appraisal.building_id == building.id,
                                          Appraisal.round_id == survey_round.id)))
    forms = {form.indicator: form for form in form_registry().forms(system.code)}
    counted = counting_questions(survey_round.system)
    facts = building.facts()
    by_indicator, observed = defaultdict(list), defaultdict(list)
    for finding in findings:
        if finding_counts(finding, counted):
            by_indicator[finding.indicator].append(finding.status)
    for submission in submissions:
        observed[submission.indicator].append(submission)
    rows = []
    for indicator in system.indicators:
        number = indicator["number"]
        form = forms.get(number)
        statuses = tuple(by_indicator[number])
        state = counting.building_state(counting.Evidence(
            statuses, surveyed=bool(observed[number]) or number in appraised,
            applies=form is None or applies(form, facts)))
        latest = _latest(observed[number])
        rows.append({
            "indicator": number, "name": indicator["name"],
            "short_name": indicator["short_name"], "state": state,
            "label": counting.label(state), "counts": state == counting.COUNTS,
            "confirmed": sum(s in lifecycle.CONFIRMED for s in statuses),
            "undecided": sum(s in counting.UNDECIDED for s in statuses),
            "observations": len(observed[number]),
            "disagreement": len({s.counts for s in observed[number]}) > 1,
            "needs_resurvey": latest is not None and any(
                f.status in lifecycle.SENT_BACK for f in latest.findings)})
    return rows


def finding_counts(finding: Finding, counted: dict) -> bool:
    """Whether a finding's problem is one its indicator counts (counting.counting_finding)."""
    ids = counted.get(finding.indicator)
    return finding.question_id is None or ids is None or finding.question_id in ids


def _latest(submissions):
    # Missing capture times sort first; receipt order breaks ties.
    return max(submissions, default=None,
               key=lambda s: (s.captured_at is not None, s.captured_at or s.received_at, s.id))
