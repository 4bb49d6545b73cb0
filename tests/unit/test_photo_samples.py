"""Photos made in memory for the photo tests, and checks that they are what they claim to be."""
import hashlib
import io
import struct
import zlib
from functools import cache

from PIL import ExifTags, Image

TAKEN_AT = "2024:07:01 09:30:00"           # a phone's local time, no zone written
LATITUDE, LONGITUDE = (35, 8, 30), (111, 13, 12)   # 夏县 (N, E)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def phone_jpeg(size=(4000, 3000), orientation=6, offset=None, south_west=False) -> bytes:
    """A phone photo: held sideways (Orientation 6 = turn 90° clockwise to view), with the
    capture time and GPS position in its EXIF."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = TAKEN_AT
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S" if south_west else "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(float(part) for part in LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W" if south_west else "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(float(part) for part in LONGITUDE)
    return _encoded(image, "JPEG", exif=exif, quality=85)


@cache
def plain_jpeg(size=(800, 600)) -> bytes:
    return _encoded(Image.linear_gradient("L").resize(size).convert("RGB"), "JPEG")


@cache
def png(size=(640, 480), colour=(30, 120, 200, 255)) -> bytes:
    return _encoded(Image.new("RGBA", size, colour), "PNG")


@cache
def webp(size=(640, 480)) -> bytes:
    return _encoded(Image.new("RGB", size, (200, 80, 40)), "WEBP")


@cache
def gif() -> bytes:
    return _encoded(Image.new("P", (64, 64)), "GIF")


def jpeg_with_broken_exif() -> bytes:
    """EXIF whose GPS and Exif sub-directories point far beyond the end of the segment."""
    entries = [struct.pack(">HHII", tag, 4, 1, 0x00FFFFFF) for tag in (0x8769, 0x8825)]
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">H", 2) + b"".join(entries) + bytes(4)
    segment = b"Exif\x00\x00" + tiff
    data = plain_jpeg()
    return data[:2] + b"\xff\xe1" + struct.pack(">H", 2 + len(segment)) + segment + data[2:]


def text_named_jpeg() -> bytes:
    return "这不是照片，只是一个叫 photo.jpg 的文本文件\n".encode() * 20


@cache
def truncated_jpeg() -> bytes:
    data = _encoded(Image.effect_noise((800, 600), 64).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


@cache
def png_bomb(width=30000, height=30000) -> bytes:
    """A few hundred bytes of PNG declaring width×height pixels: made small, then its header
    (IHDR) patched to the huge size with a correct CRC, so only the pixel count gives it away."""
    data = bytearray(_encoded(Image.new("L", (64, 64)), "PNG"))
    ihdr_at = data.index(b"IHDR")
    data[ihdr_at + 4: ihdr_at + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr_at: ihdr_at + 17]))
    data[ihdr_at + 17: ihdr_at + 21] = struct.pack(">I", crc)
    return bytes(data)


def _encoded(image: Image.Image, image_format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def test_phone_jpeg_carries_orientation_time_and_gps():
    with Image.open(io.BytesIO(phone_jpeg())) as image:
        exif = image.getexif()
        assert image.size == (4000, 3000)
        assert exif[ExifTags.Base.Orientation] == 6
        assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == TAKEN_AT
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_png_bomb_declares_a_huge_image_in_a_tiny_file():
    data = png_bomb()
    assert len(data) < 1000
    assert struct.unpack(">II", data[16:24]) == (30000, 30000)  # IHDR's width and height
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
