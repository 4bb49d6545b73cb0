"""The estates' tallies of kept states (status_tallies) beside what they should be, for the tests
that hold the two equal whatever happened before (surveys, decisions, moves, faults)."""
from sqlalchemy import func, select

from server.buildings.models import Building
from server.extensions import db
from server.ledger.models import BuildingStatus, StatusTally


def tallies(round_id: int) -> dict:
    """status_tallies of the round, {(estate, indicator, state): (buildings, amount)}, zeros
    left out."""
    return {(row.estate_id, row.indicator, row.state): (row.buildings, row.amount)
            for row in db.session.scalars(select(StatusTally).where(
                StatusTally.round_id == round_id, StatusTally.buildings != 0))}


def recounted(round_id: int) -> dict:
    """What the tallies should be: the kept rows counted, and their amounts added up, per estate
    of their building now."""
    return {(estate_id, indicator, state): (count, amount)
            for estate_id, indicator, state, count, amount in db.session.execute(
                select(Building.estate_id, BuildingStatus.indicator, BuildingStatus.state,
                       func.count(), func.coalesce(func.sum(BuildingStatus.amount), 0))
                .join(Building, Building.id == BuildingStatus.building_id)
                .where(BuildingStatus.round_id == round_id)
                .group_by(Building.estate_id, BuildingStatus.indicator, BuildingStatus.state))}
