"""Where appraisal PDFs live: content-addressed by SHA-256, like the photos.

The store is keyed by a validated hex SHA-256 only; the name a user's file had is kept in the
database for display and never reaches the disk. A file is accepted for what its bytes are (a
PDF starts with `%PDF-`), whatever its name, extension or declared content type say.
"""
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from werkzeug.datastructures import FileStorage

from server.errors import ApiError
from server.files import write_whole
from forms.answers import is_sha256

PDF_MAGIC = b"%PDF-"
NAME_LIMIT = 200
DEFAULT_NAME = "鉴定报告.pdf"
STORE_EXTENSION = "loujian.document_store"  # app.extensions key; put an object store here to swap


class DocumentStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def exists(self, sha256: str) -> bool: ...
    def size(self, sha256: str) -> int: ...


class DiskDocumentStore:
    """`<root>/ab/cd/<sha>.pdf`, written whole (temp file, fsync, rename) or not at all."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if not path.is_file():  # if it is, the same bytes are there: a hash names its content
            write_whole(path, data)

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self._path(sha256).stat().st_size

    def _path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError("a document key must be a lowercase hex SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.pdf"


@dataclass(frozen=True)
class Document:
    """An uploaded PDF, checked: its bytes, their hash and the name to show."""

    data: bytes
    sha256: str
    name: str

    @property
    def size(self) -> int:
        return len(self.data)


def document_store() -> DocumentStore:
    """The app's document store: the `documents` folder inside the media folder by default."""
    extensions = current_app.extensions
    if STORE_EXTENSION not in extensions:
        root = Path(current_app.config["LOUJIAN_MEDIA_DIR"]) / "documents"
        extensions[STORE_EXTENSION] = DiskDocumentStore(root)
    return extensions[STORE_EXTENSION]


def max_bytes() -> int:
    return current_app.config["LOUJIAN_DOCUMENT_MAX_BYTES"]


def read_upload(upload: FileStorage, limit: int) -> Document:
    """Reads an uploaded file (at most `limit` bytes) and checks that it is a PDF."""
    data = upload.stream.read(limit + 1)
    return check_pdf(data, upload.filename, limit)


def check_pdf(data: bytes, filename: str | None, limit: int) -> Document:
    if not data:
        raise ApiError("document.empty")
    if len(data) > limit:
        raise ApiError("document.too_large", f"鉴定报告超过 {limit / (1024 * 1024):g} MB 上限",
                       details={"limit": limit})
    if not data.startswith(PDF_MAGIC):
        raise ApiError("document.not_pdf", "鉴定报告须为 PDF 文件（文件内容不是 PDF）")
    return Document(data, hashlib.sha256(data).hexdigest(), display_name(filename))


def display_name(filename: str | None) -> str:
    """The uploaded name, for display only: no folders, no control characters, ≤ 200 chars."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:NAME_LIMIT] or DEFAULT_NAME
