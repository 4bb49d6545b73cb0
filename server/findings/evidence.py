"""Is a photo's capture time and place trustworthy? The phone's record and the file's EXIF are
kept apart (server/photos/models.py); here they are compared, in plain Python."""
import math
from dataclasses import dataclass
from datetime import timedelta

MAX_TIME_GAP = timedelta(hours=1)
MAX_DISTANCE_M = 200.0
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class EvidenceCheck:
    time_gap: timedelta | None
    distance_m: float | None
    warnings: tuple[str, ...]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def check_photo(photo) -> EvidenceCheck:
    """Warnings when the phone's and the EXIF capture time or place are missing or disagree."""
    warnings = []
    gap = distance = None
    if photo.captured_at is None:
        warnings.append("手机未记录拍摄时间")
    if photo.exif_captured_at is None:
        warnings.append("照片 EXIF 中没有拍摄时间（可能经过编辑或转存）")
    if photo.captured_at is not None and photo.exif_captured_at is not None:
        gap = abs(photo.captured_at - photo.exif_captured_at)
        if gap > MAX_TIME_GAP:
            warnings.append(f"手机记录与 EXIF 拍摄时间相差 {_hours(gap)}，超过 1 小时")
    phone_place = _place(photo.latitude, photo.longitude)
    exif_place = _place(photo.exif_latitude, photo.exif_longitude)
    if phone_place is None:
        warnings.append("手机未记录拍摄位置")
    if exif_place is None:
        warnings.append("照片 EXIF 中没有 GPS 位置")
    if phone_place is not None and exif_place is not None:
        distance = distance_m(*phone_place, *exif_place)
        if distance > MAX_DISTANCE_M:
            warnings.append(f"手机记录与 EXIF 拍摄位置相距约 {distance:,.0f} 米，超过 200 米")
    return EvidenceCheck(gap, distance, tuple(warnings))


def _place(latitude, longitude):
    return (latitude, longitude) if latitude is not None and longitude is not None else None


def _hours(gap: timedelta) -> str:
    hours = gap.total_seconds() / 3600
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"
