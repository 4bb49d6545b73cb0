"""Photo files on the device: their SHA-256, their type, and what the camera recorded (EXIF).

Capture time and GPS are read from the original file (GUIDE §3 "EXIF") and sent as upload fields.
Pillow is optional here: without it a photo simply goes without that metadata.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sync.china_time import CHINA_TIME

try:
    from PIL import Image
except ImportError:  # see the module docstring
    Image = None

_READ_BLOCK = 1 << 20
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 36867, 36881


@dataclass(frozen=True)
class PhotoFile:
    path: Path
    sha256: str
    size: int
    metadata: dict  # captured_at (ISO 8601 with zone), latitude, longitude — whichever are known


def describe_photo(path) -> PhotoFile:
    path = Path(path)
    return PhotoFile(path=path, sha256=file_sha256(path), size=path.stat().st_size,
                     metadata=exif_metadata(path))


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def content_type(head: bytes) -> str:
    """The type the server will accept the bytes as; anything else it refuses with 415."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def exif_metadata(path) -> dict:
    if Image is None:
        return {}
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            details, gps = exif.get_ifd(_EXIF_IFD), exif.get_ifd(_GPS_IFD)
    except Exception:  # an unreadable image still gets uploaded; the server judges it
        return {}
    metadata = {}
    captured = _capture_time(details.get(_DATETIME_ORIGINAL), details.get(_OFFSET_TIME_ORIGINAL))
    if captured:
        metadata["captured_at"] = captured
    latitude, longitude = _coordinate(gps.get(2), gps.get(1)), _coordinate(gps.get(4), gps.get(3))
    if latitude is not None and longitude is not None:
        metadata["latitude"], metadata["longitude"] = latitude, longitude
    return metadata


def _capture_time(text, offset) -> str | None:
    try:
        moment = datetime.strptime(str(text).strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = CHINA_TIME  # cameras record local time without a zone; the county is UTC+8
    if offset:
        try:
            zone = datetime.strptime(str(offset).strip(), "%z").tzinfo
        except ValueError:
            pass
    return moment.replace(tzinfo=zone).isoformat()


def _coordinate(dms, reference) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    return round(-value if reference in ("S", "W") else value, 6)
