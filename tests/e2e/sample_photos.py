"""Phone-like JPEGs made with Pillow: 4000×3000 with a capture time and a GPS position in EXIF."""
import io
from datetime import datetime

from PIL import Image, ImageDraw

TAKEN = "2024:07:01 09:30:00"
LATITUDE = (35, 8, 30.5)     # 35.141806° N
LONGITUDE = (111, 13, 12.25)  # 111.220069° E


def phone_jpeg(seed: int, size=(4000, 3000)) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(40):  # some detail, so the JPEG is not trivially small
        x = (i * 97 + seed * 131) % size[0]
        y = (i * 61 + seed * 53) % size[1]
        draw.rectangle([x, y, x + 300, y + 200], fill=((i * 40 + seed * 70) % 256, (i * 90) % 256, 120))
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation: upright
    exif.get_ifd(0x8769)[0x9003] = TAKEN
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", LATITUDE, "E", LONGITUDE
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def expected_latitude() -> float:
    d, m, s = LATITUDE
    return d + m / 60 + s / 3600


def expected_longitude() -> float:
    d, m, s = LONGITUDE
    return d + m / 60 + s / 3600


def camera_jpeg(seed: int, taken: datetime, latitude: float, longitude: float,
                size=(4000, 3000)) -> bytes:
    """A 12 MP phone camera photo of 3–5 MB (a scene with sensor-like noise, quality 92), its EXIF
    as a phone writes it: Make/Model, DateTimeOriginal with OffsetTimeOriginal, GPS with refs."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x = (i * 97 + seed * 131) % size[0]
        y = (i * 61 + seed * 53) % size[1]
        draw.rectangle([x, y, x + 300, y + 200], fill=((i * 40 + seed * 70) % 256, (i * 90) % 256, 120))
    noise = Image.effect_noise((size[0] // 2, size[1] // 2), 64 + 8 * (seed % 4))
    image = Image.blend(image, noise.resize(size, Image.Resampling.BILINEAR).convert("RGB"), 0.25)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = CAMERA_MAKE, CAMERA_MODEL, 1
    details = exif.get_ifd(0x8769)
    details[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    details[0x9011] = taken.strftime("%z")[:3] + ":" + taken.strftime("%z")[3:]
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = ("N" if latitude >= 0 else "S"), _dms(latitude)
    gps[3], gps[4] = ("E" if longitude >= 0 else "W"), _dms(longitude)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


CAMERA_MAKE, CAMERA_MODEL = "Xiaomi", "23049RAD8C"


def _dms(degrees: float) -> tuple[float, float, float]:
    degrees = abs(degrees)
    whole, minutes = int(degrees), (degrees - int(degrees)) * 60
    return (float(whole), float(int(minutes)), round((minutes - int(minutes)) * 60, 4))
