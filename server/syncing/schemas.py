"""The sync payloads (sync/PROTOCOL.md): the batch envelope, one schema per operation type, the
results, and pull."""
from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, validate

from server.endpoints import ApiSchema, Day, Moment, QuerySchema
from server.photos.schemas import sha256_hex

MAX_BATCH = 100
MAX_PHOTOS_PER_ITEM = 20


class OperationEnvelope(Schema):
    """What every operation has; the rest is checked by the schema of its type."""

    class Meta:
        unknown = INCLUDE

    op = fields.String(required=True, validate=validate.Length(1, 40))
    id = fields.UUID(required=True)


class PushSchema(ApiSchema):
    device_id = fields.UUID(load_default=None)
    operations = fields.List(fields.Nested(OperationEnvelope), required=True,
                             validate=validate.Length(1, MAX_BATCH,
                                                      error=f"一次同步 1 至 {MAX_BATCH} 条操作"))


class _Operation(ApiSchema):
    op = fields.String(required=True)
    id = fields.UUID(required=True)


def _photos():
    return fields.List(fields.String(validate=sha256_hex), load_default=list,
                       validate=validate.Length(max=MAX_PHOTOS_PER_ITEM))


class SubmissionCreateOp(_Operation):
    building_id = fields.Integer(required=True, strict=True)
    form_id = fields.String(required=True, validate=validate.Length(1, 60))
    form_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    round = fields.String(load_default=None, validate=validate.Length(1, 20))
    answers = fields.Dict(keys=fields.String(), required=True)
    captured_at = Moment(load_default=None, allow_none=True)


class FindingReportOp(_Operation):
    building_id = fields.Integer(required=True, strict=True)
    indicator = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20))
    round = fields.String(load_default=None, validate=validate.Length(1, 20))
    check_item = fields.String(validate=validate.Length(1, 100))
    question_id = fields.String(validate=validate.Length(1, 60))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    floor = fields.Integer(load_default=None, allow_none=True, strict=True,
                           validate=validate.Range(-10, 150))
    location_detail = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))
    photos = _photos()
    captured_at = Moment(load_default=None, allow_none=True)

    @post_load
    def names_a_check_item(self, data, **kwargs):
        if not data.get("check_item") and not data.get("question_id"):
            raise ValidationError("请填写检查项（check_item 或 question_id）", "check_item")
        return data


class FindingChanges(ApiSchema):
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    unit = fields.String(allow_none=True, validate=validate.Length(max=30))
    floor = fields.Integer(allow_none=True, strict=True, validate=validate.Range(-10, 150))
    location_detail = fields.String(allow_none=True, validate=validate.Length(max=200))
    add_photos = fields.List(fields.String(validate=sha256_hex),
                             validate=validate.Length(max=MAX_PHOTOS_PER_ITEM))


class FindingUpdateOp(_Operation):
    finding = fields.UUID(required=True)
    changes = fields.Nested(FindingChanges, required=True)


class RectificationReportOp(_Operation):
    finding = fields.UUID(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    photos = _photos()
    rectified_on = Day(load_default=None, allow_none=True)


OPERATION_SCHEMAS = {  # instances, reused: see FINDING_RESULT in operations.py
    "submission.create": SubmissionCreateOp(),
    "finding.report": FindingReportOp(),
    "finding.update": FindingUpdateOp(),
    "rectification.report": RectificationReportOp(),
}


class FindingResultSchema(ApiSchema):
    uuid = fields.String(dump_only=True)
    check_item = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    photos = fields.Function(lambda f: [p.sha256 for p in f.photos], dump_only=True)
    missing_photos = fields.List(fields.String(), dump_only=True)


class OperationResultSchema(ApiSchema):
    id = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={
        "enum": ["applied", "already_applied", "conflict", "rejected"]})
    result = fields.Dict(dump_only=True)
    error = fields.Dict(dump_only=True)


class PushResultSchema(ApiSchema):
    results = fields.List(fields.Nested(OperationResultSchema), dump_only=True)
    server_time = fields.DateTime(dump_only=True)


class PullQuery(QuerySchema):
    cursor = fields.String(load_default="0", validate=validate.Regexp(r"^\d{1,18}$",
                                                                      error="游标格式有误"))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 500))
    device_id = fields.UUID(load_default=None)
    scope = fields.Integer(load_default=None, validate=validate.Range(0, 2 ** 31 - 1), metadata={
        "description": "上次拉取时服务器给出的范围纪元（scope）；与账号当前的不同则回答 reset"})
    app_version = fields.String(load_default=None, validate=validate.Length(1, 40), metadata={
        "description": "应用版本（手机端：服务工作线程的发布版本），显示在管理员的设备列表"})


class ChangeSchema(ApiSchema):
    seq = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": ["building", "finding", "submission"]})
    id = fields.String(dump_only=True)
    data = fields.Dict(dump_only=True)


class FormVersionSchema(ApiSchema):
    id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    indicator = fields.Integer(dump_only=True)


class PullSchema(ApiSchema):
    changes = fields.List(fields.Nested(ChangeSchema), dump_only=True)
    cursor = fields.String(dump_only=True)
    more = fields.Boolean(dump_only=True)
    reset = fields.Boolean(dump_only=True, metadata={
        "description": "true：账号的范围已变，设备须清除已拉取的楼栋、问题和他人调查（保留待同步的操作），"
                       "记下 scope，从游标 0 重新拉取"})
    scope = fields.Integer(dump_only=True, metadata={
        "description": "账号当前的范围纪元：设备保存，下次拉取时带上"})
    round = fields.String(dump_only=True, allow_none=True)
    round_year = fields.Integer(dump_only=True, allow_none=True,
                                metadata={"description": "当前轮次的年份：表单规则据此计算年限"})
    settings = fields.Dict(dump_only=True, metadata={"description": "当前指标体系的设置值，表单规则读取"})
    forms = fields.List(fields.Nested(FormVersionSchema), dump_only=True)
