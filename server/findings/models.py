"""A finding (问题) at a building, its photos, the field's rectification reports and the
bureau's decisions. Which states exist and who moves a finding where: sync/lifecycle.py."""
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.buildings.models import Building
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.surveys.models import Submission, SurveyRound
from sync import lifecycle

SEVERITIES = ("非常严重", "严重", "一般")
PROBLEM_CLASSES = ("限时解决", "尽力解决")


class Finding(db.Model):
    """A problem (问题) found at a building for one check item of one indicator."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint(f"severity IN {SEVERITIES}", name="severity"),
        CheckConstraint(f"problem_class IN {PROBLEM_CLASSES}", name="problem_class"),
        CheckConstraint(f"status IN {tuple(lifecycle.STATES)}", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    # A hazard found by a professional appraisal (server/appraisals/findings.py).
    appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisals.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    indicator: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str | None] = mapped_column(String(60))
    check_item: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(30))
    floor: Mapped[int | None] = mapped_column(Integer)
    location_detail: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10))
    problem_class: Mapped[str] = mapped_column(String(10))
    responsible_unit: Mapped[str | None] = mapped_column(String(60))
    difficulty: Mapped[str | None] = mapped_column(String(10))  # 治理难度
    suggestion: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)  # 整改完成时限, set by the bureau
    status: Mapped[str] = mapped_column(String(12), default=lifecycle.INITIAL)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission | None] = relationship(back_populates="findings")
    round: Mapped[SurveyRound] = relationship()
    building: Mapped[Building] = relationship()
    # The evidence; after-photos of a rectification hang off that rectification.
    photos: Mapped[list["FindingPhoto"]] = relationship(
        primaryjoin="and_(Finding.id == FindingPhoto.finding_id, "
                    "FindingPhoto.rectification_id.is_(None))",
        order_by="FindingPhoto.position", cascade="all, delete-orphan")
    rectifications: Mapped[list["Rectification"]] = relationship(
        back_populates="finding", order_by="Rectification.id")

    @property
    def status_label(self) -> str:
        return lifecycle.label(self.status)


class FindingPhoto(db.Model):
    """A finding's photo by hash: evidence, or an after-photo of one of its rectifications.
    The photo itself may not have arrived yet."""

    __tablename__ = "finding_photos"
    __table_args__ = (UniqueConstraint("finding_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"),
                                            index=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"),
                                                         index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Rectification(db.Model):
    """A report from the field that a confirmed problem was fixed (整改), with after-photos."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finding: Mapped[Finding] = relationship(back_populates="rectifications")
    photos: Mapped[list[FindingPhoto]] = relationship(order_by="FindingPhoto.position",
                                                      overlaps="photos")


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint(f"decision IN {tuple(lifecycle.DECISIONS)}",
                                      name="decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)  # the 整改完成时限 this decision set
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewer: Mapped[User] = relationship()
    finding: Mapped[Finding] = relationship()
