"""Photo endpoints (sync/PROTOCOL.md §2). Photo bytes travel as raw request bodies, read here;
the query string and the answers still go through @endpoint's schemas."""
from flask import Blueprint, g, request, send_file

from server.accounts.models import Role
from server.accounts.scopes import SURVEYING_ROLES
from server.endpoints import endpoint
from server.errors import ApiError
from server.photos import operations
from server.photos.schemas import (CaptureMetadataQuery, CheckRequestSchema, CheckResultSchema,
                                   ChunkQuery, ChunkResultSchema, PhotoFileQuery, PhotoSchema,
                                   UploadStateSchema)

blueprint = Blueprint("photos_api", __name__, url_prefix="/api")
ALL_ROLES = tuple(Role)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
UPLOAD_ERRORS = ["request.bad_parameter", "photo.hash_mismatch", "photo.unsupported_type",
                 "photo.too_large", "photo.too_many_pixels", "photo.corrupt"]
ONE_YEAR = 365 * 24 * 3600


@blueprint.post("/photos/check")
@endpoint(summary="哪些照片服务器还没有（以及断点续传的位置）", tags=["photos"],
          roles=SURVEYING_ROLES, writes=False, body=CheckRequestSchema, response=CheckResultSchema)
def check_photos(body):
    return operations.check_hashes(g.user, body["hashes"])


@blueprint.put("/photos/<sha>")
@endpoint(summary="上传一张完整照片（请求体为照片字节；201 已保存，200 服务器早已有）",
          tags=["photos"], roles=SURVEYING_ROLES, writes=True, query=CaptureMetadataQuery,
          response=PhotoSchema, status=201, errors=UPLOAD_ERRORS, raw_body=IMAGE_TYPES)
def upload_photo(sha, query):
    sha = operations.require_sha256(sha)
    data = _raw_body(operations.limits().max_bytes)
    photo, created = operations.receive_photo(g.user, sha, data, query)
    return photo, (201 if created else 200)


@blueprint.put("/photos/<sha>/chunks")
@endpoint(summary="上传大照片的一个分片（202 已收到；收齐的那一片 201）", tags=["photos"],
          roles=SURVEYING_ROLES, writes=True, query=ChunkQuery, response=ChunkResultSchema,
          status=201,
          errors=[*UPLOAD_ERRORS, "photo.offset_mismatch"],
          raw_body=("application/octet-stream",))
def upload_chunk(sha, query):
    sha = operations.require_sha256(sha)
    data = _raw_body(operations.chunk_limit())
    photo, received, created = operations.receive_chunk(
        g.user, sha, query["offset"], query["total"], data, query)
    if photo is None:
        return {"received": received}, 202
    return photo, (201 if created else 200)


@blueprint.get("/photos/<sha>/upload")
@endpoint(summary="一张照片的上传进度", tags=["photos"], roles=SURVEYING_ROLES, writes=False,
          response=UploadStateSchema, errors=["request.bad_parameter"])
def upload_state(sha):
    return operations.upload_state(g.user, operations.require_sha256(sha))


@blueprint.get("/photos/<sha>")
@endpoint(summary="照片字节：原图、展示图（长边 1600 像素）或缩略图", tags=["photos"],
          roles=ALL_ROLES, writes=False, query=PhotoFileQuery,
          errors=["request.bad_parameter", "resource.not_found"])
def get_photo(sha, query):
    photo = operations.readable_photo(g.user, operations.require_sha256(sha))
    variant = query["size"]
    file, size = operations.open_variant(photo, variant)
    mimetype = photo.mime_type if variant == "original" else "image/jpeg"
    response = send_file(file, mimetype=mimetype, etag=photo.sha256, conditional=False,
                         max_age=None)
    response.content_length = size
    response.cache_control.no_cache = None
    response.cache_control.private = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True  # a hash names its bytes forever
    response.headers["X-Content-Type-Options"] = "nosniff"
    response = response.make_conditional(request, accept_ranges=True, complete_length=size)
    return response, response.status_code


def _raw_body(limit: int) -> bytes:
    """The request body, refused before it is read when it declares more than `limit`."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError("photo.too_large", f"请求体超过 {limit / (1024 * 1024):g} MB 上限",
                       details={"limit": limit, "size": request.content_length})
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise ApiError("photo.too_large", details={"limit": limit, "size": len(data)})
    return data
