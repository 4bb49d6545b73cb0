"""Serves the offline app (pwa/) at `/`: the page, its service worker at the root scope, the
manifest and its assets under /app/. Nothing here needs a sign-in: the shell holds no data."""
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, request

from server.app_shell import shell
from server.catalog import current_system_code, form_registry

blueprint = Blueprint("app_shell", __name__)


def pwa_dir() -> Path:
    return Path(current_app.config.get("LOUJIAN_PWA_DIR") or shell.DEFAULT_PWA_DIR)


@blueprint.get("/")
def index():
    return _shell_file(shell.INDEX)


@blueprint.get("/manifest.webmanifest")
def manifest():
    return _shell_file(shell.MANIFEST, mimetype="application/manifest+json")


@blueprint.get("/app/<path:relative>")
def asset(relative):
    return _shell_file(relative)


@blueprint.get("/sw.js")
def service_worker():
    registry = form_registry()
    documents = [form.document for system in registry.systems for form in registry.forms(system)]
    current = registry.forms(current_system_code())
    form_urls = ["/api/forms", *[f"/api/forms/{form.id}" for form in current]]
    source = shell.service_worker_source(pwa_dir(), documents, form_urls)
    response = current_app.response_class(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _shell_file(relative: str, mimetype: str | None = None):
    folder = pwa_dir()
    if relative == shell.SERVICE_WORKER:
        abort(404)
    path = (folder / relative).resolve()
    if not path.is_file() or folder.resolve() not in path.parents:
        abort(404)
    if not shell.digest_matches(path, request.args.get("v")):
        abort(404)  # a release that is no longer served: the installing worker must fail whole
    # Bytes, not send_file: a file-wrapped response passes through uncompressed.
    content = path.read_bytes()
    response = current_app.response_class(
        content, mimetype=mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    response.set_etag(hashlib.sha256(content).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"  # revalidate (ETag); the worker keeps copies
    return response.make_conditional(request)
