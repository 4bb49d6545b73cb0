"""The counting rule of sync/counting.py as SQL, for a county at once.

Two halves, because they change at different times:
- what the evidence says (是 / 待审核 / 否) changes when a submission, a finding or an appraisal
  is written: `evidence_states` derives it, and status_table.py keeps it in building_statuses,
  one row per building and indicator that has evidence;
- whether the indicator applies (不适用) follows the building's facts and the round's forms:
  `applies` is a condition on buildings, evaluated when read.
`state_of` joins the two into the five states, in the rule's order.
"""
from functools import cache

from sqlalchemy import Integer, String, and_, case, func, literal, null, or_, select, true
from sqlalchemy import union_all

from forms.findings import counting_question_ids
from server.appraisals.models import Appraisal
from server.catalog import form_registry
from server.findings.models import Finding
from server.ledger.fact_rules import applies_condition
from server.ledger.models import BuildingStatus
from server.surveys.models import Submission
from sync import counting, lifecycle

CONFIRMED_RANK, UNDECIDED_RANK = 1, 2


def counting_questions(system_code: str) -> dict[int, frozenset | None]:
    """indicator → the question ids whose findings count, or None where every finding does."""
    return _counting_questions(form_registry(), system_code)


@cache
def _counting_questions(registry, system_code: str) -> dict[int, frozenset | None]:
    """indicator → the question ids whose findings count, or None where every finding does."""
    counted = {}
    for form in registry.forms(system_code):
        ids = counting_question_ids(form)
        every = len(ids) == len(form.defect_questions)
        counted[form.indicator] = None if every else ids
    return counted


@cache
def _apply_rules(registry, system_code: str) -> dict[int, object]:
    return {form.indicator: form.applies_if for form in registry.forms(system_code)}


def measured_indicators(system_code: str) -> frozenset:
    """The indicators not counted in 栋: their forms have a measure (e.g. 2025's 5, in 套)."""
    return _measured_indicators(form_registry(), system_code)


@cache
def _measured_indicators(registry, system_code: str) -> frozenset:
    return frozenset(form.indicator for form in registry.forms(system_code)
                     if form.measure is not None)


def counting_finding(system_code: str):
    """A condition on Finding: its problem is one its indicator counts (sync/counting.py)."""
    narrowed = {n: ids for n, ids in counting_questions(system_code).items()
                if ids is not None}
    if not narrowed:
        return true()
    return or_(Finding.question_id.is_(None), Finding.indicator.not_in(narrowed),
               *[and_(Finding.indicator == n, Finding.question_id.in_(sorted(ids)))
                 for n, ids in narrowed.items()])


def applies(system_code: str, indicator: int):
    """A condition on Building (never NULL): the indicator's form applies to its facts."""
    return applies_condition(_apply_rules(form_registry(), system_code).get(indicator))


def evidence_states(round_id: int, system_code: str, building_ids=None):
    """Rows (building_id, indicator, state, amount) with state 是/待审核/否 for every building and
    indicator with evidence in the round; `building_ids` (a list or a SELECT) narrows. `amount`
    is the measure of the building's latest survey of an indicator not counted in 栋, else NULL."""
    in_round = counting_finding(system_code)
    rank = case((and_(Finding.status.in_(lifecycle.CONFIRMED), in_round), CONFIRMED_RANK),
                (and_(Finding.status.in_(counting.UNDECIDED), in_round), UNDECIDED_RANK),
                else_=null())

    def source(model, rank_value, surveyed):
        stmt = select(model.building_id.label("building_id"), model.indicator.label("indicator"),
                      rank_value.label("rank"), literal(surveyed, Integer).label("surveyed")
                      ).where(model.round_id == round_id)
        return stmt if building_ids is None else stmt.where(model.building_id.in_(building_ids))

    sources = union_all(source(Finding, rank, 0),
                        source(Submission, null().cast(Integer), 1),
                        source(Appraisal, null().cast(Integer), 1)).subquery()
    best = func.min(sources.c.rank)
    state = case((best == CONFIRMED_RANK, counting.COUNTS),
                 (best == UNDECIDED_RANK, counting.PENDING),
                 (func.max(sources.c.surveyed) == 1, counting.CLEAR), else_=null())
    grouped = (select(sources.c.building_id, sources.c.indicator, state.label("state"))
               .group_by(sources.c.building_id, sources.c.indicator).subquery())
    measured = measured_indicators(system_code)
    if not measured:
        return select(grouped, null().cast(Integer).label("amount")).where(
            grouped.c.state.is_not(None))
    latest = _latest_measures(round_id, measured, building_ids)
    return (select(grouped, latest.c.measure.label("amount"))
            .outerjoin(latest, and_(latest.c.building_id == grouped.c.building_id,
                                    latest.c.indicator == grouped.c.indicator, latest.c.latest == 1))
            .where(grouped.c.state.is_not(None)))


def _latest_measures(round_id: int, indicators, building_ids):
    """Per building and measured indicator, its surveys' measures numbered from the latest
    (by capture time; the one received last where a phone gave none)."""
    newest_first = func.row_number().over(
        partition_by=(Submission.building_id, Submission.indicator),
        order_by=(Submission.captured_at.desc().nulls_last(), Submission.id.desc()))
    stmt = select(Submission.building_id, Submission.indicator, Submission.measure,
                  newest_first.label("latest")).where(Submission.round_id == round_id,
                                                      Submission.indicator.in_(sorted(indicators)))
    if building_ids is not None:
        stmt = stmt.where(Submission.building_id.in_(building_ids))
    return stmt.subquery("latest_measure")


def kept_states(round_id: int, building_ids=None):
    """building_statuses of the round as rows (building_id, indicator, state, amount)."""
    stmt = select(BuildingStatus.building_id, BuildingStatus.indicator, BuildingStatus.state,
                  BuildingStatus.amount).where(BuildingStatus.round_id == round_id)
    if building_ids is not None:
        stmt = stmt.where(BuildingStatus.building_id.in_(building_ids))
    return stmt.subquery("building_status")


def state_of(kept_state, system_code: str, indicator: int):
    """The five-state value for a Building row, given its kept state for the indicator (a
    column that is NULL where nothing was kept)."""
    return case(
        (kept_state.in_((counting.COUNTS, counting.PENDING)), kept_state),
        (~applies(system_code, indicator), literal(counting.NOT_APPLICABLE, String)),
        (kept_state == counting.CLEAR, kept_state),
        else_=literal(counting.NOT_SURVEYED, String))


def pivoted_states(round_id: int, numbers, building_ids=None, measured=()):
    """A subquery: building_id, one column `s<n>` per indicator with its kept state, and one
    column `a<n>` per measured indicator with the building's amount."""
    kept = kept_states(round_id, building_ids)
    return (select(kept.c.building_id, *[
        func.max(case((kept.c.indicator == n, kept.c.state))).label(f"s{n}") for n in numbers],
        *[func.max(case((kept.c.indicator == n, kept.c.amount))).label(f"a{n}")
          for n in measured])
        .group_by(kept.c.building_id).subquery("kept"))
