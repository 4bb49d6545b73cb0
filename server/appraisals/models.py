"""Professional appraisals (专业机构鉴定/检测/评估) of a building for one indicator. Which indicators
take them is the round's indicator system's (`appraisal` in forms/<system>/system.json)."""
from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Agency, User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db

# hazard: the agency found the indicator's problem; each indicator words it (its `found`/`clear`).
CONCLUSIONS = {"hazard": "存在安全隐患", "no_hazard": "未发现安全隐患"}


class Appraisal(db.Model):
    __tablename__ = "appraisals"
    __table_args__ = (
        CheckConstraint("indicator >= 1", name="indicator"),
        CheckConstraint(f"conclusion IN {tuple(CONCLUSIONS)}", name="conclusion"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen by whoever uploads, so a retried upload is recognised rather than stored twice.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid4()))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), index=True)
    indicator: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conclusion: Mapped[str] = mapped_column(String(10))
    grade: Mapped[str | None] = mapped_column(String(1))
    summary: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(200))  # as uploaded, for display only
    document_size: Mapped[int | None] = mapped_column(Integer)
    appraised_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agency: Mapped[Agency] = relationship()
    author: Mapped[User] = relationship()
