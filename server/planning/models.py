"""The bureau's planning of the lists (整治建议清单): who each kind of 责任单位 is by name, and per
problem group the 整治优先级 and whether it goes into next year's plan."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db

# The forms' kinds of 责任单位 (forms/schema.py RESPONSIBLE_UNITS) that a county names once; a
# property company and a 社区's service centre are named by the estate and the 社区 themselves.
NAMED_KINDS = ("住建局", "燃气公司", "供水单位", "供热单位", "供电单位", "通信运营商", "产权单位")
PRIORITIES = ("高", "中", "低")


class ResponsibleUnit(db.Model):
    """A kind of 责任单位 by name in one county, e.g. 燃气公司 → 夏县新奥燃气有限公司."""

    __tablename__ = "responsible_units"
    __table_args__ = (UniqueConstraint("county_id", "kind"),
                      CheckConstraint(f"kind IN {NAMED_KINDS}", name="kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProblemPlan(db.Model):
    """The bureau's 整治优先级 and 是否纳入下一年度计划 for one item of a 社区's list: an indicator's
    check item in a round. Without one, the list proposes them from the problem itself."""

    __tablename__ = "problem_plans"
    __table_args__ = (UniqueConstraint("round_id", "community_id", "indicator", "check_item"),
                      CheckConstraint(f"priority IN {PRIORITIES}", name="priority"))
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    indicator: Mapped[int] = mapped_column(Integer)
    check_item: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(2))
    next_year_plan: Mapped[bool] = mapped_column(Boolean)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[User] = relationship()
