"""flask estates import / flask communities import: a bureau's lists fill in the basics of the
estates and communities the building import made; a row naming a place the system lacks, or
holding an impossible value, is reported with its reason and writes nothing."""
import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEntry
from server.buildings.models import Community, Estate, PropertyCompany
from server.extensions import db
from server.syncing.models import Change
from tests.unit.test_basics_parsing import (COMMUNITY_HEADER, ESTATE_HEADER, community_row,
                                            estate_row)
from tests.unit.test_import_parsing import BUREAU_HEADER, bureau_row


@pytest.fixture
def places(make_community, make_estate, make_building):
    """城东社区 of 瑶峰镇 with 达明新村 (two buildings), 建设路小区 and its scattered buildings."""
    community = make_community("城东社区")
    damin = make_estate("达明新村", community)
    make_building(damin, "1#")
    make_building(damin, "2#")
    make_estate("建设路小区", community)
    make_estate("城东社区零星楼栋", community, is_temporary=True)
    db.session.commit()  # the command commits or rolls back the session it shares with the test
    return community


@pytest.fixture
def run(app, places):
    runner = app.test_cli_runner()

    def invoke(group, path, *options):
        return runner.invoke(args=[group, "import", str(path), *options])
    return invoke


def estate(name: str) -> Estate:
    db.session.expire_all()
    return db.session.scalar(select(Estate).where(Estate.name == name))


def basics_of(place, *names):
    return tuple(getattr(place, name) for name in names)


def last_change() -> int:
    return db.session.scalar(select(func.coalesce(func.max(Change.id), 0)))


def buildings_announced_since(change_id: int) -> list[str]:
    return sorted(db.session.scalars(select(Change.entity_id).where(
        Change.kind == "building", Change.id > change_id)))


def test_estate_list_fills_the_basics_of_the_estates_it_names(write_csv, run):
    path = write_csv([["瑶峰镇小区基本情况"], ESTATE_HEADER, estate_row(),
                      estate_row(小区名称="建设路小区", 小区类型="单位家属院", 建成年代="80年代",
                                 **{"占地面积（亩）": "", "建筑面积（平方米）": "", "户数": "120",
                                    "常住人口": "350"})], encoding="gbk")
    result = run("estates", path)
    assert result.exit_code == 0, result.output
    assert "更新 2 个小区，未变 0 个小区，拒绝 0 行" in result.output
    assert basics_of(estate("达明新村"), "kind", "built_from", "built_to", "land_area",
                     "floor_area", "households", "population", "basics_version") == (
        "房改房", 1985, 1992, 30000.0, 38000.0, 640, 1820, 1)
    assert basics_of(estate("建设路小区"), "kind", "built_from", "built_to", "land_area",
                     "households") == ("单位宿舍", 1980, 1989, None, 120)


def test_estate_list_as_xlsx_on_a_named_sheet(write_xlsx, run):
    path = write_xlsx([ESTATE_HEADER, estate_row(户数=640)], sheet="小区")
    result = run("estates", path, "--sheet", "小区")
    assert result.exit_code == 0, result.output
    assert estate("达明新村").households == 640


def test_unknown_estate_and_community_are_reported_and_the_other_rows_go_in(write_csv, run):
    path = write_csv([ESTATE_HEADER, estate_row(小区名称="达明新村小区"),
                      estate_row(社区="城南社区"), estate_row(小区名称="建设路小区")])
    result = run("estates", path)
    assert result.exit_code == 0, result.output
    assert "第 2 行：城东社区没有小区“达明新村小区”，是否指“达明新村”？" in result.output
    assert "第 3 行：瑶峰镇没有社区“城南社区”，是否指“城东社区”？" in result.output
    assert "更新 1 个小区，未变 0 个小区，拒绝 2 行" in result.output
    assert estate("达明新村").kind is None and estate("建设路小区").kind == "房改房"
    assert db.session.scalar(select(func.count()).select_from(Estate)) == 3  # none created


def test_a_row_with_impossible_values_writes_nothing_of_itself(write_csv, run):
    path = write_csv([ESTATE_HEADER, estate_row(小区类型="别墅", 户数="-5", 物业公司="新物业")])
    result = run("estates", path)
    assert "第 2 行：小区类型“别墅”：无法识别" in result.output and "户数“-5”：不能为负数" in result.output
    damin = estate("达明新村")
    assert basics_of(damin, "kind", "population", "property_company", "basics_version") == (
        None, None, None, 0)
    assert db.session.scalar(select(func.count()).select_from(PropertyCompany)) == 0


def test_dry_run_reports_what_it_would_do_and_writes_nothing(write_csv, run):
    result = run("estates", write_csv([ESTATE_HEADER, estate_row()]), "--dry-run")
    assert "将更新 1 个小区" in result.output and "试运行：数据库未作任何改动" in result.output
    assert estate("达明新村").kind is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_blank_cell_keeps_the_stored_value_and_the_same_list_again_changes_nothing(write_csv,
                                                                                    run):
    run("estates", write_csv([ESTATE_HEADER, estate_row()], name="first.csv"))
    again = run("estates", write_csv([ESTATE_HEADER, estate_row(户数="", 常住人口="—")],
                                     name="second.csv"))
    assert "更新 0 个小区，未变 1 个小区" in again.output
    assert basics_of(estate("达明新村"), "households", "population", "basics_version") == (
        640, 1820, 1)


def test_the_property_company_named_takes_the_estate_and_devices_hear_of_its_buildings(
        write_csv, run):
    damin, before = estate("达明新村"), last_change()
    result = run("estates", write_csv([ESTATE_HEADER, estate_row(物业公司="夏县安居物业服务有限公司")]))
    assert result.exit_code == 0, result.output
    assert estate("达明新村").property_company.name == "夏县安居物业服务有限公司"
    assert buildings_announced_since(before) == sorted(str(b.id) for b in damin.buildings)
    (entry,) = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "estate.basics_imported")).all()
    assert entry.details["changes"]["property_company"] == [None, "夏县安居物业服务有限公司"]


def test_a_temporary_estate_gets_no_property_company(write_csv, run):
    result = run("estates", write_csv([ESTATE_HEADER, estate_row(
        小区名称="城东社区零星楼栋", 小区类型="自建房", 物业公司="新物业")]))
    assert "第 2 行：零星楼栋组成的临时小区没有物业公司" in result.output
    assert basics_of(estate("城东社区零星楼栋"), "kind", "property_company") == (None, None)


def test_each_changed_estate_is_audited_with_its_row_and_changes(write_csv, run):
    run("estates", write_csv([ESTATE_HEADER, estate_row()], name="名单.csv"))
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity) for e in entries] == [("estate.import", "import"),
                                                        ("estate.basics_imported", "estate")]
    changed = entries[1]
    assert (changed.entity_id, changed.details["source"], changed.details["row"]) == (
        str(estate("达明新村").id), "名单.csv", 2)
    assert changed.details["changes"]["built_from"] == [None, 1985]
    assert changed.details["changes"]["land_area"] == [None, 30000.0]


def test_community_list_fills_the_community_basics(write_csv, run):
    result = run("communities", write_csv([COMMUNITY_HEADER, community_row()]))
    assert result.exit_code == 0, result.output
    assert "更新 1 个社区，未变 0 个社区，拒绝 0 行" in result.output
    community = db.session.scalar(select(Community).where(Community.name == "城东社区"))
    db.session.refresh(community)
    assert basics_of(community, "households", "population", "area", "contact_name",
                     "contact_phone", "basics_version") == (
        3691, 9833, 520000.0, "李卫东", "0359-8511087", 1)
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
        "community.import", "community.basics_imported"]


def test_a_community_name_shared_by_two_towns_needs_its_town(write_csv, run, make_community):
    make_community("城东社区", town_name="南大街街道")
    db.session.commit()
    header = [h for h in COMMUNITY_HEADER if h != "街道"]
    row = [v for h, v in zip(COMMUNITY_HEADER, community_row()) if h != "街道"]
    refused = run("communities", write_csv([header, row], name="no-town.csv"))
    assert "第 2 行：夏县有 2 个名为“城东社区”的社区，请在表中填写乡镇（街道）" in refused.output
    placed = run("communities", write_csv([header, row], name="town.csv"), "--town", "瑶峰镇")
    assert "更新 1 个社区" in placed.output, placed.output


def test_an_unknown_town_is_reported(write_csv, run):
    result = run("communities", write_csv([COMMUNITY_HEADER, community_row(街道="瑶峰")]))
    assert "第 2 行：夏县没有乡镇（街道）“瑶峰”，是否指“瑶峰镇”？" in result.output


def test_a_list_that_is_not_an_estate_list_stops_with_the_reason(write_csv, run):
    result = run("estates", write_csv([["姓名", "电话"], ["张三", "123"]]))
    assert result.exit_code != 0
    assert "找不到与列映射（小区基本情况表）相符的表头" in result.output


def test_the_building_import_moving_an_estate_to_a_company_announces_its_buildings(
        write_csv, app, make_county):
    make_county()
    db.session.commit()
    runner = app.test_cli_runner()
    runner.invoke(args=["buildings", "import",
                        str(write_csv([BUREAU_HEADER, bureau_row(物业公司="", 楼号="1#"),
                                       bureau_row(物业公司="", 楼号="2#")], name="a.csv"))])
    before = last_change()
    result = runner.invoke(args=["buildings", "import",
                                 str(write_csv([BUREAU_HEADER, bureau_row(楼号="1#")],
                                               name="b.csv"))])
    assert result.exit_code == 0, result.output
    moved = estate("达明新村")
    assert (moved.property_company.name, moved.basics_version) == ("夏县宏达物业", 1)
    # 2# too, which the file left out: its 物业公司 changed as well
    assert buildings_announced_since(before) == sorted(str(b.id) for b in moved.buildings)
