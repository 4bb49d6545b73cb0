"""Checking and deriving a photo with Pillow: plain Python, no Flask, no database.

A photo is refused (PhotoRejected, carrying an error-catalogue code) unless its bytes are a
JPEG, PNG or WebP within the byte and pixel limits that decodes completely. The original bytes
are never changed; the display copy and the thumbnail are JPEGs with EXIF orientation applied.
"""
import io
import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from PIL import ExifTags, Image, ImageOps

from sync.china_time import CHINA_TIME

DISPLAY_LONG_EDGE = 1600
THUMB_LONG_EDGE = 320
JPEG_QUALITY = 82
# EXIF without OffsetTimeOriginal is local time; our phones are in China, which keeps UTC+8
# all year (no daylight saving), so that is the only sensible guess.

_SIGNATURES = (  # (format as Pillow names it, MIME type, test on the first bytes)
    ("JPEG", "image/jpeg", lambda head: head[:3] == b"\xff\xd8\xff"),
    ("PNG", "image/png", lambda head: head[:8] == b"\x89PNG\r\n\x1a\n"),
    ("WEBP", "image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


class PhotoRejected(Exception):
    def __init__(self, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class ProcessedPhoto:
    mime_type: str
    width: int   # as the photo is meant to be seen, i.e. after EXIF orientation
    height: int
    exif_captured_at: datetime | None
    exif_latitude: float | None
    exif_longitude: float | None
    exif_camera: str | None
    display: bytes
    thumb: bytes


def sniff_format(head: bytes) -> tuple[str, str]:
    """(Pillow format, MIME type) from the magic bytes; the file's name and declared type are
    never trusted."""
    for image_format, mime_type, matches in _SIGNATURES:
        if matches(head):
            return image_format, mime_type
    raise PhotoRejected("photo.unsupported_type", "只接受 JPEG、PNG 或 WebP 格式的照片")


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PhotoRejected("photo.too_large", f"照片超过 {max_bytes / (1024 * 1024):g} MB 上限",
                            {"limit": max_bytes, "size": size})


def process(data: bytes, limits: Limits) -> ProcessedPhoto:
    check_size(len(data), limits.max_bytes)
    image_format, mime_type = sniff_format(data[:16])
    with _refusing_bad_images(limits.max_pixels):
        with _open(data, image_format, limits.max_pixels) as image:
            stored_size = image.size
            image.verify()  # structure and checksums (PNG CRCs), before spending a decode
        # Decoding reads the whole stream even at a reduced scale, so a truncated file fails here.
        # One draft-mode decode serves both copies: the thumbnail is shrunk from the display copy.
        with decode_reduced(data, image_format, DISPLAY_LONG_EDGE, limits.max_pixels) as image:
            exif = _safe_exif(image)
            width, height = _oriented(stored_size, exif)  # read before the copy drops the tag
            captured_at, latitude, longitude = _exif_time_and_place(exif)
            camera = exif_camera(exif)
            display = _derived_jpeg(image, DISPLAY_LONG_EDGE)
            thumb = _derived_jpeg(image, THUMB_LONG_EDGE)
    return ProcessedPhoto(mime_type=mime_type, width=width, height=height,
                          exif_captured_at=captured_at, exif_latitude=latitude,
                          exif_longitude=longitude, exif_camera=camera, display=display,
                          thumb=thumb)


def decode_reduced(data: bytes, image_format: str, long_edge: int, max_pixels: int
                   ) -> Image.Image:
    """Decodes a JPEG directly at a reduced scale (draft mode: libjpeg's DCT scaling, several
    times faster than a full decode and a fraction of the memory), keeping the long edge at
    least `long_edge`. Other formats are decoded whole."""
    image = _open(data, image_format, max_pixels)
    if image_format == "JPEG":
        width, height = image.size
        longest = max(width, height)
        if longest > long_edge:
            # Pillow picks the largest scale that keeps both sides at least the requested box.
            image.draft("RGB", (math.ceil(width * long_edge / longest),
                                math.ceil(height * long_edge / longest)))
    image.load()
    return image


@contextmanager
def _refusing_bad_images(max_pixels: int):
    """Turns Pillow's decompression-bomb checks and its many decoder exceptions into refusals.

    Pillow reads its pixel limit from a module global, so it is set to the configured one on
    every use; the warning Pillow gives between one and two times that limit becomes an error.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels(max_pixels) from error
        except Exception as error:
            # Hostile files make Pillow's plugins raise OSError, SyntaxError, ValueError,
            # struct.error, EOFError…: whatever cannot be decoded is, to the user, a broken file.
            raise PhotoRejected("photo.corrupt", "照片文件已损坏或不完整，无法解码",
                                {"reason": type(error).__name__}) from error


def _open(data: bytes, image_format: str, max_pixels: int) -> Image.Image:
    # formats= keeps Pillow from trying every other plugin on bytes we already sniffed.
    image = Image.open(io.BytesIO(data), formats=[image_format])
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _too_many_pixels(max_pixels)
    return image


def _too_many_pixels(max_pixels: int) -> PhotoRejected:
    megapixels = f"{max_pixels / 1_000_000:g}"
    return PhotoRejected("photo.too_many_pixels",
                         f"照片像素过多（上限 {megapixels} 百万像素）或疑似解压炸弹，已拒收",
                         {"limit": max_pixels})


def _derived_jpeg(image: Image.Image, long_edge: int) -> bytes:
    """Shrinks the image in place (so a smaller copy can follow from it) and encodes it upright.

    Bilinear, not Lanczos: after the draft decode the scale left for the display copy is under
    2×, where Pillow's bilinear filter looks the same and takes half the time; larger steps are
    first reduced by whole factors (thumbnail's reducing_gap). thumbnail() never enlarges."""
    image.thumbnail((long_edge, long_edge), Image.Resampling.BILINEAR)
    try:
        upright = ImageOps.exif_transpose(image)  # after shrinking: fewer pixels to move
    except Exception:  # a broken orientation tag is no reason to refuse the photo
        upright = image
    return _as_jpeg(upright)


def _oriented(size: tuple[int, int], exif: Image.Exif | None) -> tuple[int, int]:
    """The size as the photo is meant to be seen: EXIF orientations 5–8 turn it a quarter."""
    try:
        orientation = exif.get(ExifTags.Base.Orientation) if exif is not None else None
    except Exception:
        orientation = None
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _as_jpeg(image: Image.Image) -> bytes:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, "white")
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        image = flattened
    elif image.mode != "RGB":
        image = image.convert("RGB")
    output = io.BytesIO()
    # Baseline, not progressive: encoding is about five times faster, and these copies are
    # viewed on a LAN or fetched whole by the app.
    image.save(output, "JPEG", quality=JPEG_QUALITY, icc_profile=image.info.get("icc_profile"))
    return output.getvalue()


def _safe_exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:  # unreadable EXIF: the photo is still fine, we just know less about it
        return None


def _exif_time_and_place(exif: Image.Exif | None):
    """EXIF is whatever the file says: anything absent, blank or unreadable is simply None."""
    return (_exif_capture_time(exif),
            _gps_degrees(exif, ExifTags.GPS.GPSLatitude, ExifTags.GPS.GPSLatitudeRef, "S", 90),
            _gps_degrees(exif, ExifTags.GPS.GPSLongitude, ExifTags.GPS.GPSLongitudeRef, "W", 180))


def exif_camera(exif: Image.Exif | None) -> str | None:
    """EXIF Make and Model as one line of printable text (at most 130 characters), or None.
    Whatever the file holds is kept as text: the desk escapes it when it shows it."""
    parts = []
    for tag in (ExifTags.Base.Make, ExifTags.Base.Model):
        try:
            value = exif.get(tag) if exif is not None else None
        except Exception:
            value = None
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            text = " ".join("".join(c if c.isprintable() else " " for c in value[:200]).split())
            if text and text not in parts:
                parts.append(text[:64])
    return " ".join(parts) or None


def _exif_capture_time(exif: Image.Exif | None) -> datetime | None:
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        taken = datetime.strptime(str(details[ExifTags.Base.DateTimeOriginal]).strip("\x00 "),
                                  "%Y:%m:%d %H:%M:%S")
        offset = details.get(ExifTags.Base.OffsetTimeOriginal)
        zone = (datetime.strptime(str(offset).strip("\x00 "), "%z").tzinfo
                if offset else CHINA_TIME)
        return taken.replace(tzinfo=zone).astimezone(timezone.utc)
    except Exception:
        return None


def _gps_degrees(exif: Image.Exif | None, value_tag: int, ref_tag: int, negative_ref: str,
                 bound: float) -> float | None:
    """Decimal degrees from EXIF's (degrees, minutes, seconds) rationals; S and W are negative."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        degrees, minutes, seconds = (float(part) for part in gps[value_tag])
        value = degrees + minutes / 60 + seconds / 3600
        ref = gps.get(ref_tag, "")
        ref = ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref)
        if ref.strip("\x00 ").upper() == negative_ref:
            value = -value
    except Exception:
        return None
    if not math.isfinite(value) or abs(value) > bound:
        return None
    return round(value, 7)

