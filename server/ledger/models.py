"""Each building's current status per indicator, kept up to date as the evidence changes.

The status rule (sync/status.py, in SQL in matrix.py) is applied when a submission, a finding or
an appraisal is written, in the same transaction (status_table.py), so the county's figures are
a count over this table rather than a ranking of every observation on each page view.
"""
from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db


class BuildingStatus(db.Model):
    __tablename__ = "building_statuses"
    __table_args__ = (Index("ix_building_statuses_round_indicator_counts",
                            "round_id", "indicator", "counts"),)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)
    indicator: Mapped[int] = mapped_column(Integer, primary_key=True)
    counts: Mapped[bool] = mapped_column(Boolean)
