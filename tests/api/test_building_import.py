"""flask buildings import: census and bureau lists into places and buildings, re-imports update,
bad rows are reported and never half-written, and indicator 1's pre-screen runs on import."""
import csv

import pytest
from sqlalchemy import func, select, update

from server.audit.models import AuditEntry
from server.buildings import upsert
from server.buildings.models import Building, Community, County, Estate, PropertyCompany, Town
from server.extensions import db
from tests.unit.test_import_parsing import BUREAU_HEADER, CENSUS_HEADER, bureau_row, census_row


@pytest.fixture
def county(make_county):
    county = make_county(name="夏县", code="140828")
    db.session.commit()  # the command commits or rolls back the session it shares with the test
    return county


@pytest.fixture
def import_file(app, county):
    runner = app.test_cli_runner()

    def run(path, *options):
        return runner.invoke(args=["buildings", "import", str(path), *options])
    return run


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def building(number: str) -> Building:
    return db.session.scalar(select(Building).where(Building.number == number))


def test_census_rows_create_town_community_estate_and_building(write_csv, import_file):
    result = import_file(write_csv([CENSUS_HEADER, census_row()]), "--mapping", "census")
    assert result.exit_code == 0, result.output
    found = building("3号楼")
    assert (found.code, found.estate.name, found.floors_above, found.structure_type,
            found.structure_subtype) == ("1408280001", "达明新村", 5, "masonry", "砖混")
    community = found.estate.community
    assert (community.name, community.town.name, community.town.kind,
            community.town.county.code) == ("城关社区", "瑶峰镇", "镇", "140828")


def test_summary_counts_what_happened(write_csv, import_file):
    path = write_csv([CENSUS_HEADER, census_row(), census_row(房屋编号="2", 建筑名称="达明新村4号楼"),
                      census_row(房屋编号="3", 地上层数="0")])
    result = import_file(path)
    assert "新建 2 栋，更新 0 栋，未变 0 栋，拒绝 1 行" in result.output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding_imports(write_csv, import_file, encoding):
    result = import_file(write_csv([CENSUS_HEADER, census_row()], encoding=encoding))
    assert result.exit_code == 0, result.output
    assert building("3号楼").estate.community.name == "城关社区"


def test_xlsx_sheet_imports(write_xlsx, import_file):
    path = write_xlsx([BUREAU_HEADER, bureau_row()], sheet="楼栋名单")
    result = import_file(path, "--mapping", "bureau", "--sheet", "楼栋名单")
    assert result.exit_code == 0, result.output
    assert building("3#").gas_supply == "pipeline"


def test_reimport_updates_by_code_without_duplicating(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row()], name="first.csv"))
    result = import_file(write_csv([CENSUS_HEADER, census_row(地上层数="6")], name="second.csv"))
    assert "更新 1 栋" in result.output
    assert count(Building) == 1 and building("3号楼").floors_above == 6


def test_reimport_updates_by_estate_and_number_when_there_is_no_code(write_csv, import_file):
    import_file(write_csv([BUREAU_HEADER, bureau_row()], name="first.csv"))
    import_file(write_csv([BUREAU_HEADER, bureau_row(层数="7")], name="second.csv"))
    assert count(Building) == 1 and building("3#").floors_above == 7


def test_reimporting_the_same_file_changes_nothing(write_csv, import_file):
    path = write_csv([CENSUS_HEADER, census_row()])
    import_file(path)
    result = import_file(path)
    assert "新建 0 栋，更新 0 栋，未变 1 栋" in result.output
    assert count(Building) == 1


def test_blank_cell_on_reimport_keeps_the_known_value(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row()], name="first.csv"))
    import_file(write_csv([CENSUS_HEADER, census_row(地上层数="")], name="second.csv"))
    assert building("3号楼").floors_above == 5


def test_scattered_building_goes_into_the_communitys_temporary_estate(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row(建筑名称="县医院家属楼")]))
    estate = building("县医院家属楼").estate
    assert (estate.name, estate.is_temporary, estate.property_company) == ("城关社区零星楼栋", True, None)


def test_property_company_is_found_or_created_and_manages_the_estate(write_csv, import_file):
    path = write_csv([BUREAU_HEADER, bureau_row(), bureau_row(楼号="4#")])
    import_file(path, "--mapping", "bureau")
    assert count(PropertyCompany) == 1
    assert building("4#").estate.property_company.name == "夏县宏达物业"


def test_community_without_town_is_found_when_unique_in_the_county(write_csv, import_file,
                                                                   make_community):
    existing = make_community(name="城关社区", town_name="瑶峰镇")
    db.session.commit()
    header = [h for h in BUREAU_HEADER if h != "街道/镇"]
    import_file(write_csv([header, bureau_row()[1:]]), "--mapping", "bureau")
    assert building("3#").estate.community_id == existing.id


def test_defaults_place_a_list_without_place_columns(write_csv, import_file):
    path = write_csv([["小区", "楼号", "层数"], ["达明新村", "5#", "6"]])
    result = import_file(path, "--mapping", "bureau", "--town", "瑶峰镇", "--community", "城关社区")
    assert result.exit_code == 0, result.output
    assert building("5#").estate.community.town.name == "瑶峰镇"


def test_prescreen_flags_1975_unreinforced_masonry_but_not_1995_concrete(write_csv, import_file):
    path = write_csv([BUREAU_HEADER,
                      bureau_row(楼号="1#", 建成年份="1975", 结构="砖混"),
                      bureau_row(楼号="2#", 建成年份="1995", 结构="钢筋混凝土结构")])
    result = import_file(path, "--mapping", "bureau")
    assert (building("1#").prescreened, building("2#").prescreened) == (True, False)
    assert "其中 1 栋经指标1初筛需优先排查" in result.output


def test_reimport_with_reinforcement_clears_the_prescreen(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row()], name="first.csv"))
    import_file(write_csv([CENSUS_HEADER, census_row(是否进行过抗震加固="是", 加固时间="2010")],
                          name="second.csv"))
    assert building("3号楼").prescreened is False


def test_rejected_rows_are_listed_with_row_number_and_reason(write_csv, import_file):
    path = write_csv([CENSUS_HEADER, census_row(), census_row(房屋编号="2", 地上层数="0")])
    result = import_file(path)
    assert "第 3 行：地上层数“0”：地上层数应在 1 至 150 之间" in result.output
    assert count(Building) == 1


def test_report_file_holds_rejected_rows_as_excel_csv(write_csv, import_file, tmp_path):
    path = write_csv([CENSUS_HEADER, census_row(), census_row(房屋编号="2", 结构类型="土坯")])
    report = tmp_path / "rejected.csv"
    import_file(path, "--report", str(report))
    with open(report, encoding="utf-8-sig", newline="") as rows:
        header, row = list(csv.reader(rows))
    assert header[:2] == ["行号", "原因"] and header[2:] == CENSUS_HEADER
    assert row[0] == "3" and row[1].startswith("结构类型“土坯”") and row[2:] == census_row(
        房屋编号="2", 结构类型="土坯")


def test_row_conflicting_with_a_known_building_is_rejected_and_not_half_written(write_csv,
                                                                                 import_file):
    import_file(write_csv([BUREAU_HEADER, bureau_row(物业公司="")], name="first.csv"))
    db.session.execute(update(Building).values(code="A-1"))
    db.session.commit()
    header = [*BUREAU_HEADER, "楼栋编码"]
    result = import_file(write_csv([header, [*bureau_row(物业公司="新物业", 层数="9"), "B-2"]],
                                   name="second.csv"), "--mapping", "bureau")
    assert "第 2 行：达明新村3#已登记为房屋编号 A-1" in result.output
    assert (count(PropertyCompany), building("3#").floors_above) == (0, 6)
    assert building("3#").estate.property_company is None


def test_row_the_database_refuses_is_rejected_and_the_others_go_in(write_csv, import_file,
                                                                   monkeypatch):
    real_refresh = upsert.refresh_prescreen

    def break_second_building(building, form):
        if building.number == "2号楼":
            building.structure_type = "bamboo"  # a value the CHECK constraint refuses
        real_refresh(building, form)
    monkeypatch.setattr(upsert, "refresh_prescreen", break_second_building)
    path = write_csv([CENSUS_HEADER, census_row(建筑名称="甲小区1号楼"),
                      census_row(房屋编号="2", 建筑名称="乙小区2号楼"),
                      census_row(房屋编号="3", 建筑名称="丙小区3号楼")])
    result = import_file(path)
    assert "第 3 行：数据库拒绝写入该行" in result.output
    assert sorted(db.session.scalars(select(Estate.name))) == ["丙小区", "甲小区"]


def test_dry_run_reports_but_writes_nothing(write_csv, import_file):
    result = import_file(write_csv([CENSUS_HEADER, census_row()]), "--dry-run")
    assert "将新建 1 栋" in result.output and "试运行" in result.output
    assert (count(Building), count(Town), count(Community)) == (0, 0, 0)


def test_import_is_audited(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row()]))
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["building.import", "building.imported"]


def test_update_audit_names_the_changes(write_csv, import_file):
    import_file(write_csv([CENSUS_HEADER, census_row()], name="first.csv"))
    import_file(write_csv([CENSUS_HEADER, census_row(地上层数="6")], name="second.csv"))
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "building.import_updated"))
    assert entry.details["changes"] == {"floors_above": [5, 6]}


def test_census_county_named_in_the_file_is_created(write_csv, import_file):
    header = [*CENSUS_HEADER, "县级名称"]
    import_file(write_csv([header, [*census_row(县级行政区划代码="140829"), "闻喜县"]]))
    assert building("3号楼").estate.community.town.county.name == "闻喜县"


def test_row_of_another_county_than_the_option_is_rejected(write_csv, import_file):
    result = import_file(write_csv([CENSUS_HEADER, census_row(县级行政区划代码="140829")]),
                         "--county", "140828")
    assert "与 --county 140828 不符" in result.output and count(Building) == 0


def test_unknown_county_option_stops_the_import(write_csv, import_file):
    result = import_file(write_csv([CENSUS_HEADER, census_row()]), "--county", "999999")
    assert result.exit_code != 0 and "系统中没有县（区）代码 999999" in result.output


def test_unreadable_file_stops_the_import_with_the_reason(write_csv, import_file):
    result = import_file(write_csv([["甲", "乙"], ["1", "2"]]))
    assert result.exit_code != 0 and "找不到与列映射" in result.output
    assert count(County) == 1
