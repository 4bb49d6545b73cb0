from marshmallow import fields, validate

from server.endpoints import QuerySchema
from server.rectification.operations import LIST_STATES
from server.surveys.models import PROBLEM_CLASSES


class RectificationQuery(QuerySchema):
    """The filters of /desk/rectification: the round (default the current one), a community
    and a class."""

    round = fields.String(validate=validate.Length(1, 20))
    community = fields.Integer(validate=validate.Range(min=1))
    problem_class = fields.String(validate=validate.OneOf(
        PROBLEM_CLASSES, error="应为“限时解决”或“尽力解决”"))

    def load(self, data, **kwargs):
        # An empty form field means "no filter", not an invalid value.
        return super().load({k: v for k, v in data.items() if v not in ("", None)}, **kwargs)


class RectificationListQuery(RectificationQuery):
    """/desk/rectification/findings: the findings behind one figure of the page."""

    state = fields.String(required=True, error_messages={"required": "须指定"},
                          validate=validate.OneOf(tuple(LIST_STATES), error="取值无效"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
