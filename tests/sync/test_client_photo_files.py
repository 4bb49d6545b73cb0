"""Photo files on the device: hash, type, and the capture time and position read from EXIF."""
import hashlib

import pytest

from sync.photo_files import content_type, describe_photo, exif_metadata
from tests.unit.test_photo_samples import phone_jpeg, plain_jpeg, png, webp

SMALL = (400, 300)


@pytest.fixture
def save(tmp_path):
    def write(data, name="photo.jpg"):
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return write


def test_photo_is_described_by_the_sha256_and_size_of_its_bytes(save):
    data = plain_jpeg()
    photo = describe_photo(save(data))
    assert (photo.sha256, photo.size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_exif_capture_time_without_a_zone_is_taken_as_utc8(save):
    metadata = exif_metadata(save(phone_jpeg(size=SMALL)))
    assert metadata["captured_at"] == "2024-07-01T09:30:00+08:00"


def test_exif_capture_time_keeps_the_offset_the_camera_wrote(save):
    metadata = exif_metadata(save(phone_jpeg(size=SMALL, offset="+07:00")))
    assert metadata["captured_at"] == "2024-07-01T09:30:00+07:00"


def test_exif_position_becomes_decimal_degrees(save):
    metadata = exif_metadata(save(phone_jpeg(size=SMALL)))
    assert metadata["latitude"] == pytest.approx(35 + 8 / 60 + 30 / 3600)
    assert metadata["longitude"] == pytest.approx(111 + 13 / 60 + 12 / 3600)


def test_exif_position_south_and_west_is_negative(save):
    metadata = exif_metadata(save(phone_jpeg(size=SMALL, south_west=True)))
    assert metadata["latitude"] < 0 and metadata["longitude"] < 0


def test_photo_without_exif_has_no_metadata(save):
    assert exif_metadata(save(plain_jpeg())) == {}


def test_file_that_is_not_an_image_has_no_metadata(save):
    assert exif_metadata(save(b"not a photo", "x.jpg")) == {}


@pytest.mark.parametrize("data, expected", [
    (plain_jpeg(), "image/jpeg"), (png(), "image/png"), (webp(), "image/webp"),
    (b"GIF89a...", "application/octet-stream")])
def test_content_type_is_read_from_the_first_bytes(data, expected):
    assert content_type(data[:16]) == expected
