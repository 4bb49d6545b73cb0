from marshmallow import ValidationError, fields, validate, validates_schema

from server.endpoints import ApiSchema, QuerySchema
from server.review.models import DECISIONS
from server.review.operations import RECTIFICATION_DECISIONS
from server.surveys.models import FINDING_STATUSES, PROBLEM_CLASSES


class QueueFilter(QuerySchema):
    """The review queue's filters (query string of /desk/review/)."""

    community = fields.Integer(validate=validate.Range(min=1))
    estate = fields.Integer(validate=validate.Range(min=1))
    indicator = fields.Integer(validate=validate.Range(1, 10, error="指标应为 1—10"))
    submitter = fields.Integer(validate=validate.Range(min=1))
    date_from = fields.Date()
    date_to = fields.Date()
    status = fields.String(load_default="pending", validate=validate.OneOf(tuple(FINDING_STATUSES)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    disagreeing = fields.Boolean(load_default=False, metadata={
        "description": "只看与专业鉴定结论不一致的问题（指标1、2）"})

    @validates_schema(skip_on_field_errors=False)
    def dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("开始日期不能晚于结束日期", "date_to")

    def load(self, data, **kwargs):
        # An empty form field means "no filter", not an invalid value.
        return super().load({k: v for k, v in data.items() if v not in ("", None)}, **kwargs)


class DecisionSchema(ApiSchema):
    """POST /api/findings/<uuid>/reviews"""

    decision = fields.String(required=True, validate=validate.OneOf(tuple(DECISIONS)),
                             metadata={"description": "accept 确认、return 退回、resurvey 需复查、"
                                       "verify 销项、rectify 下达整改、deadline 调整整改时限、"
                                       "reject_rectification 整改不合格"})
    reason = fields.String(load_default=None, validate=validate.Length(max=500))
    deadline = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "整改完成时限（rectify、deadline、reject_rectification）；限时解决必填，"
                       "不能早于今天（北京时间）"})
    version = fields.String(required=True, load_only=True, metadata={
        "description": "问题的 updated_at（读取时的值）；问题已被修改时拒绝，返回 review.stale"})
    id = fields.Integer(dump_only=True, metadata={"description": "审核记录编号"})

    @validates_schema
    def deadline_only_for_rectification(self, data, **kwargs):
        if data.get("deadline") is not None and data["decision"] not in RECTIFICATION_DECISIONS:
            raise ValidationError("只有下达整改、调整整改时限或整改不合格可以填写时限", "deadline")
    finding = fields.Function(lambda r: r.finding.uuid, dump_only=True)
    status = fields.Function(lambda r: r.finding.status, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ClassChangeSchema(ApiSchema):
    problem_class = fields.String(required=True, validate=validate.OneOf(PROBLEM_CLASSES))
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    version = fields.String(required=True)
