"""Follow-ups (待专业机构评估): a survey answer that asks a professional agency to look (需专业机构评估),
as work the bureau and the agencies see and close.

`submissions.follow_ups` keeps what the form said; a FollowUp is the work item made from one of
its entries when the survey is recorded. Its states:

    open       待专业机构评估 — waiting for an agency (assigned to one, or to any of the county's)
    appraised  已评估 — an appraisal of its building and indicator in its round arrived after it
               (`appraisal_id` names it)
    withdrawn  已撤销 — a later survey of the same building and indicator no longer asked for it
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Agency
from server.appraisals.models import Appraisal
from server.buildings.models import Building
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.surveys.models import Submission

OPEN, APPRAISED, WITHDRAWN = "open", "appraised", "withdrawn"
STATES = {OPEN: "待专业机构评估", APPRAISED: "已评估", WITHDRAWN: "已撤销"}


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("submission_id", "question_id"),
        CheckConstraint(f"status IN {tuple(STATES)}", name="status"),
        CheckConstraint("status != 'appraised' OR appraisal_id IS NOT NULL", name="appraised_by"),
        Index("ix_follow_ups_open", "round_id", "building_id", "indicator", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    indicator: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship()
    building: Mapped[Building] = relationship()
    agency: Mapped[Agency | None] = relationship()
    appraisal: Mapped[Appraisal | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def state_label(self) -> str:
        return STATES[self.status]
