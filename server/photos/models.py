"""Photos, content-addressed by the SHA-256 of their original bytes."""
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import UTCDateTime, utcnow
from server.extensions import db


class Photo(db.Model):
    __tablename__ = "photos"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    byte_size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # What the phone said at capture, and what the file's EXIF says: both kept, never merged.
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    exif_captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exif_latitude: Mapped[float | None] = mapped_column(Float)
    exif_longitude: Mapped[float | None] = mapped_column(Float)
    exif_camera: Mapped[str | None] = mapped_column(String(130))  # EXIF Make + Model, as written
    # Whether the camera original the phone read carried a capture time or GPS (None: not told,
    # e.g. an older release of the app). False: a screenshot, a copy forwarded through a chat app…
    original_exif: Mapped[bool | None] = mapped_column(Boolean)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhotoHolder(db.Model):
    """Someone who has proven they hold a photo's bytes: they uploaded them (first, or again after
    someone else did). Content addressing is not permission: a finding's link to a hash counts
    as evidence, and makes the photo readable in its scope, only when the finding's author (or
    the rectification's) holds the bytes; a hash alone proves nothing."""

    __tablename__ = "photo_holders"
    sha256: Mapped[str] = mapped_column(ForeignKey("photos.sha256"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
