"""Each building's state per indicator as its evidence says, kept up to date as it changes, and
its tally per estate.

The counting rule (sync/counting.py; as SQL in counting.py) is applied when a submission, a
finding or an appraisal is written, in the same transaction (status_table.py), so the county's
figures are a count over these tables rather than a pass over every observation on each page view.
A status row exists only where there is evidence: 是 (counts), 待审核 (pending) or 否 (clear).
Whether an indicator applies (不适用) follows the building's facts and is decided when read.

A status row also keeps, for an indicator not counted in 栋 (2025's 非成套住宅, in 套), the
building's amount: the measure of its latest survey of the indicator in the round.

A status row carries its building's estate, and status_tallies counts the rows per estate, so a
county's indicator table adds up a few rows per estate instead of joining every building; the
estate on the row is the one the tally counted it under, so a building that moves is taken off
the right estate's tally.
"""
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db


class BuildingStatus(db.Model):
    __tablename__ = "building_statuses"
    __table_args__ = (Index("ix_building_statuses_round_indicator_state",
                            "round_id", "indicator", "state"),
                      Index("ix_building_statuses_round_estate", "round_id", "estate_id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)
    indicator: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    amount: Mapped[int | None] = mapped_column(Integer)


class StatusTally(db.Model):
    """How many buildings of an estate are in a kept state for an indicator in a round."""

    __tablename__ = "status_tallies"
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), primary_key=True)
    indicator: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    buildings: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer, default=0)  # their amounts added up
