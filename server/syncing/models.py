"""What sync remembers: applied operations (for exactly-once), the change feed, the devices."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import JSONDocument, UTCDateTime, utcnow
from server.extensions import db


class SyncOperation(db.Model):
    """One applied operation. Its id (made by the device) is the primary key, so the database
    itself refuses a second application; a replay is answered from `result`."""

    __tablename__ = "sync_operations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    op: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(String(36))
    body: Mapped[dict] = mapped_column(JSONDocument)
    result: Mapped[dict] = mapped_column(JSONDocument)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeCounter(db.Model):
    """A single row whose value is the last sequence number handed out. Taking numbers locks the
    row until the transaction commits, so numbers become visible in the order they were taken."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Change(db.Model):
    """One entry of the change feed devices pull. `seq` is NULL until the writing transaction
    commits; readers only ever see numbered entries."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_building_seq", "building_id", "seq"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(64))
    building_id: Mapped[int] = mapped_column(Integer)


class Device(db.Model):
    """A phone (or client) as its pushes and pulls name it: who used it, with which token and
    which release of the app, and when it last synced."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(Integer)  # the token it last synced with
    app_version: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
