"""Receiving photos (whole or in resumable pieces), and who may read them.

A photo is verified against its SHA-256 and processed in memory before anything is stored, so a
refused photo leaves nothing behind: no original, no derived copy, no row. Receiving a photo the
server already holds changes nothing and answers with the stored row.
"""
import hashlib
from typing import BinaryIO

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to, not_found_or_not_yours
from server.audit.operations import record
from server.buildings.models import Building
from server.db_types import as_utc
from server.errors import ApiError
from server.extensions import db
from server.findings.models import Finding, FindingPhoto, Rectification
from server.photos.models import Photo, PhotoHolder
from server.photos.processing import (
    Limits,
    PhotoRejected,
    check_size,
    process,
    sniff_format,
)
from server.photos.provenance import Credentials, load_credentials
from server.photos.store import DiskPhotoStore, OffsetMismatch, PhotoStore
from server.signals import photo_arrived
from forms.answers import is_sha256

STORE_EXTENSION = "loujian.photo_store"  # app.extensions key; put an object store here to swap
CREDENTIALS_EXTENSION = "loujian.c2pa_credentials"


def photo_store() -> PhotoStore:
    """The app's photo store: a folder on disk unless another store was put in its place."""
    extensions = current_app.extensions
    if STORE_EXTENSION not in extensions:
        extensions[STORE_EXTENSION] = DiskPhotoStore(current_app.config["LOUJIAN_MEDIA_DIR"])
    return extensions[STORE_EXTENSION]


def evidence_credentials() -> Credentials:
    """The key and certificates that sign exported evidence photos: the bureau's own if
    configured, else the instance's (made at first use)."""
    extensions, config = current_app.extensions, current_app.config
    if CREDENTIALS_EXTENSION not in extensions:
        extensions[CREDENTIALS_EXTENSION] = load_credentials(
            config["LOUJIAN_C2PA_DIR"], config["LOUJIAN_C2PA_CERT"], config["LOUJIAN_C2PA_KEY"])
    return extensions[CREDENTIALS_EXTENSION]


def limits() -> Limits:
    config = current_app.config
    return Limits(max_bytes=config["LOUJIAN_PHOTO_MAX_BYTES"],
                  max_pixels=config["LOUJIAN_PHOTO_MAX_PIXELS"])


def chunk_limit() -> int:
    return current_app.config["LOUJIAN_PHOTO_CHUNK_MAX_BYTES"]


def require_sha256(value: str) -> str:
    if not is_sha256(value):
        raise ApiError("request.bad_parameter", "照片编号应为 64 位小写十六进制 SHA-256",
                       details={"fields": {"sha256": ["应为 64 位小写十六进制 SHA-256"]}})
    return value


def check_hashes(user: User, hashes: list[str]) -> dict:
    """Which of the hashes the server still needs from this user (those the user has not
    uploaded: whether someone else has is not the user's business), and how much of each it
    holds from a cut upload."""
    wanted = list(dict.fromkeys(hashes))
    missing = not_held_by(user.id, wanted)
    store = photo_store()
    partial = {sha: size for sha in missing if (size := store.partial_size(sha)) > 0}
    return {"missing": missing, "partial": partial}


def upload_state(user: User, sha256: str) -> dict:
    photo = db.session.get(Photo, sha256)
    if photo is not None and not not_held_by(user.id, [sha256]):
        return {"received": photo.byte_size, "complete": True}
    return {"received": photo_store().partial_size(sha256), "complete": False}


def receive_photo(user: User, sha256: str, data: bytes, metadata: dict) -> tuple[Photo, bool]:
    """The whole photo in one piece. Returns the photo and whether it was stored now."""
    stored = db.session.get(Photo, sha256)
    if stored is not None:
        return _held_again(user, stored, data), False
    return _ingest(user, sha256, data, metadata)


def not_held_by(user_id: int, hashes) -> list[str]:
    """The hashes (in order, once each) whose bytes this user has not proven to hold."""
    wanted = list(dict.fromkeys(hashes))
    if not wanted:
        return []
    held = set(db.session.scalars(select(PhotoHolder.sha256).where(
        PhotoHolder.user_id == user_id, PhotoHolder.sha256.in_(wanted))))
    return [sha for sha in wanted if sha not in held]


def _hold(user: User, photo: Photo) -> list[Finding]:
    """The user proved to hold the photo: note it; the user's findings and rectifications that
    waited for it now have it (returned, for the feed)."""
    if not not_held_by(user.id, [photo.sha256]):
        return []
    db.session.add(PhotoHolder(sha256=photo.sha256, user_id=user.id))
    db.session.flush()
    waiting = findings_waiting_for(user, photo.sha256)
    photo_arrived.send(photo, session=db.session, findings=waiting)
    return waiting


def _held_again(user: User, stored: Photo, data: bytes) -> Photo:
    """Bytes the server already stores, uploaded by someone who had not: they prove the
    uploader holds the photo only if they are the photo's bytes."""
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ApiError("photo.hash_mismatch", details={"received_bytes": len(data)})
    _hold(user, stored)
    return stored


def receive_chunk(user: User, sha256: str, offset: int, total: int, data: bytes,
                  metadata: dict) -> tuple[Photo | None, int, bool]:
    """One piece of a photo: (photo once complete else None, bytes received, stored now)."""
    stored = db.session.get(Photo, sha256)
    if stored is not None and not not_held_by(user.id, [sha256]):
        return stored, stored.byte_size, False
    _check_piece(offset, total, data)
    store = photo_store()
    try:
        received = store.append_partial(sha256, offset, data)
    except OffsetMismatch as mismatch:
        received = _after_mismatch(store, sha256, total, mismatch.received)
    if received < total:
        return None, received, False
    try:
        if stored is not None:  # someone else's upload: these pieces prove this user holds it
            photo, created = _held_again(user, stored, store.read_partial(sha256)), False
        else:
            photo, created = _ingest(user, sha256, store.read_partial(sha256), metadata)
    except ApiError:
        store.delete_partial(sha256)  # the same bytes would be refused again: start afresh
        raise
    store.delete_partial(sha256)
    return photo, received, created


def arrived_links(links) -> set[tuple[int, str]]:
    """Of (linker's user id, sha256) pairs — a finding's author and its evidence, a
    rectification's author and its after-photos — those whose linker holds the bytes: evidence
    that has arrived. Any other link waits (and reads as missing) until its linker uploads."""
    pairs = set(links)
    if not pairs:
        return set()
    held = db.session.execute(select(PhotoHolder.user_id, PhotoHolder.sha256).where(
        PhotoHolder.sha256.in_({sha for _, sha in pairs}),
        PhotoHolder.user_id.in_({user for user, _ in pairs}))).all()
    return pairs & {(user, sha) for user, sha in held}


def only_held_links(stmt):
    """A SELECT over FindingPhoto joined to its Finding, narrowed to the links whose linker (a
    rectification's author for an after-photo, else the finding's) holds the bytes."""
    return (stmt.outerjoin(Rectification, FindingPhoto.rectification_id == Rectification.id)
            .join(PhotoHolder, and_(
                PhotoHolder.sha256 == FindingPhoto.sha256,
                PhotoHolder.user_id == func.coalesce(Rectification.author_id,
                                                     Finding.author_id))))


def findings_waiting_for(user: User, sha256: str) -> list[Finding]:
    """The user's own findings (and those with the user's rectifications) that link the photo."""
    return list(db.session.scalars(
        select(Finding).join(FindingPhoto, FindingPhoto.finding_id == Finding.id)
        .outerjoin(Rectification, FindingPhoto.rectification_id == Rectification.id)
        .where(FindingPhoto.sha256 == sha256,
               or_(and_(FindingPhoto.rectification_id.is_(None), Finding.author_id == user.id),
                   Rectification.author_id == user.id))
        .distinct().order_by(Finding.id)))


def readable_photo(user: User, sha256: str) -> Photo:
    """The photo, if the user uploaded it or can see a finding that uses it."""
    photo = db.session.get(Photo, sha256)
    if photo is None:
        raise not_found_or_not_yours("该照片")
    if not not_held_by(user.id, [sha256]):
        return photo
    # Linked to a finding the user may see, by someone who holds the bytes.
    used_where_visible = only_held_links(
        select(FindingPhoto.id).join(Finding, FindingPhoto.finding_id == Finding.id)
        .join(Building, Finding.building_id == Building.id)
        .where(FindingPhoto.sha256 == sha256, buildings_visible_to(user))).limit(1)
    if db.session.scalar(used_where_visible) is None:
        raise not_found_or_not_yours("该照片")
    return photo


def open_variant(photo: Photo, variant: str) -> tuple[BinaryIO, int]:
    """The stored bytes of one variant (original, display, thumb) and their size."""
    store = photo_store()
    try:
        size = store.size(photo.sha256, variant)
        return store.open(photo.sha256, variant), size
    except FileNotFoundError:
        raise ApiError("resource.not_found", "照片文件缺失，请联系管理员") from None


def _ingest(user: User, sha256: str, data: bytes, metadata: dict) -> tuple[Photo, bool]:
    """Verify, process, store the original and its copies, then add the row. A refusal is
    raised before anything is written."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ApiError("photo.hash_mismatch", details={"received_bytes": len(data)})
    try:
        processed = process(data, limits())
    except PhotoRejected as rejected:
        raise _api_error(rejected) from None
    store = photo_store()
    store.put(sha256, "display", processed.display)
    store.put(sha256, "thumb", processed.thumb)
    store.put(sha256, "original", data)
    photo = Photo(sha256=sha256, byte_size=len(data), mime_type=processed.mime_type,
                  width=processed.width, height=processed.height,
                  captured_at=as_utc(metadata.get("captured_at")),
                  latitude=metadata.get("latitude"), longitude=metadata.get("longitude"),
                  exif_captured_at=processed.exif_captured_at,
                  exif_latitude=processed.exif_latitude, exif_longitude=processed.exif_longitude,
                  exif_camera=processed.exif_camera, original_exif=metadata.get("original_exif"),
                  uploaded_by_id=user.id)
    db.session.add(photo)
    try:
        db.session.flush()
    except IntegrityError:
        # Another worker stored the same photo between our look and our write; same bytes.
        db.session.rollback()
        return _held_again(user, db.session.get(Photo, sha256), data), False
    waiting = _hold(user, photo)
    record(user, "photo.received", "photo", sha256, byte_size=len(data),
           findings=[finding.uuid for finding in waiting])
    return photo, True


def _check_piece(offset: int, total: int, data: bytes) -> None:
    if len(data) > chunk_limit():
        raise ApiError("photo.too_large", f"每个分片不能超过 {chunk_limit() / (1024 * 1024):g} MB",
                       details={"limit": chunk_limit(), "size": len(data)})
    if offset + len(data) > total:
        raise ApiError("request.bad_parameter", "分片超出了照片的总字节数 total",
                       details={"offset": offset, "size": len(data), "total": total})
    try:
        check_size(total, limits().max_bytes)
        if offset == 0 and len(data) >= 16:
            sniff_format(data[:16])  # refuse a non-image before holding any of it
    except PhotoRejected as rejected:
        raise _api_error(rejected) from None


def _after_mismatch(store: PhotoStore, sha256: str, total: int, received: int) -> int:
    if received == total:
        return total  # all bytes arrived earlier but processing never finished: finish now
    if received > total:
        store.delete_partial(sha256)  # cannot be completed with this total; start again
        received = 0
    raise ApiError("photo.offset_mismatch",
                   f"服务器已收到 {received} 字节，请从该位置续传",
                   details={"received": received})


def _api_error(rejected: PhotoRejected) -> ApiError:
    return ApiError(rejected.code, rejected.message, rejected.details)

