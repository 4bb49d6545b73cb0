from marshmallow import fields, validate

from server.endpoints import ApiSchema, QuerySchema
from server.planning.models import PRIORITIES


class UnitSchema(ApiSchema):
    """The desk's form naming one kind of 责任单位."""

    name = fields.String(required=True, validate=validate.Length(
        1, 100, error="单位名称为 1—100 个字"))
    contact = fields.String(load_default=None, validate=validate.Length(
        max=60, error="联系人及电话不能超过 60 个字"))


class DeleteUnitSchema(ApiSchema):
    """Deleting a unit's name: the form carries nothing but its CSRF token."""


class PlansQuery(QuerySchema):
    round = fields.String(validate=validate.Length(1, 20))
    community = fields.Integer(validate=validate.Range(min=1))


class PlanSchema(ApiSchema):
    """One item of a 社区's 整治建议清单: its 整治优先级 and 是否纳入下一年度计划."""

    round = fields.String(load_default=None, validate=validate.Length(1, 20))
    community = fields.Integer(required=True, validate=validate.Range(min=1))
    indicator = fields.Integer(required=True, validate=validate.Range(min=1, max=99))
    check_item = fields.String(required=True, validate=validate.Length(1, 100))
    priority = fields.String(required=True, validate=validate.OneOf(
        PRIORITIES, error="整治优先级应为 高、中 或 低"))
    next_year_plan = fields.Boolean(required=True, error_messages={
        "invalid": "是否纳入下一年度计划应为 是 或 否"})
