"""Reviewers' decisions on findings."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db

DECISIONS = {"accept": "确认", "return": "退回", "resurvey": "需复查", "verify": "销项",
             # on the way from 确认 to 销项
             "rectify": "下达整改", "deadline": "调整整改时限", "reject_rectification": "整改不合格"}


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint(f"decision IN {tuple(DECISIONS)}", name="decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)  # the 整改完成时限 this decision set
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewer: Mapped[User] = relationship()
    finding: Mapped["Finding"] = relationship()  # noqa: F821  (server.surveys.models)
