"""Survey rounds and submissions (one filled form). The findings a submission records live in
server/findings/."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.buildings.models import Building
from server.db_types import JSONDocument, UTCDateTime, utcnow
from server.extensions import db


class SurveyRound(db.Model):
    """One year's check (e.g. 2024), with the indicator system its forms belong to."""

    __tablename__ = "survey_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    system: Mapped[str] = mapped_column(String(20))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_rounds.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous_round: Mapped["SurveyRound | None"] = relationship(remote_side=[id])


class Submission(db.Model):
    """One filled form for one building and indicator in one round, by one person.

    Append-only: a second survey of the same building and indicator is a new row, never an
    overwrite. The client-generated UUID makes creation idempotent.
    """

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    indicator: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSONDocument)
    counts: Mapped[bool] = mapped_column(Boolean)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[SurveyRound] = relationship()
    building: Mapped[Building] = relationship()
    author: Mapped[User] = relationship()
    findings: Mapped[list["Finding"]] = relationship(  # noqa: F821 (server.findings.models)
        back_populates="submission", order_by="Finding.id")
