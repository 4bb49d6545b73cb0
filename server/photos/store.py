"""Where photo bytes live: a small interface keyed by SHA-256, with a folder on disk as default.

Nothing here ever builds a path from a client-given name: the only key is a validated
lowercase hex SHA-256 and a variant from a fixed list, so a hostile name cannot reach the disk.
An object store (S3-compatible) can take over by implementing the same methods.
"""
import fcntl
import os
from pathlib import Path
from typing import BinaryIO, Protocol

from server.files import write_whole
from forms.answers import is_sha256

VARIANTS = ("original", "display", "thumb")


class OffsetMismatch(Exception):
    """A piece did not start where the partial upload ends."""

    def __init__(self, received: int):
        super().__init__(f"the partial upload holds {received} bytes")
        self.received = received


class PhotoStore(Protocol):
    def put(self, sha256: str, variant: str, data: bytes) -> None: ...
    def open(self, sha256: str, variant: str) -> BinaryIO: ...
    def size(self, sha256: str, variant: str) -> int: ...
    def exists(self, sha256: str, variant: str) -> bool: ...
    def partial_size(self, sha256: str) -> int: ...
    def append_partial(self, sha256: str, offset: int, data: bytes) -> int: ...
    def read_partial(self, sha256: str) -> bytes: ...
    def delete_partial(self, sha256: str) -> None: ...


class DiskPhotoStore:
    """`<root>/<variant>/ab/cd/<sha>[.jpg]`, and `<root>/partial/<sha>.part` for chunked uploads.

    A finished file appears under its final name only whole (temp file, fsync, os.replace), so
    a crash never leaves half a photo where a reader would find it.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def put(self, sha256: str, variant: str, data: bytes) -> None:
        write_whole(self._path(sha256, variant), data)

    def open(self, sha256: str, variant: str) -> BinaryIO:
        return open(self._path(sha256, variant), "rb")

    def size(self, sha256: str, variant: str) -> int:
        return self._path(sha256, variant).stat().st_size

    def exists(self, sha256: str, variant: str) -> bool:
        return self._path(sha256, variant).is_file()

    def partial_size(self, sha256: str) -> int:
        try:
            return self._partial_path(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def append_partial(self, sha256: str, offset: int, data: bytes) -> int:
        """Appends `data` if `offset` equals the bytes held; returns the new size.

        The size check and the write happen under an exclusive lock on the file, and the file
        is opened with O_APPEND, so two workers given the same piece cannot both write it.
        """
        path = self._partial_path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            received = os.fstat(descriptor).st_size
            if received != offset:
                raise OffsetMismatch(received)
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
            return received + len(data)
        finally:
            os.close(descriptor)  # also releases the lock

    def read_partial(self, sha256: str) -> bytes:
        return self._partial_path(sha256).read_bytes()

    def delete_partial(self, sha256: str) -> None:
        self._partial_path(sha256).unlink(missing_ok=True)

    def _path(self, sha256: str, variant: str) -> Path:
        _check_key(sha256)
        if variant not in VARIANTS:
            raise ValueError(f"unknown photo variant {variant!r}")
        # The original keeps no extension: its type is in the database, sniffed from the bytes.
        name = sha256 if variant == "original" else f"{sha256}.jpg"
        return self.root / variant / sha256[:2] / sha256[2:4] / name

    def _partial_path(self, sha256: str) -> Path:
        _check_key(sha256)
        return self.root / "partial" / f"{sha256}.part"


def _check_key(sha256: str) -> None:
    if not is_sha256(sha256):
        raise ValueError("a photo key must be a lowercase hex SHA-256")


