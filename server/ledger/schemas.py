from marshmallow import fields, validate

from server.endpoints import ApiSchema, QuerySchema


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
    counts = fields.Boolean(dump_only=True, allow_none=True,
                            metadata={"description": "是否计入该指标；未调查为 null"})
    label = fields.String(dump_only=True)
    source = fields.String(dump_only=True, metadata={
        "enum": ["review", "appraisal", "observation", "none"],
        "description": "依据：审核结论、专业鉴定、最新一次现场调查"})
    basis = fields.String(dump_only=True, allow_none=True)
    observations = fields.Integer(dump_only=True)
    disagreement = fields.Boolean(dump_only=True, metadata={"description": "多次调查或与鉴定结论不一致，需审核"})
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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
