from marshmallow import fields, validate

from server.endpoints import ApiSchema, QuerySchema
from sync import counting


class RoundQuery(QuerySchema):
    round = fields.String(validate=validate.Length(1, 20))


class BuildingSearchQuery(QuerySchema):
    """The desk's building search (top bar): estate + number, address or code."""

    q = fields.String(validate=validate.Length(max=60, error="搜索词不能超过 60 个字"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class IndicatorStatusSchema(ApiSchema):
    indicator = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    short_name = fields.String(dump_only=True)
    state = fields.String(dump_only=True, metadata={
        "enum": list(counting.STATES),
        "description": "计数规则（sync/counting.py）下的结论：是 / 待审核 / 不适用 / 否 / 未调查"})
    label = fields.String(dump_only=True)
    counts = fields.Boolean(dump_only=True, metadata={"description": "是否计入该指标（state 为 counts）"})
    confirmed = fields.Integer(dump_only=True, metadata={"description": "本轮已确认的计数问题数"})
    undecided = fields.Integer(dump_only=True, metadata={"description": "本轮待审核、需复查的计数问题数"})
    observations = fields.Integer(dump_only=True)
    disagreement = fields.Boolean(dump_only=True, metadata={"description": "多次调查结论不一致"})
    needs_resurvey = fields.Boolean(dump_only=True)


class BuildingStatusSchema(ApiSchema):
    building_id = fields.Integer(dump_only=True)
    label = fields.String(dump_only=True)
    round = fields.String(dump_only=True)
    indicators = fields.List(fields.Nested(IndicatorStatusSchema), dump_only=True)


LEVEL_CHOICES = ("estate", "community", "town", "county")


class IndicatorTableQuery(QuerySchema):
    level = fields.String(load_default="community", validate=validate.OneOf(LEVEL_CHOICES))
    round = fields.String(validate=validate.Length(1, 20))


class CountingBuildingsQuery(QuerySchema):
    level = fields.String(required=True, validate=validate.OneOf(LEVEL_CHOICES))
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    round = fields.String(validate=validate.Length(1, 20))
    state = fields.String(load_default=counting.COUNTS, validate=validate.OneOf(
        (counting.COUNTS, counting.PENDING), error="只能查看计入（counts）或待审核（pending）的楼栋"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
