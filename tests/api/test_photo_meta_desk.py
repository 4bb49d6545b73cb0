"""The desk's photo metadata partial (desk/_photo_meta.html) as a reviewer reads it: names, the
warnings in plain Chinese, and EXIF text from the file shown as text, never as HTML."""
from datetime import timedelta

import pytest

from tests.api.conftest import JULY_FIRST


def finding_page(sign_in, reviewer, finding):
    return sign_in(reviewer).get(f"/desk/review/findings/{finding.uuid}").get_data(as_text=True)


@pytest.fixture
def building(make_building):
    return make_building(latitude=35.14, longitude=111.22)


def test_agreeing_photo_names_the_upload_and_display_copy_and_says_what_agrees(
        sign_in, reviewer, make_photo, make_finding, building):
    photo = make_photo(original_exif=True, exif_camera="HUAWEI ALN-AL00")
    text = finding_page(sign_in, reviewer, make_finding(building, photos=[photo.sha256]))
    assert "手机上传件" in text and "显示副本" in text and photo.sha256 in text
    assert "HUAWEI ALN-AL00" in text
    assert "✓ 拍摄时间与手机记录相符；位置与手机定位相符" in text
    assert "⚠" not in text


def test_a_photo_two_days_older_than_the_phones_record_is_flagged(sign_in, reviewer, make_photo,
                                                                  make_finding, building):
    photo = make_photo(exif_captured_at=JULY_FIRST - timedelta(days=2))
    text = finding_page(sign_in, reviewer, make_finding(building, photos=[photo.sha256]))
    assert "⚠ EXIF 拍摄时间比手机记录的时间早 2.0 天（可能是相册里的旧照片）" in text


def test_a_forwarded_copy_is_named_as_having_no_capture_information(sign_in, reviewer, make_photo,
                                                                    make_finding, building):
    photo = make_photo(original_exif=False, exif_captured_at=None, exif_latitude=None,
                       exif_longitude=None)
    text = finding_page(sign_in, reviewer, make_finding(building, photos=[photo.sha256]))
    assert "⚠ 原图没有拍摄信息（可能来自聊天软件或截图）" in text


def test_an_older_apps_upload_is_a_note_without_the_warning_mark(sign_in, reviewer, make_photo,
                                                                make_finding, building):
    photo = make_photo(exif_captured_at=None, exif_latitude=None, exif_longitude=None)
    text = finding_page(sign_in, reviewer, make_finding(building, photos=[photo.sha256]))
    assert "旧版应用上传" in text and "⚠" not in text


def test_a_script_in_the_exif_camera_name_is_shown_as_text(sign_in, reviewer, make_photo,
                                                           make_finding, building):
    photo = make_photo(exif_camera='<script>alert("exif")</script><img src=x onerror=alert(1)>')
    text = finding_page(sign_in, reviewer, make_finding(building, photos=[photo.sha256]))
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#34;exif&#34;)&lt;/script&gt;" in text
