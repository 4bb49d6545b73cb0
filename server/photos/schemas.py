from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import FileStorage

from forms.answers import is_sha256
from server.endpoints import ApiSchema, Moment, QuerySchema

MAX_HASHES_PER_CHECK = 500


def sha256_hex(value) -> None:
    """A field validator: a photo's content address, 64 lowercase hex digits and nothing more
    (a regular expression ending in "$" would let a final newline through)."""
    if not is_sha256(value):
        raise ValidationError("应为 64 位小写十六进制 SHA-256")


class CheckRequestSchema(ApiSchema):
    hashes = fields.List(fields.String(validate=sha256_hex), required=True, load_only=True,
                         validate=validate.Length(max=MAX_HASHES_PER_CHECK,
                                                  error="一次最多查询 500 个照片编号"))


class CheckResultSchema(ApiSchema):
    missing = fields.List(fields.String(), dump_only=True,
                          metadata={"description": "服务器还没有的照片，需要上传"})
    partial = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True,
                          metadata={"description": "断点续传：照片编号 → 服务器已收到的字节数"})


class CaptureMetadataQuery(QuerySchema):
    """What the device knew when the photo was taken; kept beside what the file's EXIF says."""

    captured_at = Moment(metadata={"description": "拍摄时间（ISO 8601，须带时区）"})
    latitude = fields.Float(validate=validate.Range(-90, 90))
    longitude = fields.Float(validate=validate.Range(-180, 180))
    original_exif = fields.Boolean(metadata={
        "description": "相机原图是否带有拍摄时间或 GPS（false：截图、聊天软件转发的图等）"})

    @validates_schema
    def both_coordinates_or_none(self, data, **kwargs):
        if ("latitude" in data) != ("longitude" in data):
            raise ValidationError("纬度和经度须同时提供", "latitude")


class ChunkQuery(CaptureMetadataQuery):
    offset = fields.Integer(required=True, validate=validate.Range(min=0),
                            metadata={"description": "本分片的起始位置，须等于服务器已收到的字节数"})
    total = fields.Integer(required=True, validate=validate.Range(min=1),
                           metadata={"description": "照片的总字节数"})


class PhotoFileQuery(QuerySchema):
    size = fields.String(load_default="original",
                         validate=validate.OneOf(("original", "display", "thumb")),
                         metadata={"description": "original 原图（字节不变）、display 长边 1600 像素、"
                                                  "thumb 缩略图"})


class PhotoSchema(ApiSchema):
    sha256 = fields.String(dump_only=True)
    byte_size = fields.Integer(dump_only=True)
    mime_type = fields.String(dump_only=True)
    width = fields.Integer(dump_only=True, metadata={"description": "按 EXIF 方向摆正后的宽度"})
    height = fields.Integer(dump_only=True)
    captured_at = fields.AwareDateTime(dump_only=True, metadata={"description": "设备上报的拍摄时间"})
    latitude = fields.Float(dump_only=True)
    longitude = fields.Float(dump_only=True)
    exif_captured_at = fields.AwareDateTime(dump_only=True,
                                            metadata={"description": "照片 EXIF 中的拍摄时间"})
    exif_latitude = fields.Float(dump_only=True)
    exif_longitude = fields.Float(dump_only=True)
    exif_camera = fields.String(dump_only=True, metadata={"description": "EXIF 中的相机厂商和型号"})
    original_exif = fields.Boolean(dump_only=True,
                                   metadata={"description": "手机报告相机原图是否带有拍摄信息"})
    received_at = fields.AwareDateTime(dump_only=True)


class ChunkResultSchema(PhotoSchema):
    """An earlier piece answers only `received`; the piece that completes the photo answers
    the photo (and a replay after completion the same)."""

    received = fields.Integer(dump_only=True, metadata={"description": "服务器已收到的字节数"})


class UploadStateSchema(ApiSchema):
    received = fields.Integer(dump_only=True)
    complete = fields.Boolean(dump_only=True)


class UploadedFile(fields.Field):
    """A file part of a multipart/form-data body, read by the page (with its size limit)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("请选择要核验的照片文件")
        return value


class VerifyPhotoForm(ApiSchema):
    """POST /desk/photos/verify (multipart/form-data): the file to verify."""
    photo = UploadedFile(required=True, load_only=True)
