"""The app shell as files on disk: which files the service worker precaches, and the version
that names its cache. The version is a digest of every shell file's content and of every form
document, so any change to either makes a new cache, filled whole before it is used."""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from server.config import REPO_ROOT

DEFAULT_PWA_DIR = REPO_ROOT / "pwa"
SERVICE_WORKER = "sw.js"
INDEX = "index.html"
MANIFEST = "manifest.webmanifest"
ASSET_PREFIX = "/app/"
SHELL_SUFFIXES = {".html", ".js", ".css", ".webmanifest", ".svg", ".png"}


@dataclass(frozen=True)
class ShellFile:
    path: str    # relative to the pwa folder, e.g. "js/app.js"
    url: str     # where the app asks for it, e.g. "/app/js/app.js"
    digest: str  # SHA-256 of the content, hex


def url_for_shell_path(relative: str) -> str:
    if relative == INDEX:
        return "/"
    if relative == MANIFEST:
        return "/" + MANIFEST
    return ASSET_PREFIX + relative


def shell_files(pwa_dir: Path) -> list[ShellFile]:
    """Every file the app needs offline, in a stable order; the service worker itself is not one."""
    files = []
    for path in sorted(pwa_dir.rglob("*")):
        relative = path.relative_to(pwa_dir).as_posix()
        if not path.is_file() or path.suffix not in SHELL_SUFFIXES or relative == SERVICE_WORKER:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append(ShellFile(relative, url_for_shell_path(relative), digest))
    return files


def release_version(files: list[ShellFile], form_documents: list[dict]) -> str:
    combined = hashlib.sha256()
    for file in files:
        combined.update(f"{file.path}\0{file.digest}\n".encode())
    for document in sorted(form_documents, key=lambda d: (d["id"], d["version"])):
        combined.update(json.dumps(document, sort_keys=True, ensure_ascii=False).encode())
    return combined.hexdigest()[:16]


def service_worker_source(pwa_dir: Path, form_documents: list[dict], form_urls: list[str]) -> str:
    """sw.js with its release written in front: the version and the exact URLs to precache.
    Each shell URL carries its content digest (`?v=`), and the server refuses a digest that no
    longer matches, so an install racing a deploy fails whole instead of mixing two releases."""
    files = shell_files(pwa_dir)
    release = {
        "version": release_version(files, form_documents),
        "shell": {f.url: f"{f.url}?v={f.digest[:16]}" for f in files},
        "forms": form_urls,
    }
    header = f"self.RELEASE = {json.dumps(release, ensure_ascii=False)};\n"
    return header + (pwa_dir / SERVICE_WORKER).read_text(encoding="utf-8")


def digest_matches(path: Path, wanted: str | None) -> bool:
    """True when no digest was asked for, or the file's content still has it."""
    if not wanted:
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest().startswith(wanted)
