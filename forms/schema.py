"""marshmallow schemas for the shape of system and form files.

They validate only; the loader keeps the JSON document as read. Rules are checked afterwards by
forms.consistency, which knows the form's question ids.
"""
import math

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

QUESTION_TYPES = ("yes_no", "single_choice", "multiple_choice", "integer", "decimal", "text", "date",
                  "photos", "location")
CHOICE_TYPES = ("single_choice", "multiple_choice")
NUMBER_TYPES = ("integer", "decimal")
DEFECT_TYPES = ("yes_no", *CHOICE_TYPES, *NUMBER_TYPES)
SEVERITIES = ("非常严重", "严重", "一般")
CLASSES = ("限时解决", "尽力解决")
DIFFICULTIES = ("难", "较难", "一般")
RESPONSIBLE_UNITS = ("住建局", "物业公司", "社区服务中心", "燃气公司", "供水单位", "供热单位", "供电单位",
                     "通信运营商", "产权单位")
INDICATOR_KINDS = ("safety", "improvement")
DEFAULT_TEXT_MAX_LENGTH = 500
DEFAULT_PHOTOS_MAX_COUNT = 9

_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="must be lower-case letters, digits and _")
_FORM_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,79}$", error="must be lower-case letters, digits and -")
_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", error="must be letters, digits, _ or -")


def _text(**kwargs):
    return fields.String(validate=validate.Length(min=1), **kwargs)


class StrictInteger(fields.Integer):
    """An integer that refuses booleans (JSON true is not 1 in a definition file)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class JsonNumber(fields.Raw):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValidationError("Not a valid number.")
        return value


class Graded(fields.Raw):
    """A fixed value, or cases [{"when": rule, "value": v}, ..., {"value": default}]: the first true case wins."""

    def __init__(self, allowed, **kwargs):
        super().__init__(**kwargs)
        self.allowed = allowed

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            self._check_value(value, "")
            return value
        if not isinstance(value, list) or not value:
            raise ValidationError("must be a value or a non-empty list of cases")
        for i, case in enumerate(value):
            last = i == len(value) - 1
            keys = {"value"} if last else {"when", "value"}
            if not isinstance(case, dict) or set(case) != keys:
                shape = '{"value": ...}' if last else '{"when": rule, "value": ...}'
                raise ValidationError(f"[{i}]: must be {shape} (the last case is the default)")
            self._check_value(case["value"], f"[{i}].value: ")
        return value

    def _check_value(self, value, prefix):
        if value not in self.allowed:
            raise ValidationError(f"{prefix}must be one of: {', '.join(self.allowed)}")


class ChoiceSchema(Schema):
    value = _text(required=True)
    label = _text(required=True)
    hint = _text()


class DefectSchema(Schema):
    when = fields.Raw(required=True)
    check_item = _text(required=True)
    severity = Graded(SEVERITIES, required=True)
    class_ = Graded(CLASSES, required=True, data_key="class")
    responsible_unit = Graded(RESPONSIBLE_UNITS, required=True)
    suggestion = _text(required=True)
    difficulty = Graded(DIFFICULTIES)
    photos = fields.String()
    location = fields.String()


class FollowUpSchema(Schema):
    """An answer that needs someone else's look (e.g. 需专业机构评估): marked on the submission, never counted."""
    when = fields.Raw(required=True)
    reason = _text(required=True)


_TYPE_KEYS = {
    "choices": CHOICE_TYPES,
    "min": NUMBER_TYPES,
    "max": NUMBER_TYPES,
    "max_length": ("text",),
    "min_count": ("photos",),
    "max_count": ("photos",),
    "defect": DEFECT_TYPES,
}


class QuestionSchema(Schema):
    id = fields.String(required=True, validate=_ID)
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    label = _text(required=True)
    hint = _text()
    choices = fields.List(fields.Nested(ChoiceSchema), validate=validate.Length(min=1))
    min = JsonNumber()
    max = JsonNumber()
    max_length = StrictInteger(validate=validate.Range(min=1, max=10000))
    min_count = StrictInteger(validate=validate.Range(min=0, max=50))
    max_count = StrictInteger(validate=validate.Range(min=1, max=50))
    required = fields.Raw()
    relevant = fields.Raw()
    constraint = fields.Raw()
    constraint_message = _text()
    defect = fields.Nested(DefectSchema)
    follow_up = fields.Nested(FollowUpSchema)

    @validates_schema
    def keys_fit_type(self, data, **kwargs):
        kind = data["type"]
        for key, types in _TYPE_KEYS.items():
            if key in data and kind not in types:
                raise ValidationError(f"not allowed for type {kind!r}", field_name=key)
        if kind in CHOICE_TYPES and "choices" not in data:
            raise ValidationError(f"required for type {kind!r}", field_name="choices")
        values = [choice["value"] for choice in data.get("choices", [])]
        if len(set(values)) != len(values):
            raise ValidationError("duplicate choice value", field_name="choices")
        if ("constraint" in data) != ("constraint_message" in data):
            raise ValidationError("constraint and constraint_message go together", field_name="constraint")
        for low, high in (("min", "max"), ("min_count", "max_count")):
            if low in data and high in data and data[low] > data[high]:
                raise ValidationError(f"must not exceed {high}", field_name=low)
        for bound in ("min", "max"):
            if kind == "integer" and isinstance(data.get(bound), float):
                raise ValidationError("must be an integer for type 'integer'", field_name=bound)


class SectionSchema(Schema):
    id = fields.String(required=True, validate=_ID)
    title = _text(required=True)
    hint = _text()
    relevant = fields.Raw()
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1))


class FormSchema(Schema):
    id = fields.String(required=True, validate=_FORM_ID)
    version = StrictInteger(required=True, validate=validate.Range(min=1))
    system = fields.String(required=True, validate=_CODE)
    indicator = StrictInteger(required=True, validate=validate.Range(min=1, max=999))
    title = _text(required=True)
    description = _text()
    retired = StrictBoolean()
    applies_if = fields.Raw()
    prescreen = fields.Raw()
    prescreen_uncertain = fields.Raw()
    counts_if = fields.Raw(required=True)
    measure = fields.Raw()
    sections = fields.List(fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1))


class AppraisalSchema(Schema):
    """An indicator a professional agency (专业机构) appraises, and the problem its appraisal that
    finds one (conclusion hazard) makes: a confirmed finding with these terms."""
    check_item = _text(required=True)
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    class_ = fields.String(required=True, data_key="class", validate=validate.OneOf(CLASSES))
    responsible_unit = fields.String(required=True, validate=validate.OneOf(RESPONSIBLE_UNITS))
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    suggestion = _text(required=True)
    found = _text(required=True)    # the conclusion hazard in this indicator's words
    clear = _text(required=True)    # the conclusion no_hazard in this indicator's words
    source = _text(required=True)   # where the plan or manual names 专业机构 for it


class IndicatorSchema(Schema):
    number = StrictInteger(required=True, validate=validate.Range(min=1, max=999))
    name = _text(required=True)
    short_name = _text(required=True)
    group = _text(required=True)
    unit = _text(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INDICATOR_KINDS))
    responsible_unit = _text(required=True)
    check_items = fields.List(_text(), required=True)
    continues = fields.List(StrictInteger(validate=validate.Range(min=1, max=999)))
    appraisal = fields.Nested(AppraisalSchema)


class SettingSchema(Schema):
    value = JsonNumber(required=True)
    label = _text(required=True)
    hint = _text()


class DiscontinuedSchema(Schema):
    number = StrictInteger(required=True, validate=validate.Range(min=1, max=999))
    reason = _text(required=True)


class SystemSchema(Schema):
    code = fields.String(required=True, validate=_CODE)
    title = _text(required=True)
    description = _text()
    previous = fields.String(validate=_CODE)
    discontinued = fields.List(fields.Nested(DiscontinuedSchema))
    settings = fields.Dict(keys=fields.String(validate=_ID), values=fields.Nested(SettingSchema))
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def numbers_unique(self, data, **kwargs):
        numbers = [indicator["number"] for indicator in data["indicators"]]
        if len(set(numbers)) != len(numbers):
            raise ValidationError("duplicate indicator number", field_name="indicators")
        carried = "previous" in data
        for i, indicator in enumerate(data["indicators"]):
            if "continues" in indicator and not carried:
                raise ValidationError(f"indicators[{i}].continues needs a top-level previous system",
                                      field_name="previous")
        if "discontinued" in data and not carried:
            raise ValidationError("discontinued needs a top-level previous system", field_name="previous")


def schema_problems(schema, document):
    """Validation errors of `document` as [(field path, message)], e.g. ("sections[0].questions[3].type", ...)."""
    if not isinstance(document, dict):
        return [("", "must be a JSON object")]
    return sorted(_flatten(schema.validate(document), ""))


def _flatten(errors, path):
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "_schema":
                child = path
            elif isinstance(key, int):
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else key
            yield from _flatten(value, child)
    elif isinstance(errors, list):
        for item in errors:
            yield from _flatten(item, path)
    else:
        yield path, str(errors)
