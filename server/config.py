"""Settings: defaults, then the environment, then the dict given to create_app."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_settings(instance_path: str, overrides: dict | None) -> dict:
    instance = Path(instance_path)
    settings = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'loujian.sqlite3'}",
        "LOUJIAN_MEDIA_DIR": os.environ.get("LOUJIAN_MEDIA_DIR") or str(instance / "media"),
        # The key that signs exported evidence photos (server/photos/provenance.py).
        "LOUJIAN_C2PA_DIR": os.environ.get("LOUJIAN_C2PA_DIR") or str(instance / "c2pa"),
        "LOUJIAN_C2PA_CERT": os.environ.get("LOUJIAN_C2PA_CERT") or None,
        "LOUJIAN_C2PA_KEY": os.environ.get("LOUJIAN_C2PA_KEY") or None,
        "LOUJIAN_VERIFY_MAX_BYTES": int(os.environ.get("LOUJIAN_VERIFY_MAX_BYTES")
                                        or 30 * 1024 * 1024),
        "LOUJIAN_FORMS_DIR": os.environ.get("LOUJIAN_FORMS_DIR") or str(REPO_ROOT / "forms"),
        "PORT": int(os.environ.get("PORT", "8000")),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance),
        "API_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("LOUJIAN_TOKEN_DAYS", "30"))),
        "ONE_TIME_PASSWORD_LIFETIME": timedelta(hours=int(os.environ.get(
            "LOUJIAN_ONE_TIME_PASSWORD_HOURS", "72"))),
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT": timedelta(minutes=15),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "LOUJIAN_PHOTO_MAX_BYTES": int(os.environ.get("LOUJIAN_PHOTO_MAX_BYTES", 30 * 1024 * 1024)),
        "LOUJIAN_PHOTO_MAX_PIXELS": int(os.environ.get("LOUJIAN_PHOTO_MAX_PIXELS", 64_000_000)),
        "LOUJIAN_PHOTO_CHUNK_MAX_BYTES": int(os.environ.get("LOUJIAN_PHOTO_CHUNK_MAX_BYTES",
                                                            4 * 1024 * 1024)),
        "LOUJIAN_DOCUMENT_MAX_BYTES": int(os.environ.get("LOUJIAN_DOCUMENT_MAX_BYTES")
                                          or 20 * 1024 * 1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
        # (0: none; then those headers are ignored, as anyone can send them).
        "LOUJIAN_TRUSTED_PROXIES": int(os.environ.get("LOUJIAN_TRUSTED_PROXIES", "0")),
        "JSON_AS_ASCII": False,
    }
    settings.update(overrides or {})
    if "DATABASE_URL" in settings:
        settings["SQLALCHEMY_DATABASE_URI"] = settings.pop("DATABASE_URL")
    settings["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(settings["SQLALCHEMY_DATABASE_URI"])
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    return settings


def _normalise_db_url(url: str) -> str:
    """Accept the usual postgres:// spellings and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder, so sessions survive restarts
    and several workers on one host agree, without shipping a default secret."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key
