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

The estates' tallies (status_tallies) change by what the refresh changed: the rows taken away and
the rows put back are counted per (estate, indicator, state) and the difference is added to the
tally with one upsert, keys in order, so two writers in one estate take the tally rows' locks in
the same order and add up rather than overwrite each other. A building that moved to another
estate (an import, a desk edit) is derived again in every round that keeps rows for it: its old
rows leave the old estate's tally, its new rows join the new one's.
"""
from sqlalchemy import Integer, delete, func, inspect, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.findings.models import Finding
from server.ledger.counting import evidence_states
from server.ledger.models import BuildingStatus, StatusTally
from server.surveys.models import Submission, SurveyRound

STALE = "loujian.stale_statuses"  # session.info key: {round_id: {building_id, …}}
MOVED = "loujian.moved_buildings"  # session.info key: {building_id, …} whose estate was set
EVIDENCE = (Submission, Finding, Appraisal)
CHUNK = 500  # building ids per statement, well inside every database's parameter limit


def refresh_statuses(session, round_id: int, building_ids) -> None:
    """Derive again the rows of these buildings in this round, and their estates' tallies."""
    ids = sorted(set(building_ids))
    change = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        session.execute(select(Building.id).where(Building.id.in_(chunk))
                        .order_by(Building.id).with_for_update(key_share=True))
        _count_into(change, session, round_id, chunk, -1)
        session.execute(delete(BuildingStatus).where(BuildingStatus.round_id == round_id,
                                                     BuildingStatus.building_id.in_(chunk)))
        _insert_derived(session, round_id, chunk)
        _count_into(change, session, round_id, chunk, +1)
    _add_to_tallies(session, round_id, change)


def rebuild_statuses(session, round_id: int) -> None:
    """Derive every row of a round from scratch: after loading evidence in bulk with SQL."""
    session.execute(delete(BuildingStatus).where(BuildingStatus.round_id == round_id))
    _insert_derived(session, round_id, None)
    session.execute(delete(StatusTally).where(StatusTally.round_id == round_id))
    session.execute(insert(StatusTally).from_select(
        ["round_id", "estate_id", "indicator", "state", "buildings", "amount"],
        select(BuildingStatus.round_id, BuildingStatus.estate_id, BuildingStatus.indicator,
               BuildingStatus.state, func.count(), func.coalesce(func.sum(BuildingStatus.amount), 0))
        .where(BuildingStatus.round_id == round_id)
        .group_by(BuildingStatus.round_id, BuildingStatus.estate_id, BuildingStatus.indicator,
                  BuildingStatus.state)))


def _insert_derived(session, round_id: int, building_ids) -> None:
    system_code = session.get(SurveyRound, round_id).system
    derived = evidence_states(round_id, system_code, building_ids).subquery()
    session.execute(insert(BuildingStatus).from_select(
        ["round_id", "building_id", "indicator", "state", "amount", "estate_id"],
        select(literal(round_id, Integer), derived.c.building_id, derived.c.indicator,
               derived.c.state, derived.c.amount, Building.estate_id)
        .join(Building, Building.id == derived.c.building_id)))


def _count_into(change: dict, session, round_id: int, building_ids, sign: int) -> None:
    """Add sign × the kept rows of these buildings and their amounts, per (estate, indicator,
    state): change[key] = [buildings, amount]."""
    counted = session.execute(
        select(BuildingStatus.estate_id, BuildingStatus.indicator, BuildingStatus.state,
               func.count(), func.coalesce(func.sum(BuildingStatus.amount), 0))
        .where(BuildingStatus.round_id == round_id, BuildingStatus.building_id.in_(building_ids))
        .group_by(BuildingStatus.estate_id, BuildingStatus.indicator, BuildingStatus.state))
    for estate_id, indicator, state, count, amount in counted:
        difference = change.setdefault((estate_id, indicator, state), [0, 0])
        difference[0] += sign * count
        difference[1] += sign * amount


def _add_to_tallies(session, round_id: int, change: dict) -> None:
    rows = [{"round_id": round_id, "estate_id": estate_id, "indicator": indicator,
             "state": state, "buildings": buildings, "amount": amount}
            for (estate_id, indicator, state), (buildings, amount) in sorted(change.items())
            if buildings or amount]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(StatusTally).values(rows)
    session.execute(upsert.on_conflict_do_update(
        index_elements=["round_id", "estate_id", "indicator", "state"],
        set_={"buildings": StatusTally.buildings + upsert.excluded.buildings,
              "amount": StatusTally.amount + upsert.excluded.amount}))


def note_touched_buildings(session) -> None:
    """After a flush (commit pipeline): note the (round, building) of any evidence it wrote, and
    any building it moved to another estate."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, EVIDENCE) and obj.round_id is not None and obj.building_id is not None:
            session.info.setdefault(STALE, {}).setdefault(obj.round_id, set()).add(obj.building_id)
        elif isinstance(obj, Building) and obj.id is not None and _estate_set(obj):
            session.info.setdefault(MOVED, set()).add(obj.id)


def refresh_touched_buildings(session) -> None:
    """Before commit (commit pipeline, first step): derive the noted buildings again."""
    stale = session.info.pop(STALE, {})
    maybe_moved = sorted(session.info.pop(MOVED, set()))
    for start in range(0, len(maybe_moved), CHUNK):
        kept_in = session.execute(
            select(BuildingStatus.round_id, BuildingStatus.building_id).distinct()
            .join(Building, Building.id == BuildingStatus.building_id)
            .where(BuildingStatus.building_id.in_(maybe_moved[start:start + CHUNK]),
                   BuildingStatus.estate_id != Building.estate_id))
        for round_id, building_id in kept_in:
            stale.setdefault(round_id, set()).add(building_id)
    for round_id, building_ids in sorted(stale.items()):
        refresh_statuses(session, round_id, building_ids)


def _estate_set(building: Building) -> bool:
    """Whether this flush set the building's estate (to another one or, as an import does, to
    the same one: refresh_touched_buildings compares)."""
    attributes = inspect(building).attrs
    return attributes.estate.history.has_changes() or attributes.estate_id.history.has_changes()


def forget_touched_buildings(session) -> None:
    session.info.pop(STALE, None)
    session.info.pop(MOVED, None)
