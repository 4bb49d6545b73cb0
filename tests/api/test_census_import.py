"""flask buildings import of a census file as the census system exports it: GBK, the system's own
field names and coded values, communities found by their 村居 code; indicator 1's pre-screen on
what it says; an era the year contradicts reported; bad codes refuse the whole file.

The file is synthetic (invented buildings, no personal data), its 24 columns named as the
census system's data dictionary names them (see server/buildings/mappings/census.json).
"""
import pytest
from sqlalchemy import func, select, update

from server.audit.models import AuditEntry
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db

CENSUS_FIELDS = ["省行政编码", "市行政编码", "区县行政编码", "镇街行政编码", "村居行政编码", "房屋编号",
                 "建筑名称", "地址", "地上层数", "地下层数", "建筑面积", "建筑高度", "建造年代", "建成时间",
                 "结构类型", "二级结构类型", "是否进行过抗震加固", "加固时间", "是否进行过改造",
                 "是否经过安全鉴定", "鉴定时间", "鉴定结论等级", "有无肉眼可见明显裂缝、变形、倾斜", "调查时间"]
CHENGDONG, CHENGXI = "140828100001", "140828100002"
ORDINARY = {"省行政编码": "140000000000", "市行政编码": "140800000000", "区县行政编码": "140828000000",
            "镇街行政编码": "140828100000", "地上层数": "6", "地下层数": "0", "建筑面积": "2400.5",
            "建筑高度": "18.6", "是否进行过抗震加固": "2", "是否进行过改造": "2", "是否经过安全鉴定": "2",
            "有无肉眼可见明显裂缝、变形、倾斜": "2", "调查时间": "2021-09-15"}
# (村居, 房屋编号, 建筑名称, 建造年代, 建成时间, 结构类型, 二级结构类型, changes)
BUILDINGS = [
    (CHENGDONG, "1408281000010001", "东城花苑1号楼", "4", "2005", "2", "5", {}),
    (CHENGDONG, "1408281000010002", "达明新村3号楼", "2", "1986", "1", "1",
     {"有无肉眼可见明显裂缝、变形、倾斜": "1"}),                  # cracked, precast unknown
    (CHENGDONG, "1408281000010003", "达明新村5号楼", "2", "1988", "1", "1", {}),  # precast unknown
    (CHENGXI, "1408281000020001", "中条山小区2号楼", "3", "1995", "2", "5",
     {"是否经过安全鉴定": "1", "鉴定时间": "2019", "鉴定结论等级": "3",
      "有无肉眼可见明显裂缝、变形、倾斜": "1"}),                  # grade C, cracked
    (CHENGXI, "1408281000020002", "西关新村7号楼", "1", "1982", "2", "5", {}),  # era ≤1980, 1982
    (CHENGXI, "1408281000020003", "西城嘉园1号楼", "5", "2013", "2", "7", {}),
]


def census_rows(**changes_by_row):
    """The data rows as lists; changes_by_row {"r4": {"结构类型": "7"}} changes the row that the
    spreadsheet shows as row 4 (the header is row 1)."""
    rows = []
    for number, (village, code, name, era, year, kind, subkind, changes) in enumerate(BUILDINGS, 2):
        row = {**ORDINARY, "村居行政编码": village, "房屋编号": code, "建筑名称": name,
               "地址": f"夏县瑶峰镇{name}", "建造年代": era, "建成时间": year, "结构类型": kind,
               "二级结构类型": subkind, **changes, **changes_by_row.get(f"r{number}", {})}
        rows.append([row.get(field, "") for field in CENSUS_FIELDS])
    return rows


@pytest.fixture
def county(make_county):
    """夏县 with 瑶峰镇 and two communities carrying their 村居 codes, as the demo county has."""
    county = make_county(name="夏县", code="140828")
    town = Town(county=county, name="瑶峰镇", code="140828100", kind="镇")
    db.session.add_all([town, Community(town=town, name="城东社区", code=CHENGDONG),
                        Community(town=town, name="城西社区", code=CHENGXI)])
    db.session.commit()  # the command commits or rolls back the session it shares with the test
    return county


@pytest.fixture
def import_census(app, county, write_csv):
    """Writes the census file in GBK (as the census system exports it) and imports it."""
    runner = app.test_cli_runner()

    def run(*options, **changes_by_row):
        path = write_csv([CENSUS_FIELDS, *census_rows(**changes_by_row)], encoding="gbk",
                         name="普查房屋.csv")
        return runner.invoke(args=["buildings", "import", str(path), *options])
    return run


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def building(label: str) -> Building:
    return db.session.scalar(select(Building).join(Estate).where(
        Estate.name.concat(Building.number) == label))


def test_census_file_imports_as_exported_into_communities_found_by_village_code(import_census):
    result = import_census()
    assert result.exit_code == 0, result.output
    assert "未导入的列：省行政编码、市行政编码、调查时间" in result.output
    communities = {b.label: b.estate.community.name for b in db.session.scalars(select(Building))}
    assert communities == {"东城花苑1号楼": "城东社区", "达明新村3号楼": "城东社区",
                           "达明新村5号楼": "城东社区", "中条山小区2号楼": "城西社区",
                           "西关新村7号楼": "城西社区", "西城嘉园1号楼": "城西社区"}
    assert count(Community) == 2 and count(Town) == 1


def test_census_codes_are_read_as_the_census_means_them(import_census):
    import_census()
    graded = building("中条山小区2号楼")
    assert (graded.structure_type, graded.structure_subtype, graded.build_era, graded.appraised,
            graded.appraisal_year, graded.appraisal_grade, graded.visible_damage) == (
        "concrete", "框架结构", 3, True, 2019, "C", True)
    masonry = building("达明新村5号楼")
    assert (masonry.structure_type, masonry.structure_subtype, masonry.seismic_reinforced,
            masonry.altered, masonry.appraised, masonry.visible_damage, masonry.precast_slabs) == (
        "masonry", "砖砌体", False, False, False, False, None)


def test_prescreen_flags_cracks_and_grade_c_and_leaves_open_cases_to_be_checked(import_census):
    result = import_census()
    states = {b.label: (b.prescreened, b.prescreen_uncertain)
              for b in db.session.scalars(select(Building))}
    assert states == {"东城花苑1号楼": (False, False),
                      "达明新村3号楼": (True, False),    # cracks: firm, whatever the slabs
                      "达明新村5号楼": (False, True),    # 1981–1990 masonry, slabs unknown
                      "中条山小区2号楼": (True, False),  # grade C (and cracks)
                      "西关新村7号楼": (False, True),    # the census says ≤1980, the year 1982
                      "西城嘉园1号楼": (False, False)}
    assert "其中 2 栋经指标1初筛需优先排查，2 栋初筛待核实" in result.output


def test_prescreen_command_screens_again_buildings_kept_before_a_rule_existed(app, import_census):
    import_census()
    db.session.execute(update(Building).values(prescreened=False, prescreen_uncertain=False))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["buildings", "prescreen"])
    assert result.exit_code == 0, result.output
    assert "已重新初筛 6 栋：需优先排查 2 栋，待核实 2 栋；结果有变化 4 栋" in result.output
    db.session.expire_all()
    assert (building("达明新村3号楼").prescreened, building("达明新村5号楼").prescreen_uncertain) == (
        True, True)


def test_era_contradicting_the_year_is_imported_as_given_and_reported(import_census, tmp_path):
    report = tmp_path / "需处理.csv"
    result = import_census("--report", str(report))
    assert "导入但需核实的行（共 1 行）：" in result.output
    assert ("第 6 行：建成时间“1982”与建造年代“1”（1980年及以前）不符：已按表中原值导入，请核实"
            in result.output)
    assert (building("西关新村7号楼").year_built, building("西关新村7号楼").build_era) == (1982, 1)
    assert "6,已导入，需核实：建成时间“1982”" in report.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("field, code", [("建造年代", "9"), ("结构类型", "7"), ("二级结构类型", "12"),
                                         ("是否进行过抗震加固", "3"), ("鉴定结论等级", "5"),
                                         ("有无肉眼可见明显裂缝、变形、倾斜", "4")])
def test_code_outside_the_published_table_refuses_the_whole_file(import_census, field, code):
    result = import_census(r4={field: code})
    assert result.exit_code != 0
    assert "文件 普查房屋.csv：整个文件未导入，数据库未作任何改动" in result.output
    assert f"第 4 行：{field}“{code}”不是普查" in result.output
    assert (count(Building), count(Estate), count(AuditEntry)) == (0, 0, 0)


def test_unknown_village_code_refuses_the_whole_file(import_census):
    result = import_census(r5={"村居行政编码": "140828100099"})
    assert result.exit_code != 0
    assert ("第 5 行：村居行政编码“140828100099”：系统中没有这个村（社区）代码" in result.output)
    assert (count(Building), count(Estate), count(Community), count(AuditEntry)) == (0, 0, 2, 0)


def test_village_code_of_another_town_than_the_row_says_is_rejected(import_census):
    result = import_census(r3={"镇街行政编码": "140828101000"})
    assert "第 3 行：村居行政编码 140828100001 属于瑶峰镇（代码 140828100），" in result.output
    assert building("达明新村3号楼") is None and count(Building) == 5
