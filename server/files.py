"""Files that appear under their final name whole or not at all: what the photo store and the
appraisal-document store write with."""
import os
import secrets
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """Temp file beside the target, fsync, os.replace, fsync of the folder: a crash never
    leaves half a file where a reader would find it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".tmp-{secrets.token_hex(8)}"
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Makes a rename itself durable (POSIX: a rename lives in the directory's entry)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
