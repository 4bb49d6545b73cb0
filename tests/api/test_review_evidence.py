"""Photo evidence: the phone's and the EXIF capture time and place compared (no app needed)."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from server.findings.evidence import check_photo, distance_m

NOON = datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc)


def photo(**fields):
    values = {"captured_at": NOON, "latitude": 35.14, "longitude": 111.22,
              "exif_captured_at": NOON, "exif_latitude": 35.14, "exif_longitude": 111.22}
    values.update(fields)
    return SimpleNamespace(**values)


def test_agreeing_phone_and_exif_give_no_warning():
    assert check_photo(photo()).warnings == ()


def test_capture_times_more_than_an_hour_apart_are_flagged():
    check = check_photo(photo(exif_captured_at=NOON - timedelta(hours=3)))
    assert check.time_gap == timedelta(hours=3)
    assert any("相差 3.0 小时" in w for w in check.warnings)


def test_places_more_than_200_metres_apart_are_flagged():
    check = check_photo(photo(exif_latitude=35.15))  # ~1.1 km north
    assert 1000 < check.distance_m < 1200
    assert any("超过 200 米" in w for w in check.warnings)


def test_missing_exif_time_and_place_are_flagged():
    check = check_photo(photo(exif_captured_at=None, exif_latitude=None, exif_longitude=None))
    assert any("EXIF 中没有拍摄时间" in w for w in check.warnings)
    assert any("EXIF 中没有 GPS" in w for w in check.warnings)


def test_distance_of_one_degree_of_latitude_is_about_111_km():
    assert abs(distance_m(35, 111, 36, 111) - 111_195) < 50
