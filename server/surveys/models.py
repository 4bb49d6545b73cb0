"""Survey rounds and submissions (one filled form). The findings a submission records live in
server/findings/."""
import re
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

    @property
    def year(self) -> int | None:
        """The year the round surveys, which its rules count from (a riser in service 20 years):
        the code's leading year ("2025", "2025-复查"); None for a code that does not start with one."""
        found = re.match(r"(\d{4})(?!\d)", self.code or "")
        return int(found.group(1)) if found else None


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
    # [{"question_id", "reason"}] from forms.findings.follow_ups: answers such as 需专业机构评估 that
    # count for nothing by themselves but ask for an agency's look; NULL for submissions older than it.
    follow_ups: Mapped[list | None] = mapped_column(JSONDocument, default=list)
    # What the building adds to an indicator not counted in 栋 (forms.findings.measure_value, e.g.
    # 5: 套 without their own kitchen or toilet), a whole number; None for the others.
    measure: Mapped[int | None] = mapped_column(Integer)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[SurveyRound] = relationship()
    building: Mapped[Building] = relationship()
    author: Mapped[User] = relationship()
    findings: Mapped[list["Finding"]] = relationship(  # noqa: F821 (server.findings.models)
        back_populates="submission", order_by="Finding.id")
