
from marshmallow import ValidationError, fields, pre_load, validate, validates
from werkzeug.datastructures import FileStorage

from server.appraisals.models import CONCLUSIONS
from server.appraisals.terms import conclusion_label
from server.endpoints import ApiSchema, Day, QuerySchema
from sync.china_time import china_today

GRADES = ("A", "B", "C", "D")


class Upload(fields.Field):
    """A file part of a multipart/form-data body (read and checked by documents.read_upload)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("请以文件形式上传鉴定报告 PDF")
        return value


class AppraisalSchema(ApiSchema):
    """POST /api/appraisals (multipart/form-data: these fields and the `document` file),
    and an appraisal as stored."""

    uuid = fields.UUID(load_default=None, error_messages={"invalid": "编号应为 UUID"}, metadata={
        "description": "上传方生成的编号；重复提交同一编号返回已保存的结果，内容不同则 409"})
    building_id = fields.Integer(required=True, validate=validate.Range(min=1),
                                 error_messages={"required": "请选择楼栋", "invalid": "楼栋编号应为整数"})
    round = fields.String(load_only=True, load_default=None, validate=validate.Length(1, 20),
                          metadata={"description": "轮次代码，默认当前轮次"})
    indicator = fields.Integer(required=True, validate=validate.Range(
        min=1, max=999, error="请选择指标"), error_messages={
            "required": "请选择指标", "invalid": "指标应为整数"}, metadata={
        "description": "指标序号；只接受轮次指标体系中由专业机构鉴定、检测或评估的指标"})
    conclusion = fields.String(required=True, validate=validate.OneOf(
        tuple(CONCLUSIONS), error="结论应为 hazard（存在安全隐患）或 no_hazard（未发现安全隐患）"),
        error_messages={"required": "请选择鉴定结论"})
    grade = fields.String(load_default=None, validate=validate.OneOf(
        GRADES, error="鉴定等级应为 A、B、C 或 D"))
    summary = fields.String(load_default=None, validate=validate.Length(
        max=2000, error="摘要最多 2000 字"))
    appraised_on = Day(required=True, metadata={"description": "鉴定日期，不能晚于今天"},
                               error_messages={"required": "请填写鉴定日期",
                                               "invalid": "鉴定日期应为 年-月-日"})
    document = Upload(required=True, load_only=True,
                      error_messages={"required": "请附上鉴定报告 PDF 文件"}, metadata={
        "type": "string", "format": "binary", "description": "鉴定报告 PDF"})

    round_id = fields.Integer(dump_only=True)
    conclusion_label = fields.Function(conclusion_label, dump_only=True)
    agency = fields.Function(lambda a: a.agency.name, dump_only=True)
    document_sha256 = fields.String(dump_only=True)
    document_name = fields.String(dump_only=True)
    document_size = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)

    @pre_load
    def blank_means_absent(self, data, **kwargs):
        # A form's empty field (a select left on "—", an empty text box) is no value at all.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @validates("appraised_on")
    def not_in_the_future(self, value, **kwargs):
        if value > china_today():
            raise ValidationError("鉴定日期不能晚于今天")


class UploadPageQuery(QuerySchema):
    """The query string of /desk/appraisals/new: the building chosen (anything that is not an id
    means none yet) or the words to find it by."""

    building = fields.String(validate=validate.Length(max=40))
    indicator = fields.Integer(validate=validate.Range(1, 999), metadata={
        "description": "预选的指标（从待专业机构评估进入）"})
    q = fields.String(validate=validate.Length(max=60, error="搜索词不能超过 60 个字"))


class AppraisalListQuery(QuerySchema):
    """The query string of /desk/appraisals/."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
