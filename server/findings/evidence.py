"""Is a photo's capture time and place trustworthy? Plain Python, no app needed.

Three records of a photo are compared (server/photos/models.py keeps them apart):
- the phone's claim: its own clock and position when the photo came into the app;
- the file's EXIF: what the camera wrote, carried through the phone's shrink (pwa/js/exif-write.js);
- the server's: when it received the bytes; and the building's position, the round's opening.

Only real disagreements are warnings. Facts that are merely missing from an older app's upload are
notes: the desk shows them without the ⚠ mark.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sync.china_time import CHINA_TIME

MAX_TIME_GAP = timedelta(hours=1)          # EXIF vs the phone's clock
MAX_DISTANCE_M = 200.0                     # EXIF vs the phone's position
MAX_BUILDING_DISTANCE_M = 500.0            # EXIF (or phone) position vs the building
RECEIPT_SLACK = timedelta(minutes=10)      # a camera clock a few minutes fast is no disagreement
BEFORE_ROUND = timedelta(days=365)         # taken more than a year before the round opened
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=timezone.utc)  # before: an unset camera clock
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class EvidenceCheck:
    time_gap: timedelta | None            # |EXIF − phone|
    distance_m: float | None              # EXIF ↔ phone
    building_distance_m: float | None     # EXIF (else phone) ↔ building
    warnings: tuple[str, ...]             # disagreements, in plain Chinese
    notes: tuple[str, ...] = ()           # what could not be checked, and why
    agreed: tuple[str, ...] = ()          # what was checked and agrees


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def check_photo(photo, building=None, round_opened_at: datetime | None = None) -> EvidenceCheck:
    """Warnings for a photo whose EXIF disagrees with the phone, the server's receipt, the round
    or the building (when given), or whose camera original had no EXIF at all."""
    warnings, notes, agreed = [], [], []
    exif_time = _plausible_time(photo, warnings)
    exif_place = _plausible_place(photo.exif_latitude, photo.exif_longitude, warnings, "EXIF")
    phone_place = _plausible_place(photo.latitude, photo.longitude, notes, "手机")
    gap = distance = to_building = None

    if photo.exif_captured_at is None and _place(photo.exif_latitude, photo.exif_longitude) is None:
        original_exif = getattr(photo, "original_exif", None)
        if original_exif is False:
            warnings.append("原图没有拍摄信息（可能来自聊天软件或截图）")
        elif original_exif:
            warnings.append("手机读到了原图的拍摄信息，但上传件中没有（文件可能被改动过）")
        else:
            notes.append("上传件中没有 EXIF 拍摄信息（旧版应用上传），无法与手机记录核对")
    if photo.captured_at is None:
        notes.append("手机未报告拍摄时间")

    if exif_time is not None:
        received = getattr(photo, "received_at", None)
        if received is not None and exif_time > received + RECEIPT_SLACK:
            warnings.append(f"EXIF 拍摄时间（{_when(exif_time)}）晚于服务器收到照片的时间"
                            f"（{_when(received)}），相机时钟或文件不可信")
        if round_opened_at is not None and exif_time < round_opened_at - BEFORE_ROUND:
            warnings.append(f"EXIF 拍摄时间（{_when(exif_time)}）比本轮体检开始早一年以上")
        if photo.captured_at is not None:
            gap = abs(photo.captured_at - exif_time)
            if gap > MAX_TIME_GAP:
                earlier = "早" if exif_time < photo.captured_at else "晚"
                hint = "（可能是相册里的旧照片）" if earlier == "早" else ""
                warnings.append(f"EXIF 拍摄时间比手机记录的时间{earlier} {_span(gap)}{hint}")
            else:
                agreed.append("拍摄时间与手机记录相符")

    if exif_place is not None and phone_place is not None:
        distance = distance_m(*phone_place, *exif_place)
        if distance > MAX_DISTANCE_M:
            warnings.append(f"EXIF 位置与手机定位相距 {_metres(distance)}")
        else:
            agreed.append("位置与手机定位相符")

    building_place = _building_place(building)
    seen_at = exif_place or phone_place
    if building_place is not None and seen_at is not None:
        to_building = distance_m(*building_place, *seen_at)
        source = "EXIF 位置" if exif_place is not None else "手机定位"
        if to_building > MAX_BUILDING_DISTANCE_M:
            warnings.append(f"{source}距楼栋 {_metres(to_building)}，超过 500 米")
        else:
            agreed.append(f"{source}距楼栋 {_metres(to_building)}")
    return EvidenceCheck(gap, distance, to_building, tuple(warnings), tuple(notes), tuple(agreed))


def check_after_photo(photo, finding, building) -> EvidenceCheck:
    """An after-photo of a rectification: everything check_photo asks, and it must have been taken
    after the finding was reported, near the building."""
    base = check_photo(photo, building, round_start(finding))
    warnings = list(base.warnings)
    taken = _after_photo_time(photo)
    reported = getattr(finding, "captured_at", None) or finding.created_at
    if taken is None:
        warnings.append("整改后照片没有拍摄时间，无法确认拍摄于问题上报之后")
    elif reported is not None and taken < reported:
        warnings.append(f"整改后照片拍摄于问题上报之前（拍摄 {_when(taken)}，上报 {_when(reported)}），"
                        "可能是整改前的照片")
    if _building_place(building) is not None and base.building_distance_m is None:
        warnings.append("整改后照片没有位置信息，无法确认在楼栋附近拍摄")
    return EvidenceCheck(base.time_gap, base.distance_m, base.building_distance_m,
                         tuple(warnings), base.notes, base.agreed)


def _plausible_time(photo, warnings: list) -> datetime | None:
    """The EXIF capture time, or None (with a warning) when no camera could have meant it."""
    taken = photo.exif_captured_at
    if taken is not None and taken < EARLIEST_PLAUSIBLE:
        warnings.append(f"EXIF 拍摄时间为 {taken.astimezone(CHINA_TIME).year} 年，"
                        "相机时钟未设置或信息被改动，不可信")
        return None
    return taken


def _plausible_place(latitude, longitude, messages: list, source: str):
    """(lat, lon), or None: absent, or exactly 0,0 (a GPS that never got a fix writes zeros)."""
    place = _place(latitude, longitude)
    if place is not None and place == (0.0, 0.0):
        messages.append(f"{source} 位置为 0,0（无效定位），已忽略")
        return None
    return place


def _after_photo_time(photo) -> datetime | None:
    exif = photo.exif_captured_at
    if exif is not None and exif >= EARLIEST_PLAUSIBLE:
        return exif
    return photo.captured_at


def round_start(finding) -> datetime | None:
    """When the finding's round began: 1 January (China) of the year a round is named for (a
    county may open its 2024 round late, or load it afterwards), else the day it was opened."""
    survey_round = getattr(finding, "round", None)
    code = getattr(survey_round, "code", "") or ""
    if len(code) == 4 and code.isdigit():
        return datetime(int(code), 1, 1, tzinfo=CHINA_TIME)
    return getattr(survey_round, "opened_at", None)


def _building_place(building):
    if building is None:
        return None
    place = _place(building.latitude, building.longitude)
    return None if place == (0.0, 0.0) else place


def _place(latitude, longitude):
    return (latitude, longitude) if latitude is not None and longitude is not None else None


def _when(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def _span(gap: timedelta) -> str:
    hours = gap.total_seconds() / 3600
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


def _metres(metres: float) -> str:
    return f"{metres:,.0f} 米" if metres < 10_000 else f"{metres / 1000:,.1f} 公里"
