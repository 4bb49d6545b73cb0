from marshmallow import fields, validate

from server.endpoints import ApiSchema, QuerySchema



class RoundSchema(ApiSchema):
    code = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    system = fields.String(dump_only=True)
    is_current = fields.Boolean(dump_only=True)
    previous_round = fields.Function(
        lambda r: r.previous_round.code if r.previous_round else None, dump_only=True)


class FormQuery(QuerySchema):
    round = fields.String(validate=validate.Length(1, 20), metadata={"description": "轮次代码，默认当前轮次"})
    version = fields.Integer(validate=validate.Range(min=1))


class FormSummarySchema(ApiSchema):
    id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    indicator = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    system = fields.String(dump_only=True)


class FormListSchema(ApiSchema):
    round = fields.String(dump_only=True)
    system = fields.String(dump_only=True)
    round_year = fields.Integer(dump_only=True, allow_none=True,
                                metadata={"description": "轮次年份：表单规则据此计算年限（如燃气立管运行年限）"})
    settings = fields.Dict(dump_only=True, metadata={"description": "指标体系的设置值，表单规则读取"})
    forms = fields.List(fields.Nested(FormSummarySchema), dump_only=True)


class FindingSchema(ApiSchema):
    uuid = fields.String(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    indicator = fields.Integer(dump_only=True)
    question_id = fields.String(dump_only=True)
    check_item = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    floor = fields.Integer(dump_only=True)
    location_detail = fields.String(dump_only=True)
    severity = fields.String(dump_only=True)
    problem_class = fields.String(dump_only=True)
    responsible_unit = fields.String(dump_only=True)
    suggestion = fields.String(dump_only=True)
    difficulty = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(dump_only=True)
    photos = fields.Function(lambda f: [p.sha256 for p in f.photos], dump_only=True)


class SubmissionSchema(ApiSchema):
    """One filled form as stored (it is created through POST /api/sync/push)."""

    uuid = fields.String(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    form_id = fields.String(dump_only=True)
    form_version = fields.Integer(dump_only=True)
    round = fields.Function(lambda s: s.round.code, dump_only=True)
    answers = fields.Dict(dump_only=True)
    captured_at = fields.DateTime(dump_only=True,
                                  metadata={"description": "设备上的填写时间（仅作记录，不用于排序）"})
    received_at = fields.DateTime(dump_only=True)
    indicator = fields.Integer(dump_only=True)
    counts = fields.Boolean(dump_only=True, metadata={"description": "该楼栋是否计入该指标"})
    follow_ups = fields.List(fields.Dict(), dump_only=True, metadata={
        "description": "需专业机构跟进的回答：[{question_id, reason}]，不计入指标"})
    author = fields.Function(lambda s: s.author.display_name, dump_only=True)
    findings = fields.List(fields.Nested(FindingSchema), dump_only=True)
