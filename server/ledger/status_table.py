"""Keeps building_statuses (models.py) equal to the status rule, transaction by transaction.

Whenever a flush writes a submission, a finding or an appraisal, its (round, building) is noted;
just before the transaction commits (server/commit_pipeline.py), those buildings' rows are
derived again from everything kept
(counting.evidence_states) and replaced. The buildings are locked first, in id order, so two
transactions touching one building take turns: the second derives its rows after the first has
committed and sees its evidence (READ COMMITTED takes a new snapshot per statement). The lock is
FOR NO KEY UPDATE: inserting a submission already holds a KEY SHARE lock on its building (the
foreign key), which FOR UPDATE would wait on, deadlocking two such writers. The commit pipeline
runs this before the change feed numbers its entries, so every writer takes the building locks
before the feed's counter lock and the two cannot deadlock.
"""
from sqlalchemy import Integer, delete, insert, literal, select

from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.findings.models import Finding
from server.ledger.counting import evidence_states
from server.ledger.models import BuildingStatus
from server.surveys.models import Submission, SurveyRound

STALE = "loujian.stale_statuses"  # session.info key: {round_id: {building_id, …}}
EVIDENCE = (Submission, Finding, Appraisal)
CHUNK = 500  # building ids per statement, well inside every database's parameter limit


def refresh_statuses(session, round_id: int, building_ids) -> None:
    """Derive again the rows of these buildings in this round."""
    ids = sorted(set(building_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        session.execute(select(Building.id).where(Building.id.in_(chunk))
                        .order_by(Building.id).with_for_update(key_share=True))
        session.execute(delete(BuildingStatus).where(BuildingStatus.round_id == round_id,
                                                     BuildingStatus.building_id.in_(chunk)))
        _insert_derived(session, round_id, chunk)


def rebuild_statuses(session, round_id: int) -> None:
    """Derive every row of a round from scratch: after loading evidence in bulk with SQL."""
    session.execute(delete(BuildingStatus).where(BuildingStatus.round_id == round_id))
    _insert_derived(session, round_id, None)


def _insert_derived(session, round_id: int, building_ids) -> None:
    system_code = session.get(SurveyRound, round_id).system
    derived = evidence_states(round_id, system_code, building_ids).subquery()
    session.execute(insert(BuildingStatus).from_select(
        ["round_id", "building_id", "indicator", "state"],
        select(literal(round_id, Integer), derived.c.building_id, derived.c.indicator,
               derived.c.state)))


def note_touched_buildings(session) -> None:
    """After a flush (commit pipeline): note the (round, building) of any evidence it wrote."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, EVIDENCE) and obj.round_id is not None and obj.building_id is not None:
            session.info.setdefault(STALE, {}).setdefault(obj.round_id, set()).add(obj.building_id)


def refresh_touched_buildings(session) -> None:
    """Before commit (commit pipeline, first step): derive the noted buildings again."""
    for round_id, building_ids in session.info.pop(STALE, {}).items():
        refresh_statuses(session, round_id, building_ids)


def forget_touched_buildings(session) -> None:
    session.info.pop(STALE, None)
