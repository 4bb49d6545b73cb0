"""Reading building lists: encodings, header mapping, Chinese cell values and row rejections.

Plain parsing, no database: files are written to tmp_path and read back through parse_file.
"""
import csv
import json

import pytest

from server.buildings.import_values import (CellError, parse_bool, parse_built, parse_gas,
                                            parse_grade, parse_structure)
from server.buildings.importing import ImportFileError, load_mapping, parse_file, write_report

CENSUS_HEADER = ["县级行政区划代码", "乡镇", "村（社区）", "房屋编号", "建筑名称", "地上层数",
                 "建筑面积（平方米）", "建成年代", "结构类型", "是否进行过抗震加固", "加固时间"]
BUREAU_HEADER = ["街道/镇", "社区", "小区", "楼号", "建成年份", "结构", "层数", "电梯", "燃气",
                 "物业公司"]


@pytest.fixture
def census():
    return load_mapping("census")


@pytest.fixture
def bureau():
    return load_mapping("bureau")


def census_row(**changes):
    row = dict(zip(CENSUS_HEADER, ["140828", "瑶峰镇", "城关社区", "1408280001", "达明新村3号楼", "5",
                                   "1200.5", "1975", "砖混", "否", ""]))
    row.update(changes)
    return [row[h] for h in CENSUS_HEADER]


def bureau_row(**changes):
    row = dict(zip(BUREAU_HEADER, ["瑶峰镇", "城关社区", "达明新村", "3#", "1995", "钢筋混凝土结构",
                                   "6", "无", "管道燃气", "夏县宏达物业"]))
    row.update(changes)
    return [row[h] for h in BUREAU_HEADER]


def only_row(parsed):
    assert not parsed.rejected, parsed.rejected
    (row,) = parsed.rows
    return row.values


def only_rejection(parsed):
    assert not parsed.rows
    (rejection,) = parsed.rejected
    return rejection


# ---- cell values --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1975", {"year_built": 1975}),
    ("1975年", {"year_built": 1975}),
    ("2008-05-01", {"year_built": 2008}),
    ("3", {"build_era": 3}),
    ("1981-1990年", {"build_era": 2}),
    ("1981—1990年", {"build_era": 2}),
    ("1980年及以前", {"build_era": 1}),
    ("2016年及以后", {"build_era": 6}),
])
def test_built_cell_reads_year_era_code_or_era_range(text, expected):
    assert parse_built(text) == expected


@pytest.mark.parametrize("text", ["1990年以前", "1975-1995"])
def test_built_range_across_census_eras_is_refused(text):
    with pytest.raises(CellError, match="多个普查建成年代"):
        parse_built(text)


@pytest.mark.parametrize("text, kind, subtype", [
    ("砖混", "masonry", "砖混"),
    ("砌体结构", "masonry", None),
    ("底部框架-抗震墙", "masonry", "底部框架-抗震墙"),
    ("钢筋混凝土结构", "concrete", None),
    ("框架", "concrete", "框架"),
    ("剪力墙结构", "concrete", "剪力墙结构"),
    ("钢结构", "steel", None),
    ("木结构", "timber", None),
    ("其他", "other", None),
])
def test_structure_words_give_type_code_and_subtype(text, kind, subtype):
    assert parse_structure(text) == {"structure_type": kind, "structure_hint": subtype}


@pytest.mark.parametrize("text, expected", [
    ("是", True), ("有", True), ("Y", True), ("已加固", True),
    ("否", False), ("无", False), ("N", False), ("未加固", False),
])
def test_yes_no_words(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("管道燃气", "pipeline"), ("天然气", "pipeline"), ("瓶装液化气", "bottled"),
    ("液化石油气", "bottled"), ("无", "none"), ("未通燃气", "none"),
])
def test_gas_words(text, expected):
    assert parse_gas(text) == expected


@pytest.mark.parametrize("text, expected", [("A", "A"), ("b级", "B"), ("Ｃ级", "C"), ("Dsu", "D")])
def test_appraisal_grade_words(text, expected):
    assert parse_grade(text) == expected


# ---- files and headers ---------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_chinese_encoding_reads_alike(write_csv, census, encoding):
    path = write_csv([CENSUS_HEADER, census_row()], encoding=encoding)
    values = only_row(parse_file(path, census))
    assert (values["community"], values["estate"], values["number"]) == ("城关社区", "达明新村", "3号楼")


def test_xlsx_title_row_above_header_is_skipped_and_rows_keep_sheet_numbers(write_xlsx, census):
    path = write_xlsx([["城镇住宅建筑调查表"], CENSUS_HEADER, census_row(地上层数="0")])
    parsed = parse_file(path, census)
    assert parsed.header_row == 2
    assert only_rejection(parsed).row_number == 3


def test_xlsx_numbers_read_as_the_text_people_see(write_xlsx, census):
    path = write_xlsx([CENSUS_HEADER, census_row(地上层数=6, 建成年代=1975.0, 房屋编号=1408280001)])
    values = only_row(parse_file(path, census))
    assert (values["floors_above"], values["year_built"], values["code"]) == (6, 1975, "1408280001")


def test_xlsx_sheet_chosen_by_name(write_xlsx, census):
    path = write_xlsx([CENSUS_HEADER, census_row()], sheet="城镇住宅")
    assert parse_file(path, census, sheet="城镇住宅").sheet == "城镇住宅"


def test_missing_sheet_is_refused_naming_the_sheets_there(write_xlsx, census):
    path = write_xlsx([CENSUS_HEADER, census_row()], sheet="城镇住宅")
    with pytest.raises(ImportFileError, match="城镇住宅"):
        parse_file(path, census, sheet="农村住宅")


def test_header_with_unit_and_full_width_brackets_matches(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row()])
    assert only_row(parse_file(path, census))["floor_area"] == 1200.5


def test_auto_mapping_picks_bureau_for_a_bureau_list(write_csv):
    path = write_csv([BUREAU_HEADER, bureau_row()])
    assert parse_file(path).mapping.name == "bureau"


def test_unmapped_headers_are_listed(write_csv, census):
    path = write_csv([[*CENSUS_HEADER, "备注"], [*census_row(), "临街"]])
    assert parse_file(path, census).unused_headers == ["备注"]


def test_file_without_a_recognisable_header_is_refused(write_csv, census):
    path = write_csv([["a", "b"], ["1", "2"]])
    with pytest.raises(ImportFileError, match="表头"):
        parse_file(path, census)


def test_list_without_community_column_needs_a_default(write_csv, bureau):
    header = [h for h in BUREAU_HEADER if h != "社区"]
    path = write_csv([header, [c for h, c in zip(BUREAU_HEADER, bureau_row()) if h != "社区"]])
    with pytest.raises(ImportFileError, match="--community"):
        parse_file(path, bureau)
    assert only_row(parse_file(path, bureau, defaults={"community": "城关社区"}))["community"] == "城关社区"


def test_old_xls_is_refused_with_advice(tmp_path, census):
    path = tmp_path / "buildings.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError, match="xlsx"):
        parse_file(path, census)


# ---- mappings ------------------------------------------------------------------------------

def test_custom_mapping_maps_several_headers_to_one_field(write_csv, tmp_path):
    mapping_path = tmp_path / "mine.json"
    mapping_path.write_text(json.dumps({"columns": {
        "所在社区": "community", "楼栋": "number", "栋号": "number", "竣工": "year_built"}},
        ensure_ascii=False), encoding="utf-8")
    path = write_csv([["所在社区", "栋号", "竣工"], ["城关社区", "5#", "1988"]])
    values = only_row(parse_file(path, load_mapping(str(mapping_path))))
    assert (values["number"], values["build_era"]) == ("5#", 2)


def test_mapping_with_unknown_field_is_refused(tmp_path):
    mapping_path = tmp_path / "bad.json"
    mapping_path.write_text('{"columns": {"楼号": "building_no"}}', encoding="utf-8")
    with pytest.raises(ImportFileError, match="building_no"):
        load_mapping(str(mapping_path))


# ---- rows ----------------------------------------------------------------------------------

def test_year_gives_the_census_era_too(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(建成年代="1995")])
    assert only_row(parse_file(path, census))["build_era"] == 3


def test_estate_and_number_derived_from_building_name(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(建筑名称="阳光小区12栋")])
    values = only_row(parse_file(path, census))
    assert (values["estate"], values["number"]) == ("阳光小区", "12栋")


def test_building_name_without_a_number_is_a_scattered_building(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(建筑名称="县医院家属楼")])
    values = only_row(parse_file(path, census))
    assert "estate" not in values and values["number"] == "县医院家属楼"


def test_specific_structure_word_becomes_the_subtype(write_csv, bureau):
    path = write_csv([BUREAU_HEADER, bureau_row(结构="砖混")])
    values = only_row(parse_file(path, bureau))
    assert (values["structure_type"], values["structure_subtype"]) == ("masonry", "砖混")


def test_elevator_count_means_an_elevator(write_csv, bureau):
    path = write_csv([BUREAU_HEADER, bureau_row(电梯="2")])
    assert only_row(parse_file(path, bureau))["has_elevator"] is True


def test_any_visible_damage_column_saying_yes_means_damage(write_csv, census):
    header = [*CENSUS_HEADER, "有无明显裂缝", "有无明显变形", "有无明显倾斜"]
    path = write_csv([header, [*census_row(), "无", "有", "无"]])
    assert only_row(parse_file(path, census))["visible_damage"] is True


def test_blank_and_unknown_cells_are_left_out(write_csv, bureau):
    path = write_csv([BUREAU_HEADER, bureau_row(电梯="", 燃气="不详")])
    values = only_row(parse_file(path, bureau))
    assert "has_elevator" not in values and "gas_supply" not in values


def test_reinforcement_year_implies_reinforced(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(是否进行过抗震加固="", 加固时间="2009")])
    assert only_row(parse_file(path, census))["seismic_reinforced"] is True


def test_impossible_value_rejected_naming_column_and_value(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(地上层数="0")])
    assert only_rejection(parse_file(path, census)).reasons == [
        "地上层数“0”：地上层数应在 1 至 150 之间"]


def test_unreadable_value_rejected_with_what_was_expected(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(结构类型="土坯")])
    (reason,) = only_rejection(parse_file(path, census)).reasons
    assert reason.startswith("结构类型“土坯”：无法识别")


def test_every_problem_of_a_row_is_reported_together(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(地上层数="六层", **{"建筑面积（平方米）": "-5"})])
    assert len(only_rejection(parse_file(path, census)).reasons) == 2


def test_rejected_row_number_counts_the_header_as_row_one(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(), census_row(房屋编号="2", 地上层数="abc")])
    parsed = parse_file(path, census)
    assert [r.row_number for r in parsed.rows] == [2]
    assert [r.row_number for r in parsed.rejected] == [3]


def test_year_contradicting_era_is_kept_as_given_with_a_note(write_csv, bureau):
    header = [*BUREAU_HEADER, "建成年代"]
    path = write_csv([header, [*bureau_row(建成年份="1975"), "4"]])
    (row,) = parse_file(path, bureau).rows
    assert (row.values["year_built"], row.values["build_era"]) == (1975, 4)
    assert row.notes == ["建成年份“1975”与建成年代“4”（2001—2010年）不符：已按表中原值导入，请核实"]


def test_reinforcement_year_on_an_unreinforced_building_is_rejected(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(是否进行过抗震加固="否", 加固时间="2009")])
    assert "却填写了加固时间" in only_rejection(parse_file(path, census)).reasons[0]


def test_property_company_without_estate_is_rejected(write_csv, bureau):
    path = write_csv([BUREAU_HEADER, bureau_row(小区="", 楼号="县医院家属楼")])
    assert "没有小区名称" in only_rejection(parse_file(path, bureau)).reasons[0]


def test_row_without_number_or_name_is_rejected(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(建筑名称="")])
    assert only_rejection(parse_file(path, census)).reasons[0].startswith("缺少楼号")


def test_same_building_twice_in_a_file_rejects_the_second(write_csv, census):
    path = write_csv([CENSUS_HEADER, census_row(), census_row(地上层数="6")])
    parsed = parse_file(path, census)
    (rejection,) = parsed.rejected
    assert rejection.reasons == ["与第 2 行是同一栋楼（房屋编号 1408280001）"]


def test_excel_number_that_lost_digits_of_a_code_is_rejected(write_xlsx, census):
    path = write_xlsx([CENSUS_HEADER, census_row(房屋编号=1.4082800010001e17)])
    assert "文本格式" in only_rejection(parse_file(path, census)).reasons[0]


def test_row_with_only_unmapped_cells_is_not_a_building(write_csv, census):
    blank = [""] * len(CENSUS_HEADER)
    path = write_csv([[*CENSUS_HEADER, "序号"], [*census_row(), "1"], [*blank, "2"]])
    parsed = parse_file(path, census)
    assert (len(parsed.rows), parsed.rejected) == (1, [])


def test_report_is_excel_friendly_csv_with_row_number_and_reasons(write_csv, census, tmp_path):
    path = write_csv([CENSUS_HEADER, census_row(地上层数="0")])
    parsed = parse_file(path, census)
    report = tmp_path / "rejected.csv"
    write_report(report, parsed.headers, parsed.rejected)
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(report, encoding="utf-8-sig", newline="") as rows:
        header, row = list(csv.reader(rows))
    assert header[:3] == ["行号", "原因", "县级行政区划代码"]
    assert row[:2] == ["2", "地上层数“0”：地上层数应在 1 至 150 之间"]
