"""A community's photos as a ZIP: each untouched original (stored, not recompressed) beside a copy
stamped with when and where it was taken; evidence under 原图/ and 标注/, after-photos of a
rectification (整改后) under 整改后/原图/ and 整改后/标注/. Each stamped copy carries a signed C2PA
manifest of what it is evidence of (server/photos/provenance.py). Written to an unseekable sink and
yielded file by file, so a community's photos never sit in memory together.

The body is streamed after the request is over: by then the request's session has been closed
(Flask tears the app context down when the view returns; `stream_with_context` pushes it again
later, with a fresh session). So the rows are not an ORM result of the request's session: they
are plain rows read in batches by keyset (`photo_rows`), each batch on a connection of its own
that goes back to the pool at once, so a slow download never holds a database connection."""
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import Engine, Row, Select, and_, exists, func, select, tuple_
from sqlalchemy.orm import aliased

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Estate
from server.extensions import db
from server.findings.models import Finding, FindingPhoto, Rectification
from server.photos.models import Photo, PhotoHolder
from server.photos.provenance import Credentials, Evidence, make_signer, sign_jpeg
from server.photos.store import PhotoStore
from sync.china_time import CHINA_TIME

CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
COPY_CHUNK = 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class _Sink(io.RawIOBase):
    """Collects what zipfile writes; not seekable, so zipfile uses data descriptors."""

    def __init__(self):
        self.parts = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


MISSING_LIST = "缺失照片.txt"
AFTER = "整改后"


BATCH = 200
# The order of the entries, and the keyset a batch resumes from (unique: ends with the link id).
ORDER = (Estate.name, Building.number, Finding.id, FindingPhoto.position, FindingPhoto.id)
Surveyor = aliased(User)


def community_photos(user: User, community_id: int) -> Select:
    """Every photo link of the community's findings the user may see: the photo's fields, where
    it belongs, and who took it (the rectification's author for an after-photo). Built while the
    request holds the user; the statement itself carries no session."""
    return (select(*Photo.__table__.columns, Estate.name.label("estate"), Building.number,
                   Finding.id.label("finding_id"), Finding.indicator, Finding.check_item,
                   FindingPhoto.rectification_id,
                   FindingPhoto.position, FindingPhoto.id.label("link_id"),
                   Surveyor.display_name.label("surveyor"))
            .select_from(FindingPhoto)
            .join(Finding, FindingPhoto.finding_id == Finding.id)
            .join(Building, Finding.building_id == Building.id).join(Estate)
            .join(Photo, Photo.sha256 == FindingPhoto.sha256)
            .outerjoin(Rectification, FindingPhoto.rectification_id == Rectification.id)
            .join(Surveyor, Surveyor.id == func.coalesce(Rectification.author_id,
                                                          Finding.author_id))
            # evidence only where its linker uploaded the bytes (server/photos/models.py)
            .join(PhotoHolder, and_(PhotoHolder.sha256 == FindingPhoto.sha256,
                                    PhotoHolder.user_id == Surveyor.id))
            .where(Estate.community_id == community_id, buildings_visible_to(user)))


def has_photos(statement: Select) -> bool:
    return db.session.scalar(select(exists(statement.with_only_columns(FindingPhoto.id))))


def photo_rows(engine: Engine, statement: Select, batch: int = BATCH) -> Iterator[Row]:
    """The statement's rows in ORDER, `batch` at a time, each batch read on a connection of its
    own and released before the rows are used."""
    after = None
    while True:
        page = statement.order_by(*ORDER).limit(batch)
        if after is not None:
            page = page.where(tuple_(*ORDER) > tuple_(*after))
        with engine.connect() as connection:
            rows = connection.execute(page).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = (last.estate, last.number, last.finding_id, last.position, last.link_id)


def zip_chunks(rows: Iterable[Row], store: PhotoStore,
               credentials: Credentials) -> Iterator[bytes]:
    """Each stamped copy is signed (server/photos/provenance.py) with `credentials`."""
    sink = _Sink()
    missing = []
    with zipfile.ZipFile(sink, "w") as archive, make_signer(credentials) as signer:
        for row in rows:
            photo = row
            after = row.rectification_id is not None
            folder = f"{AFTER}/" if after else ""
            stem = _safe(f"{row.estate}{row.number}_指标{row.indicator}_{row.check_item}"
                         f"{'_' + AFTER if after else ''}_{photo.sha256[:12]}")
            if not store.exists(photo.sha256, "original"):
                # Known to the database but not in the store (a lost disk, a partial restore):
                # the download goes on and names what it lacks rather than breaking off.
                missing.append(f"{stem}\tSHA-256 {photo.sha256}")
                continue
            with store.open(photo.sha256, "original") as original, \
                    archive.open(f"{folder}原图/{stem}.{EXTENSIONS.get(photo.mime_type, 'jpg')}", "w") as out:
                while chunk := original.read(COPY_CHUNK):
                    out.write(chunk)
            yield sink.drain()
            if store.exists(photo.sha256, "display"):
                evidence = _evidence(row)
                with store.open(photo.sha256, "display") as display:
                    stamped = sign_jpeg(stamp(display.read(), _caption(evidence)), evidence,
                                        signer)
                archive.writestr(f"{folder}标注/{stem}.jpg", stamped, compress_type=zipfile.ZIP_STORED)
                yield sink.drain()
        if missing:
            archive.writestr(MISSING_LIST, "服务器存储中找不到以下照片的原图：\n"
                             + "\n".join(missing) + "\n")
    yield sink.drain()


def stamp(display_jpeg: bytes, lines: list[str]) -> bytes:
    """The display copy with a caption band drawn along its bottom."""
    with Image.open(io.BytesIO(display_jpeg)) as image:
        image = image.convert("RGB")
        font, cjk = _font(max(14, image.width // 60))
        if not cjk:
            lines = [line for line in lines if line.isascii()]
        draw = ImageDraw.Draw(image)
        line_height = int(font.size * 1.4) if hasattr(font, "size") else 14
        band = line_height * len(lines) + 16
        draw.rectangle([0, image.height - band, image.width, image.height], fill=(0, 0, 0))
        for index, line in enumerate(lines):
            draw.text((12, image.height - band + 8 + index * line_height), line,
                      fill=(255, 255, 255), font=font)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()


def _evidence(row) -> Evidence:
    """What the stamped copy of the row's photo is evidence of: the phone's capture data, else
    the file's EXIF."""
    lat, lon = row.latitude, row.longitude
    if lat is None or lon is None:
        lat, lon = row.exif_latitude, row.exif_longitude
    return Evidence(building=f"{row.estate}{row.number}", indicator=row.indicator,
                    check_item=row.check_item, surveyor=row.surveyor,
                    captured_at=row.captured_at or row.exif_captured_at,
                    latitude=lat, longitude=lon, received_at=row.received_at,
                    original_sha256=row.sha256,
                    after_rectification=row.rectification_id is not None)


def _caption(evidence: Evidence) -> list[str]:
    when, lat, lon = evidence.captured_at, evidence.latitude, evidence.longitude
    after = f" {AFTER}" if evidence.after_rectification else ""
    return [f"{evidence.building} 指标{evidence.indicator} {evidence.check_item}{after}",
            f"{when.astimezone(CHINA_TIME):%Y-%m-%d %H:%M} UTC+8" if when else "time unknown",
            f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "place unknown",
            f"拍摄人 {evidence.surveyor}",
            f"SHA-256 {evidence.original_sha256}"]


def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(), False


def _safe(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name)
