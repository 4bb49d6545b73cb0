"""The desk's photo check: drop a photo exported by Loujian, learn whether it is unaltered and
what it is evidence of (server/photos/provenance.py), as `flask photos verify` tells."""
from flask import current_app, render_template
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import ApiError
from server.pages import SIGNED_IN, page, page_blueprint
from server.photos.operations import evidence_credentials
from server.photos.provenance import verify
from server.photos.schemas import VerifyPhotoForm

blueprint = page_blueprint("photo_pages", __name__, url_prefix="/desk/photos")


def max_bytes() -> int:
    return current_app.config["LOUJIAN_VERIFY_MAX_BYTES"]


def show_form(error: ApiError | None = None):
    return render_template("desk/photo_verify.html", error=error, verdict=None,
                           limit_mb=max_bytes() / (1024 * 1024)), error.status if error else 200


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    return show_form(ApiError("request.too_large", "文件超过大小上限，请上传从楼检导出的照片"))


@blueprint.get("/verify")
@page(roles=SIGNED_IN, writes=False)
def verify_form():
    return show_form()


@blueprint.post("/verify")
@page(roles=SIGNED_IN, form=VerifyPhotoForm, writes=False, refused=show_form)
def verify_upload(form):
    upload, limit = form["photo"], max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError("request.too_large", f"文件超过 {limit / (1024 * 1024):g} MB 上限，"
                                            "请上传从楼检导出的照片")
    verdict = verify(data, evidence_credentials().anchor_pem)
    return render_template("desk/photo_verify.html", error=None, verdict=verdict,
                           filename=upload.filename, limit_mb=limit / (1024 * 1024))
