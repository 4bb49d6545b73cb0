"""Checking and deriving photos with Pillow, without an app."""
import io
from datetime import datetime, timezone

import pytest
from PIL import Image, ImageFile
from PIL.JpegImagePlugin import JpegImageFile

from server.photos.processing import (DISPLAY_LONG_EDGE, THUMB_LONG_EDGE, Limits, PhotoRejected,
                                      decode_reduced, process, sniff_format)
from tests.unit.test_photo_samples import (gif, jpeg_with_broken_exif, phone_jpeg, plain_jpeg,
                                           png, png_bomb, text_named_jpeg, truncated_jpeg, webp)

LIMITS = Limits(max_bytes=30 * 1024 * 1024, max_pixels=64_000_000)


def refusal(data: bytes, limits: Limits = LIMITS) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        process(data, limits)
    return caught.value


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


@pytest.mark.parametrize("make, mime_type", [(plain_jpeg, "image/jpeg"), (png, "image/png"),
                                             (webp, "image/webp")])
def test_type_is_sniffed_from_the_bytes(make, mime_type):
    assert sniff_format(make()[:16])[1] == mime_type


@pytest.mark.parametrize("make", [gif, text_named_jpeg])
def test_other_types_are_refused(make):
    assert refusal(make()).code == "photo.unsupported_type"


def test_display_copy_has_a_long_edge_of_1600_and_is_turned_upright():
    processed = process(phone_jpeg(), LIMITS)
    assert size_of(processed.display) == (1200, DISPLAY_LONG_EDGE)  # portrait after Orientation 6
    assert (processed.width, processed.height) == (3000, 4000)


def test_thumbnail_is_small_and_upright():
    assert size_of(process(phone_jpeg(), LIMITS).thumb) == (240, THUMB_LONG_EDGE)


def test_small_photo_is_not_enlarged():
    assert size_of(process(plain_jpeg((800, 600)), LIMITS).display) == (800, 600)


def test_thumbnail_decodes_the_jpeg_in_draft_mode(monkeypatch):
    requested = []
    original_draft = JpegImageFile.draft

    def spying_draft(self, mode, size):
        requested.append(size)
        return original_draft(self, mode, size)

    monkeypatch.setattr(JpegImageFile, "draft", spying_draft)
    process(phone_jpeg(), LIMITS)
    assert requested


def test_draft_decode_is_reduced_but_keeps_the_long_edge():
    with decode_reduced(phone_jpeg(), "JPEG", THUMB_LONG_EDGE, LIMITS.max_pixels) as image:
        assert image.size == (500, 375)  # libjpeg's 1/8 scale of 4000×3000


def test_png_and_webp_get_jpeg_copies():
    for data in (png(), webp()):
        processed = process(data, LIMITS)
        assert size_of(processed.display) == (640, 480)
        assert size_of(processed.thumb) == (320, 240)


def test_transparent_png_is_flattened_on_white():
    processed = process(png(colour=(0, 0, 0, 0)), LIMITS)
    with Image.open(io.BytesIO(processed.thumb)) as thumb:
        assert min(thumb.getpixel((10, 10))) > 240


def test_exif_time_without_offset_is_taken_as_china_time():
    captured = process(phone_jpeg(), LIMITS).exif_captured_at
    assert captured == datetime(2024, 7, 1, 1, 30, tzinfo=timezone.utc)


def test_exif_time_with_offset_uses_it():
    captured = process(phone_jpeg(offset="+02:00"), LIMITS).exif_captured_at
    assert captured == datetime(2024, 7, 1, 7, 30, tzinfo=timezone.utc)


def test_exif_gps_becomes_decimal_degrees():
    processed = process(phone_jpeg(), LIMITS)
    assert processed.exif_latitude == pytest.approx(35 + 8 / 60 + 30 / 3600)
    assert processed.exif_longitude == pytest.approx(111 + 13 / 60 + 12 / 3600)


def test_exif_gps_south_and_west_are_negative():
    processed = process(phone_jpeg(south_west=True), LIMITS)
    assert processed.exif_latitude < 0 and processed.exif_longitude < 0


def test_photo_without_exif_has_no_exif_time_or_place():
    processed = process(png(), LIMITS)
    assert (processed.exif_captured_at, processed.exif_latitude) == (None, None)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_unreadable_exif_does_not_refuse_the_photo():
    processed = process(jpeg_with_broken_exif(), LIMITS)
    assert (processed.width, processed.height) == (800, 600)
    assert processed.exif_captured_at is None and processed.exif_latitude is None


def test_truncated_jpeg_is_refused_as_corrupt():
    assert refusal(truncated_jpeg()).code == "photo.corrupt"


def test_truncated_images_stay_refused_by_pillow_settings():
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_jpeg_header_alone_is_refused_as_corrupt():
    assert refusal(plain_jpeg()[:300]).code == "photo.corrupt"


def test_decompression_bomb_is_refused():
    rejected = refusal(png_bomb())
    assert rejected.code == "photo.too_many_pixels"


def test_image_just_over_the_pixel_limit_is_refused():
    limits = Limits(max_bytes=LIMITS.max_bytes, max_pixels=1_000_000)
    rejected = refusal(png((1001, 1000)), limits)
    assert rejected.code == "photo.too_many_pixels"
    assert rejected.details == {"limit": 1_000_000}


def test_pillow_bomb_warning_is_refused_too():
    # Between one and two times the limit Pillow only warns; that must refuse as well.
    rejected = refusal(png_bomb(9000, 9000))
    assert rejected.code == "photo.too_many_pixels"


def test_bytes_over_the_limit_are_refused_before_decoding():
    rejected = refusal(plain_jpeg(), Limits(max_bytes=100, max_pixels=LIMITS.max_pixels))
    assert rejected.code == "photo.too_large"
    assert rejected.details == {"limit": 100, "size": len(plain_jpeg())}


def test_png_with_a_broken_checksum_is_refused():
    data = bytearray(png())
    data[-20] ^= 0xFF  # inside the image data chunk
    assert refusal(bytes(data)).code == "photo.corrupt"
