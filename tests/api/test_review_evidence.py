"""Photo evidence: the phone's claim, the file's EXIF, the server's receipt, the round and the
building compared (plain functions, no app needed)."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from server.findings.evidence import check_after_photo, check_photo, distance_m

NOON = datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc)
BUILDING = SimpleNamespace(latitude=35.1400, longitude=111.2200)
ROUND_OPENED = datetime(2024, 3, 1, tzinfo=timezone.utc)


def photo(**fields):
    values = {"captured_at": NOON, "latitude": 35.14, "longitude": 111.22,
              "exif_captured_at": NOON, "exif_latitude": 35.14, "exif_longitude": 111.22,
              "received_at": NOON + timedelta(minutes=20), "original_exif": True}
    values.update(fields)
    return SimpleNamespace(**values)


def no_exif(**fields):
    return photo(exif_captured_at=None, exif_latitude=None, exif_longitude=None, **fields)


def finding(**fields):
    values = {"captured_at": NOON - timedelta(days=20), "created_at": NOON - timedelta(days=19),
              "round": SimpleNamespace(opened_at=ROUND_OPENED)}
    values.update(fields)
    return SimpleNamespace(**values)


def test_agreeing_phone_exif_receipt_and_building_give_no_warning():
    check = check_photo(photo(), BUILDING, ROUND_OPENED)
    assert check.warnings == () and check.notes == ()
    assert check.agreed == ("拍摄时间与手机记录相符", "位置与手机定位相符", "EXIF 位置距楼栋 0 米")


def test_exif_time_more_than_an_hour_before_the_phones_clock_is_flagged_as_an_old_photo():
    check = check_photo(photo(exif_captured_at=NOON - timedelta(days=2)))
    assert check.time_gap == timedelta(days=2)
    assert check.warnings == ("EXIF 拍摄时间比手机记录的时间早 2.0 天（可能是相册里的旧照片）",)


def test_exif_time_within_an_hour_of_the_phone_is_no_disagreement():
    assert check_photo(photo(exif_captured_at=NOON - timedelta(minutes=59))).warnings == ()


def test_exif_place_more_than_200_metres_from_the_phone_is_flagged():
    check = check_photo(photo(exif_latitude=35.15))  # ~1.1 km north
    assert 1000 < check.distance_m < 1200
    assert check.warnings == ("EXIF 位置与手机定位相距 1,112 米",)


def test_exif_place_5_km_from_the_building_is_flagged_with_the_distance():
    far = 35.14 + 5000 / 111_195
    check = check_photo(photo(exif_latitude=far, latitude=far), BUILDING)
    assert check.building_distance_m == pytest.approx(5000, abs=5)
    assert check.warnings == ("EXIF 位置距楼栋 5,000 米，超过 500 米",)


def test_a_place_within_500_metres_of_the_building_is_no_disagreement():
    near = 35.14 + 450 / 111_195
    assert check_photo(photo(exif_latitude=near, latitude=near), BUILDING).warnings == ()


def test_a_building_without_a_position_is_not_compared():
    check = check_photo(photo(), SimpleNamespace(latitude=None, longitude=None))
    assert check.building_distance_m is None and check.warnings == ()


def test_an_original_without_exif_is_named_as_such_and_nothing_else():
    check = check_photo(no_exif(original_exif=False), BUILDING, ROUND_OPENED)
    assert check.warnings == ("原图没有拍摄信息（可能来自聊天软件或截图）",)


def test_exif_the_phone_read_but_the_upload_lacks_is_flagged():
    assert check_photo(no_exif(original_exif=True)).warnings == (
        "手机读到了原图的拍摄信息，但上传件中没有（文件可能被改动过）",)


def test_an_older_apps_upload_without_exif_is_a_note_not_a_warning():
    check = check_photo(no_exif(original_exif=None))
    assert check.warnings == ()
    assert check.notes == ("上传件中没有 EXIF 拍摄信息（旧版应用上传），无法与手机记录核对",)


def test_a_capture_after_the_server_received_the_photo_is_flagged():
    check = check_photo(photo(exif_captured_at=NOON + timedelta(hours=2), captured_at=None))
    assert check.warnings == ("EXIF 拍摄时间（2024-07-01 14:00）晚于服务器收到照片的时间"
                              "（2024-07-01 12:20），相机时钟或文件不可信",)


def test_a_camera_clock_minutes_fast_is_no_disagreement_with_the_receipt():
    late = NOON + timedelta(minutes=25)  # received at +20 min; slack is 10 min
    assert check_photo(photo(exif_captured_at=late, captured_at=late)).warnings == ()


def test_a_capture_more_than_a_year_before_the_round_opened_is_flagged():
    old = ROUND_OPENED - timedelta(days=400)
    check = check_photo(photo(exif_captured_at=old, captured_at=old), None, ROUND_OPENED)
    assert check.warnings == ("EXIF 拍摄时间（2023-01-26 08:00）比本轮体检开始早一年以上",)
    assert check_photo(photo(exif_captured_at=old, captured_at=old), None, None).warnings == ()


@pytest.mark.parametrize("year", [1970, 1999])
def test_a_capture_year_before_2000_is_absurd_and_not_compared_further(year):
    absurd = datetime(year, 1, 1, 0, 0, tzinfo=timezone.utc)
    check = check_photo(photo(exif_captured_at=absurd), None, ROUND_OPENED)
    assert check.warnings == (f"EXIF 拍摄时间为 {year} 年，相机时钟未设置或信息被改动，不可信",)
    assert check.time_gap is None


def test_gps_zero_zero_is_ignored_with_a_warning():
    check = check_photo(photo(exif_latitude=0.0, exif_longitude=0.0), BUILDING)
    assert check.warnings == ("EXIF 位置为 0,0（无效定位），已忽略",)
    assert check.distance_m is None
    assert check.building_distance_m == pytest.approx(0, abs=1)  # the phone's position instead


def test_a_photo_with_no_phone_record_and_no_exif_says_what_is_missing():
    check = check_photo(no_exif(captured_at=None, latitude=None, longitude=None, original_exif=None))
    assert check.warnings == ()
    assert "手机未报告拍摄时间" in check.notes


def test_distance_of_one_degree_of_latitude_is_about_111_km():
    assert abs(distance_m(35, 111, 36, 111) - 111_195) < 50


def test_distances_of_10_km_and_more_are_given_in_kilometres():
    far = 35.14 + 12_000 / 111_195
    check = check_photo(photo(exif_latitude=far, latitude=far), BUILDING)
    assert check.warnings == ("EXIF 位置距楼栋 12.0 公里，超过 500 米",)


# After-photos of a rectification


def test_an_after_photo_taken_after_the_report_near_the_building_passes():
    check = check_after_photo(photo(), finding(), BUILDING)
    assert check.warnings == ()


def test_an_after_photo_taken_before_the_finding_was_reported_is_flagged():
    check = check_after_photo(photo(), finding(captured_at=NOON + timedelta(days=1)), BUILDING)
    assert check.warnings == ("整改后照片拍摄于问题上报之前（拍摄 2024-07-01 12:00，上报 2024-07-02 12:00），"
                              "可能是整改前的照片",)


def test_an_after_photo_falls_back_to_when_the_finding_was_created():
    check = check_after_photo(photo(), finding(captured_at=None, created_at=NOON + timedelta(hours=2)),
                              BUILDING)
    assert any("问题上报之前" in w for w in check.warnings)


def test_an_after_photo_without_exif_uses_the_phones_clock():
    earlier = finding(captured_at=NOON + timedelta(hours=2))
    assert any("问题上报之前" in w
               for w in check_after_photo(no_exif(original_exif=False), earlier, BUILDING).warnings)


def test_an_after_photo_far_from_the_building_is_flagged():
    far = 35.14 + 2000 / 111_195
    check = check_after_photo(photo(exif_latitude=far, latitude=far), finding(), BUILDING)
    assert check.warnings == ("EXIF 位置距楼栋 2,000 米，超过 500 米",)


def test_an_after_photo_with_no_time_or_place_cannot_be_confirmed():
    bare = no_exif(captured_at=None, latitude=None, longitude=None, original_exif=False)
    assert check_after_photo(bare, finding(), BUILDING).warnings == (
        "原图没有拍摄信息（可能来自聊天软件或截图）",
        "整改后照片没有拍摄时间，无法确认拍摄于问题上报之后",
        "整改后照片没有位置信息，无法确认在楼栋附近拍摄")


def test_an_after_photo_older_than_a_year_before_the_round_is_flagged():
    old = ROUND_OPENED - timedelta(days=400)
    check = check_after_photo(photo(exif_captured_at=old, captured_at=old),
                              finding(captured_at=old - timedelta(days=1)), BUILDING)
    assert check.warnings == ("EXIF 拍摄时间（2023-01-26 08:00）比本轮体检开始早一年以上",)
