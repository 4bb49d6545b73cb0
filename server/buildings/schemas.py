from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from server.buildings.models import (APPRAISAL_GRADES, ESTATE_KINDS, GAS_SUPPLIES,
                                     STRUCTURE_TYPES)
from server.endpoints import ApiSchema, PageQuery

EARLIEST_YEAR = 1900

# Limits shared by the API and the importer, so both refuse the same impossible values.
FACT_VALIDATORS = {
    "year_built": validate.Range(EARLIEST_YEAR, date.today().year,
                                 error=f"建成年份应在 {EARLIEST_YEAR} 至今之间"),
    "build_era": validate.Range(1, 6, error="建成年代代码应为 1 至 6"),
    "structure_type": validate.OneOf(STRUCTURE_TYPES, error="未知的结构类型"),
    "appraisal_grade": validate.OneOf(APPRAISAL_GRADES, error="鉴定等级应为 A/B/C/D"),
    "reinforced_year": validate.Range(EARLIEST_YEAR, date.today().year,
                                      error="加固年份应在 1900 至今之间"),
    "floors_above": validate.Range(1, 150, error="地上层数应在 1 至 150 之间"),
    "floors_below": validate.Range(0, 10, error="地下层数应在 0 至 10 之间"),
    "units": validate.Range(1, 100, error="单元数应在 1 至 100 之间"),
    "households": validate.Range(0, 5000, error="户数应在 0 至 5000 之间"),
    "gas_supply": validate.OneOf(GAS_SUPPLIES, error="燃气供应应为 pipeline/bottled/none"),
    "longitude": validate.Range(73, 136, error="经度不在中国境内"),
    "latitude": validate.Range(3, 54, error="纬度不在中国境内"),
}


def _fact(field_class, name, **kwargs):
    return field_class(allow_none=True, validate=FACT_VALIDATORS.get(name), **kwargs)


class BuildingFactsSchema(ApiSchema):
    """The facts a field worker may correct (PATCH /api/buildings/<id>)."""

    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    longitude = _fact(fields.Float, "longitude")
    latitude = _fact(fields.Float, "latitude")
    year_built = _fact(fields.Integer, "year_built", strict=True)
    build_era = _fact(fields.Integer, "build_era", strict=True)
    structure_type = _fact(fields.String, "structure_type")
    structure_subtype = fields.String(allow_none=True, validate=validate.Length(max=30))
    precast_slabs = fields.Boolean(allow_none=True)
    seismic_reinforced = fields.Boolean(allow_none=True)
    reinforced_year = _fact(fields.Integer, "reinforced_year", strict=True)
    appraisal_grade = _fact(fields.String, "appraisal_grade")
    appraisal_year = _fact(fields.Integer, "reinforced_year", strict=True)
    floors_above = _fact(fields.Integer, "floors_above", strict=True)
    floors_below = _fact(fields.Integer, "floors_below", strict=True)
    units = _fact(fields.Integer, "units", strict=True)
    households = _fact(fields.Integer, "households", strict=True)
    has_elevator = fields.Boolean(allow_none=True)
    gas_supply = _fact(fields.String, "gas_supply")
    visible_damage = fields.Boolean(allow_none=True,
                                    metadata={"description": "有无肉眼可见明显裂缝、变形、倾斜"})


class BuildingSchema(BuildingFactsSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True, allow_none=True)
    number = fields.String(dump_only=True)
    label = fields.String(dump_only=True, metadata={"description": "小区名+楼号，如 达明新村3#"})
    estate_id = fields.Integer(dump_only=True)
    estate = fields.Function(lambda b: b.estate.name, dump_only=True)
    community_id = fields.Integer(dump_only=True)
    community = fields.Function(lambda b: b.estate.community.name, dump_only=True)
    property_company = fields.Function(
        lambda b: b.estate.property_company.name if b.estate.property_company else None,
        dump_only=True)
    prescreened = fields.Boolean(dump_only=True,
                                 metadata={"description": "指标1初筛：需优先排查结构安全"})
    prescreen_uncertain = fields.Boolean(
        dump_only=True, metadata={"description": "指标1初筛：待核实（普查信息不足以判断，如预制板情况不明）"})
    updated_at = fields.DateTime(dump_only=True)


class BuildingQuery(PageQuery):
    community_id = fields.Integer()
    estate_id = fields.Integer()
    q = fields.String(validate=validate.Length(1, 60),
                      metadata={"description": "按小区名+楼号、地址或楼栋编码搜索"})
    prescreened = fields.Boolean()


class EstateNodeSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    is_temporary = fields.Boolean(dump_only=True)
    property_company = fields.Function(
        lambda e: e.property_company.name if e.property_company else None, dump_only=True)
    building_count = fields.Integer(dump_only=True)


class CommunityNodeSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    town = fields.String(dump_only=True)
    estates = fields.List(fields.Nested(EstateNodeSchema), dump_only=True)


# ---- estate and community basics ------------------------------------------------------------

# Limits shared by the desk's forms and the basics import (basics_import.py).
BASICS_VALIDATORS = {
    "kind": validate.OneOf(ESTATE_KINDS, error=f"小区类型应为{'、'.join(ESTATE_KINDS)}之一"),
    "built_from": validate.Range(EARLIEST_YEAR, date.today().year,
                                 error=f"建成年代的起始年份应在 {EARLIEST_YEAR} 至今之间"),
    "built_to": validate.Range(EARLIEST_YEAR, date.today().year,
                               error=f"建成年代的截止年份应在 {EARLIEST_YEAR} 至今之间"),
    "land_area": validate.Range(0, 10_000_000, min_inclusive=False,
                                error="占地面积应大于 0 且不超过 1000 万平方米"),
    "floor_area": validate.Range(0, 20_000_000, min_inclusive=False,
                                 error="建筑面积应大于 0 且不超过 2000 万平方米"),
    "area": validate.Range(0, 100_000_000, min_inclusive=False,
                           error="面积应大于 0 且不超过 1 亿平方米（100 平方公里）"),
    "households": validate.Range(0, 200_000, error="户数应在 0 至 200000 之间"),
    "population": validate.Range(0, 1_000_000, error="常住人口应在 0 至 1000000 之间"),
    "contact_name": validate.Length(max=30, error="联系人不超过 30 个字"),
    "contact_phone": validate.Regexp(r"^[0-9 +\-()（）转/、，,]{3,30}$",
                                     error="联系电话应为 3 至 30 位的数字，可含空格、-、+、括号和“转”"),
}
NUMBER_MESSAGES = {"invalid": "应为数字", "special": "应为数字", "too_large": "数值超出范围"}


def _basic(field_class, name, **kwargs):
    """One optional basic of the desk's form: an empty field (not given) clears it."""
    messages = {**NUMBER_MESSAGES, "invalid": "应为整数"} if field_class is fields.Integer \
        else NUMBER_MESSAGES if field_class is fields.Float else {"invalid": "应为文字"}
    return field_class(load_default=None, validate=BASICS_VALIDATORS.get(name),
                       error_messages=messages, **kwargs)


class BasicsForm(ApiSchema):
    """The version the desk's form was filled on: a form for an older one is refused."""

    version = fields.Integer(required=True, load_only=True, validate=validate.Range(0),
                             error_messages={"required": "缺少版本号，请刷新页面后重新填写",
                                             **NUMBER_MESSAGES, "invalid": "应为整数"},
                             metadata={"description": "打开页面时的 basics_version"})


class EstateBasicsSchema(BasicsForm):
    """The desk's form of an estate's basics (小区基本情况). Every field is posted; an empty one
    means not known."""

    kind = _basic(fields.String, "kind")
    built_from = _basic(fields.Integer, "built_from")
    built_to = _basic(fields.Integer, "built_to")
    land_area = _basic(fields.Float, "land_area")
    floor_area = _basic(fields.Float, "floor_area")
    households = _basic(fields.Integer, "households")
    population = _basic(fields.Integer, "population")
    property_company_id = _basic(fields.Integer, "property_company_id",
                                 metadata={"description": "物业公司；空为无物业"})

    @validates_schema(skip_on_field_errors=True)
    def years_in_order(self, data, **kwargs):
        first, last = data.get("built_from"), data.get("built_to")
        if first is not None and last is not None and first > last:
            raise ValidationError(f"截止年份 {last} 早于起始年份 {first}", "built_to")


class CommunityBasicsSchema(BasicsForm):
    """The desk's form of a community's basics (社区基本情况); an empty field means not known."""

    households = _basic(fields.Integer, "households")
    population = _basic(fields.Integer, "population")
    area = _basic(fields.Float, "area")
    contact_name = _basic(fields.String, "contact_name")
    contact_phone = _basic(fields.String, "contact_phone")
