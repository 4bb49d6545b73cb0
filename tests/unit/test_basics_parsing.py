"""Reading a bureau's lists of estate and community basics, and the desk's forms of them: cell
values as street offices write them (1985—1992, 45亩, 1820人, 房改房), rows refused with their
reasons, and the Chinese messages of the schemas. Plain parsing, no database."""
import pytest
from marshmallow import ValidationError

from server.buildings.basics_import import COMMUNITIES, ESTATES
from server.buildings.import_values import (CellError, parse_built_years, parse_count,
                                            parse_estate_kind, parse_square_metres)
from server.buildings.importing import ImportFileError, parse_file
from server.buildings.schemas import CommunityBasicsSchema, EstateBasicsSchema

ESTATE_HEADER = ["街道/镇", "社区", "小区名称", "小区类型", "建成年代", "占地面积（亩）",
                 "建筑面积（平方米）", "楼栋数", "户数", "常住人口", "物业公司"]
COMMUNITY_HEADER = ["街道", "社区名称", "户数", "常住人口", "辖区面积（平方公里）", "联系人", "联系电话"]


def estate_row(**changes):
    row = dict(zip(ESTATE_HEADER, ["瑶峰镇", "城东社区", "达明新村", "房改房", "1985—1992", "45",
                                   "38000", "12", "640", "1820人", ""]))
    row.update(changes)
    return [row[h] for h in ESTATE_HEADER]


def community_row(**changes):
    row = dict(zip(COMMUNITY_HEADER, ["瑶峰镇", "城东社区", "3691", "9833", "0.52", "李卫东",
                                      "0359-8511087"]))
    row.update(changes)
    return [row[h] for h in COMMUNITY_HEADER]


@pytest.mark.parametrize("text, expected", [
    ("1998", (1998, 1998)),
    ("1998年", (1998, 1998)),
    ("1998.06", (1998, 1998)),
    ("1985—1992", (1985, 1992)),
    ("1985-1992年", (1985, 1992)),
    ("1985至1992", (1985, 1992)),
    ("1985-92", (1985, 1992)),
    ("80年代", (1980, 1989)),
    ("上世纪90年代", (1990, 1999)),
    ("2000年代", (2000, 2009)),
    ("1990年以前", (None, 1990)),
    ("2000年及以后", (2000, None)),
])
def test_built_years_read_a_year_a_span_a_decade_or_an_open_end(text, expected):
    years = parse_built_years(text)
    assert (years["built_from"], years["built_to"]) == expected


@pytest.mark.parametrize("text, message", [("1992—1985", "起始年份 1992 晚于截止年份 1985"),
                                           ("八十年代初", "应为年份")])
def test_built_years_refuse_a_reversed_span_and_words(text, message):
    with pytest.raises(CellError, match=message):
        parse_built_years(text)


@pytest.mark.parametrize("text, unit, square_metres", [
    ("12000", 1, 12000), ("12,000㎡", 1, 12000), ("3000 m²", 1, 3000), ("45", 10_000 / 15, 30000),
    ("45亩", 1, 30000), ("3.2公顷", 1, 32000), ("1.5万平方米", 1, 15000), ("0.52", 1_000_000, 520000),
    ("2平方公里", 1, 2_000_000),
])
def test_areas_are_square_metres_whatever_unit_the_cell_or_its_header_gives(text, unit,
                                                                             square_metres):
    assert parse_square_metres(text, unit) == pytest.approx(square_metres)


def test_an_area_in_an_unknown_unit_is_refused():
    with pytest.raises(CellError, match="应为面积数字"):
        parse_square_metres("12 英亩")


@pytest.mark.parametrize("text, kind", [
    ("房改房", "房改房"), ("售后公房", "房改房"), ("商品住宅", "商品房"), ("回迁安置房", "安置房"),
    ("单位家属院", "单位宿舍"), ("职工宿舍", "单位宿舍"), ("私房", "自建房"), ("里弄", "里弄"),
    ("平房区", "其他"), ("其它", "其他"),
])
def test_estate_kinds_as_lists_write_them(text, kind):
    assert parse_estate_kind(text) == kind


def test_an_unknown_estate_kind_names_the_kinds():
    with pytest.raises(CellError, match="商品房、房改房、单位宿舍、安置房、自建房、里弄、其他"):
        parse_estate_kind("别墅")


@pytest.mark.parametrize("text, count", [("640", 640), ("1,820人", 1820), ("约 480 户", 480)])
def test_counts_take_their_unit(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text, message", [("-5", "不能为负数"), ("3.5", "应为整数")])
def test_counts_refuse_negatives_and_fractions(text, message):
    with pytest.raises(CellError, match=message):
        parse_count(text)


def test_estate_list_with_a_title_row_in_gbk(write_csv):
    path = write_csv([["瑶峰镇小区基本情况（2025年）"], ESTATE_HEADER, estate_row()], encoding="gbk")
    parsed = parse_file(path, kind=ESTATES)
    assert parsed.header_row == 2 and parsed.unused_headers == ["楼栋数"]
    (row,) = parsed.rows
    assert row.values == {"town": "瑶峰镇", "community": "城东社区", "estate": "达明新村",
                          "kind": "房改房", "built_from": 1985, "built_to": 1992,
                          "land_area": 30000.0, "floor_area": 38000.0, "households": 640,
                          "population": 1820}


def test_estate_rows_are_refused_with_every_reason(write_csv):
    path = write_csv([ESTATE_HEADER,
                      estate_row(小区类型="别墅", 户数="-5", 常住人口="300000000"),
                      estate_row(小区名称="", 建成年代="2090")])
    first, second = parse_file(path, kind=ESTATES).rejected
    assert first.row_number == 2 and first.reasons == [
        "小区类型“别墅”：无法识别，应为商品房、房改房、单位宿舍、安置房、自建房、里弄、其他之一",
        "户数“-5”：不能为负数", "常住人口“300000000”：常住人口应在 0 至 1000000 之间"]
    assert second.reasons == ["建成年代“2090”：建成年代的起始年份应在 1900 至今之间",
                              "建成年代“2090”：建成年代的截止年份应在 1900 至今之间",
                              "缺少小区名称"]


def test_the_same_estate_twice_is_refused_the_second_time(write_csv):
    parsed = parse_file(write_csv([ESTATE_HEADER, estate_row(), estate_row(户数="700")]),
                        kind=ESTATES)
    assert [r.row_number for r in parsed.rows] == [2]
    assert parsed.rejected[0].reasons == ["与第 2 行是同一个小区（城东社区达明新村）"]


def test_an_estate_list_without_estate_names_is_not_imported(write_csv):
    with pytest.raises(ImportFileError, match="没有小区名称列"):
        parse_file(write_csv([["社区", "户数", "常住人口"], ["城东社区", "1", "2"]]), kind=ESTATES)


def test_community_list_reads_area_in_square_kilometres(write_csv):
    (row,) = parse_file(write_csv([COMMUNITY_HEADER, community_row()]), kind=COMMUNITIES).rows
    assert row.values == {"town": "瑶峰镇", "community": "城东社区", "households": 3691,
                          "population": 9833, "area": 520000.0, "contact_name": "李卫东",
                          "contact_phone": "0359-8511087"}


def test_community_phone_must_look_like_one(write_csv):
    parsed = parse_file(write_csv([COMMUNITY_HEADER, community_row(联系电话="找居委会")]),
                        kind=COMMUNITIES)
    assert parsed.rejected[0].reasons == [
        "联系电话“找居委会”：联系电话应为 3 至 30 位的数字，可含空格、-、+、括号和“转”"]


# ---- the desk's forms ------------------------------------------------------------------------

def test_estate_form_loads_every_basic_and_blank_means_not_known():
    loaded = EstateBasicsSchema().load({"version": "3", "kind": "房改房", "built_from": "1985",
                                        "built_to": "1992", "land_area": "30000.5"})
    assert loaded == {"version": 3, "kind": "房改房", "built_from": 1985, "built_to": 1992,
                      "land_area": 30000.5, "floor_area": None, "households": None,
                      "population": None, "property_company_id": None}


@pytest.mark.parametrize("field, value, message", [
    ("built_to", "1980", "截止年份 1980 早于起始年份 1985"),
    ("households", "1.5", "应为整数"),
    ("households", "-1", "户数应在 0 至 200000 之间"),
    ("land_area", "nan", "应为数字"),
    ("land_area", "0", "占地面积应大于 0 且不超过 1000 万平方米"),
    ("kind", "别墅", "小区类型应为商品房、房改房、单位宿舍、安置房、自建房、里弄、其他之一"),
])
def test_estate_form_refuses_impossible_values_in_chinese(field, value, message):
    with pytest.raises(ValidationError) as refused:
        EstateBasicsSchema().load({"version": "0", "built_from": "1985", field: value})
    assert refused.value.messages == {field: [message]}


def test_a_form_without_its_version_is_refused():
    with pytest.raises(ValidationError) as refused:
        CommunityBasicsSchema().load({"households": "12"})
    assert refused.value.messages == {"version": ["缺少版本号，请刷新页面后重新填写"]}
