"""The findings' payloads: a decision (API and desk alike), the review queue's filters, the
rectification desk's filters."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from server.catalog import indicator_list
from server.endpoints import ApiSchema, Day, QuerySchema
from server.findings.completion import LIST_STATES
from server.findings.models import PROBLEM_CLASSES
from server.findings.queue import SORTS
from sync import lifecycle


class QueueFilter(QuerySchema):
    """The review queue's filters (query string of /desk/review/)."""

    community = fields.Integer(validate=validate.Range(min=1))
    estate = fields.Integer(validate=validate.Range(min=1))
    indicator = fields.Integer()
    submitter = fields.Integer(validate=validate.Range(min=1))
    date_from = Day()
    date_to = Day()
    status = fields.String(load_default=lifecycle.INITIAL,
                           validate=validate.OneOf(tuple(lifecycle.STATES)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    disagreeing = fields.Boolean(load_default=False, metadata={
        "description": "只看与专业鉴定结论不一致的问题（指标1、2）"})
    q = fields.String(validate=validate.Length(max=60, error="搜索词不能超过 60 个字"),
                      metadata={"description": "楼栋、小区、社区、编码、地址或问题文字"})
    sort = fields.String(load_default="oldest", validate=validate.OneOf(tuple(SORTS)))

    @validates_schema(skip_on_field_errors=False)
    def indicator_of_the_system(self, data, **kwargs):
        """An indicator of the current round's system (2024: 1—10; 2025: 1—9)."""
        numbers = [i["number"] for i in indicator_list()]
        if "indicator" in data and data["indicator"] not in numbers:
            raise ValidationError(f"指标应为 {min(numbers)}—{max(numbers)}", "indicator")

    @validates_schema(skip_on_field_errors=False)
    def dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("开始日期不能晚于结束日期", "date_to")



class DecisionSchema(ApiSchema):
    """POST /api/findings/<uuid>/reviews"""

    decision = fields.String(required=True, validate=validate.OneOf(tuple(lifecycle.DECISIONS)),
                             metadata={"description": "accept 确认、return 退回、resurvey 需复查、"
                                       "verify 销项、rectify 下达整改、deadline 调整整改时限、"
                                       "reject_rectification 整改不合格"})
    reason = fields.String(load_default=None, validate=validate.Length(max=500))
    deadline = Day(load_default=None, allow_none=True, metadata={
        "description": "整改完成时限（rectify、deadline、reject_rectification）；限时解决必填，"
                       "不能早于今天（北京时间）"})
    version = fields.String(required=True, load_only=True, metadata={
        "description": "问题的 updated_at（读取时的值）；问题已被修改时拒绝，返回 review.stale"})
    id = fields.Integer(dump_only=True, metadata={"description": "审核记录编号"})

    @validates_schema
    def deadline_only_for_rectification(self, data, **kwargs):
        if data.get("deadline") is not None \
                and data["decision"] not in lifecycle.DEADLINE_DECISIONS:
            raise ValidationError("只有下达整改、调整整改时限或整改不合格可以填写时限", "deadline")
    finding = fields.Function(lambda r: r.finding.uuid, dump_only=True)
    status = fields.Function(lambda r: r.finding.status, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class DeskDecisionSchema(DecisionSchema):
    """A decision from the desk's finding page: the API's, and whether to go on to the next
    finding of the queue (确认并下一条)."""

    advance = fields.Boolean(load_default=False, load_only=True)


class AcceptAndRectifySchema(ApiSchema):
    """确认并下达整改 in one step, from the desk's finding page."""

    version = fields.String(required=True)
    deadline = Day(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=500))
    advance = fields.Boolean(load_default=False)


class ClassChangeSchema(ApiSchema):
    """The desk's 调整问题分类 on a finding (with the version the page showed)."""

    problem_class = fields.String(required=True, validate=validate.OneOf(
        PROBLEM_CLASSES, error="只能是“限时解决”或“尽力解决”"))
    reason = fields.String(required=True, validate=validate.Length(1, 500),
                           error_messages={"required": "请填写原因"})
    version = fields.String(required=True)


class BulkDecisionSchema(ApiSchema):
    """The desk's bulk decisions: the ticked findings, each "uuid|version" as the queue showed
    it; loaded as (uuid, version) pairs."""

    finding = fields.List(
        fields.String(validate=validate.Regexp(r"^[0-9a-f-]{1,36}\|[^|]{1,40}$",
                                               error="不是队列中的问题")),
        required=True, validate=validate.Length(1, 500, error="一次最多 500 条"),
        error_messages={"required": "请先勾选问题"})

    @post_load
    def pairs(self, data, **kwargs):
        data["finding"] = [tuple(value.split("|")) for value in data["finding"]]
        return data


class BulkRectificationSchema(BulkDecisionSchema):
    """下达整改 for the ticked findings, with one deadline and measure."""

    deadline = Day(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class PhotoQuery(QuerySchema):
    size = fields.String(load_default="display",
                         validate=validate.OneOf(("thumb", "display", "original")))


class RectificationQuery(QuerySchema):
    """The filters of /desk/rectification: the round (default the current one), a community
    and a class."""

    round = fields.String(validate=validate.Length(1, 20))
    community = fields.Integer(validate=validate.Range(min=1))
    problem_class = fields.String(validate=validate.OneOf(
        PROBLEM_CLASSES, error="应为“限时解决”或“尽力解决”"))



class RectificationListQuery(RectificationQuery):
    """/desk/rectification/findings: the findings behind one figure of the page."""

    state = fields.String(required=True, error_messages={"required": "须指定"},
                          validate=validate.OneOf(tuple(LIST_STATES), error="取值无效"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
