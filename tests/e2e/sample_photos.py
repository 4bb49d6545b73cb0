"""Phone-like JPEGs made with Pillow: 4000×3000 with a capture time and a GPS position in EXIF."""
import io

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
