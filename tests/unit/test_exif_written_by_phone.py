"""The EXIF the phone writes into a shrunk photo (pwa/js/exif-write.js, run under Node) is a valid
JPEG that Pillow, and so the server, reads with the same facts."""
import io
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from server.photos.processing import Limits, process

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
FACTS = {"takenAt": "2024-07-01T09:30:05+08:00", "latitude": 35.141806, "longitude": 111.220069,
         "make": "HUAWEI", "model": "ALN-AL00"}


def canvas_like_jpeg() -> bytes:
    """What a browser canvas encodes: a JFIF JPEG with no EXIF."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((640, 480)).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def write_exif(tmp_path, data: bytes, facts: dict) -> tuple[bytes, dict]:
    assert NODE is not None, "node is not installed: run `make test`"
    source, target = tmp_path / "in.jpg", tmp_path / "out.jpg"
    source.write_bytes(data)
    result = subprocess.run([NODE, "tests/js/write-exif.mjs", str(source), str(target),
                             json.dumps(facts)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=True)
    return target.read_bytes(), json.loads(result.stdout)


def test_pillow_reads_the_facts_the_phone_wrote(tmp_path):
    written, read_by_phone = write_exif(tmp_path, canvas_like_jpeg(), FACTS)
    assert read_by_phone == FACTS
    with Image.open(io.BytesIO(written)) as image:
        image.verify()
    with Image.open(io.BytesIO(written)) as image:
        image.load()  # the pixels decode: the segment did not break the stream
        assert image.size == (640, 480)
        exif = image.getexif()
    assert exif[ExifTags.Base.Make] == "HUAWEI" and exif[ExifTags.Base.Model] == "ALN-AL00"
    assert exif[ExifTags.Base.Orientation] == 1
    details = exif.get_ifd(ExifTags.IFD.Exif)
    assert details[ExifTags.Base.DateTimeOriginal] == "2024:07:01 09:30:05"
    assert details[ExifTags.Base.OffsetTimeOriginal] == "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert (gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLongitudeRef]) == ("N", "E")
    assert [float(x) for x in gps[ExifTags.GPS.GPSLatitude]] == pytest.approx([35, 8, 30.5016])
    assert exif.get_ifd(ExifTags.IFD.IFD1) == {}  # no thumbnail


def test_the_server_keeps_the_phones_exif_time_place_and_camera(tmp_path):
    written, _ = write_exif(tmp_path, canvas_like_jpeg(), FACTS)
    processed = process(written, Limits(max_bytes=20 * 1024 * 1024, max_pixels=50_000_000))
    assert processed.exif_captured_at == datetime(2024, 7, 1, 1, 30, 5, tzinfo=timezone.utc)
    assert processed.exif_latitude == pytest.approx(FACTS["latitude"], abs=1e-7)
    assert processed.exif_longitude == pytest.approx(FACTS["longitude"], abs=1e-7)
    assert processed.exif_camera == "HUAWEI ALN-AL00"


def test_an_original_without_facts_leaves_the_jpeg_byte_for_byte(tmp_path):
    data = canvas_like_jpeg()
    written, read_by_phone = write_exif(tmp_path, data, {"takenAt": None, "latitude": None})
    assert written == data
    assert read_by_phone["takenAt"] is None
    with Image.open(io.BytesIO(written)) as image:
        assert dict(image.getexif()) == {}
