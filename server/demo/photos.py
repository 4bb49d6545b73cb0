"""Demo evidence photos drawn with Pillow: a building scene, the defect circled, a caption, and
EXIF capture time and GPS as a phone writes them. Plain Python, no app: the same arguments give
the same bytes (on the same Pillow), so the same seed gives the same SHA-256s."""
import io
import random
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import cache

from PIL import ExifTags, Image, ImageDraw, ImageFont

from sync.china_time import CHINA_TIME

WIDTH, HEIGHT = 800, 600
QUALITY = 72
# A CJK font when the machine has one (Debian's fonts-wqy-microhei, fonts-noto-cjk); otherwise
# the caption falls back to ASCII with Pillow's own font.
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc")
WALLS = ((214, 196, 170), (190, 184, 176), (222, 214, 200), (176, 160, 140), (205, 190, 180))
SKIES = ((168, 200, 226), (200, 214, 224), (182, 206, 232))


@dataclass(frozen=True)
class Caption:
    """What a photo shows, in Chinese and in ASCII for a machine without a CJK font."""

    title: str        # e.g. 楼梯扶手损坏
    ascii_title: str  # e.g. "Indicator 3 / handrail_damaged"
    place: str        # e.g. 达明新村3# 2单元 3层
    ascii_place: str  # e.g. "Building 127, unit 2, floor 3"
    after: bool = False  # an after-photo of a rectification


def scene_jpeg(caption: Caption, taken: datetime, latitude: float, longitude: float,
               seed: int) -> bytes:
    """An 800×600 JPEG of a plausible scene; EXIF says `taken` (China time) and the place."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT), rng.choice(SKIES))
    draw = ImageDraw.Draw(image)
    _facade(draw, rng, caption.after)
    _mark(draw, rng, caption.after)
    _caption(draw, caption, taken)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=QUALITY, exif=_exif(taken, latitude, longitude))
    return output.getvalue()


def _facade(draw: ImageDraw.ImageDraw, rng: random.Random, after: bool) -> None:
    wall = rng.choice(WALLS)
    if after:  # freshly repaired: a lighter, cleaner wall
        wall = tuple(min(255, c + 25) for c in wall)
    left, top = rng.randint(40, 120), rng.randint(40, 110)
    right = WIDTH - rng.randint(40, 120)
    draw.rectangle((0, 470, WIDTH, HEIGHT), fill=(120, 118, 112))  # the ground
    draw.rectangle((left, top, right, 480), fill=wall, outline=(90, 80, 70), width=3)
    columns, rows = rng.randint(4, 7), rng.randint(3, 5)
    cell_w, cell_h = (right - left) / columns, (480 - top) / rows
    for column in range(columns):
        for row in range(rows):
            x, y = left + column * cell_w, top + row * cell_h
            glass = (70, 96, 120) if rng.random() < 0.8 else (150, 170, 185)
            draw.rectangle((x + cell_w * 0.22, y + cell_h * 0.2, x + cell_w * 0.78,
                            y + cell_h * 0.72), fill=glass, outline=(240, 240, 235), width=2)
    door = left + (right - left) / 2
    draw.rectangle((door - 28, 400, door + 28, 480), fill=(96, 70, 50))


def _mark(draw: ImageDraw.ImageDraw, rng: random.Random, after: bool) -> None:
    """A crack or stain circled in red; after rectification, a green tick on clean wall."""
    x, y = rng.randint(200, 600), rng.randint(150, 380)
    if after:
        draw.line((x - 40, y, x - 10, y + 35, x + 50, y - 40), fill=(30, 150, 60), width=12)
        return
    points, (px, py) = [], (x - 50, y - 40)
    for _ in range(7):
        px, py = px + rng.randint(8, 20), py + rng.randint(-4, 18)
        points.append((px, py))
    draw.line([(x - 50, y - 40), *points], fill=(45, 35, 30), width=4)
    draw.ellipse((x - 85, y - 75, x + 85, y + 75), outline=(220, 30, 30), width=6)


def _caption(draw: ImageDraw.ImageDraw, caption: Caption, taken: datetime) -> None:
    draw.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=(20, 24, 28))
    font = _font(30)
    cjk = font is not None
    font = font or ImageFont.load_default(24)
    small = _font(20) or ImageFont.load_default(18)
    title = caption.title if cjk else caption.ascii_title
    place = caption.place if cjk else caption.ascii_place
    if caption.after:
        title = f"整改后：{title}" if cjk else f"After repair: {title}"
    draw.text((20, HEIGHT - 88), title, fill=(255, 255, 255), font=font)
    draw.text((20, HEIGHT - 44), f"{place}    {taken:%Y-%m-%d %H:%M}", fill=(210, 210, 210),
              font=small)


@cache
def _font(size: int):
    for path in CJK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def _exif(taken: datetime, latitude: float, longitude: float) -> Image.Exif:
    """DateTimeOriginal in China time with its offset, and GPS as degrees/minutes/seconds."""
    local = taken.astimezone(CHINA_TIME)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Loujian"
    exif[ExifTags.Base.Model] = "Demo camera"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = f"{local:%Y:%m:%d %H:%M:%S}"
    details[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = _dms(latitude)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = _dms(longitude)
    return exif


def _dms(degrees: float) -> tuple[Fraction, Fraction, Fraction]:
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60, 3)
    return Fraction(whole), Fraction(minutes), Fraction(seconds).limit_denominator(1000)
