from datetime import date

from marshmallow import fields, validate

from server.buildings.models import APPRAISAL_GRADES, GAS_SUPPLIES, STRUCTURE_TYPES
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
