"""People, their roles and what they may see."""
import enum
from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table,
                        false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.buildings.models import Community, County, PropertyCompany
from server.db_types import UTCDateTime, utcnow
from server.extensions import db


class Role(enum.StrEnum):
    WORKER = "worker"          # 社区管理员: scoped to their communities
    PROPERTY = "property"      # 物业公司: scoped to the estates their company manages
    AGENCY = "agency"          # 专业机构: appraisals, county-wide
    REVIEWER = "reviewer"      # 住建局审核员: the whole county
    ADMIN = "admin"            # 管理员: everything, including accounts


ROLE_LABELS = {
    Role.WORKER: "社区管理员",
    Role.PROPERTY: "物业公司",
    Role.AGENCY: "专业机构",
    Role.REVIEWER: "住建局审核员",
    Role.ADMIN: "系统管理员",
}

user_communities = Table(
    "user_communities",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    """A professional agency (专业机构) that appraises structure or gas safety."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(r.value for r in Role)}", name="role"),
        CheckConstraint("role != 'property' OR property_company_id IS NOT NULL",
                        name="property_has_company"),
        CheckConstraint("role != 'agency' OR agency_id IS NOT NULL", name="agency_has_agency"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    property_company_id: Mapped[int | None] = mapped_column(ForeignKey("property_companies.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # A desk session carries the epoch it began in; raising it ends every session of the
    # account on the server (sign-out, revocation, deactivation), whatever cookies remain.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A one-time password (set by an administrator) must be replaced at the next sign-in, before
    # anything else, and is refused once `password_expires_at` has passed.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised whenever what the account may see changes (role, communities, company, agency): a
    # device that pulled under an older epoch is told to drop what it holds (sync/PROTOCOL.md §3).
    scope_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    communities: Mapped[list[Community]] = relationship(secondary=user_communities,
                                                        order_by="Community.name")
    property_company: Mapped[PropertyCompany | None] = relationship()
    agency: Mapped[Agency | None] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship()
