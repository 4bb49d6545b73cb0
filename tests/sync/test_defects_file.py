"""Reading a property company's defects list, and the operation each row becomes."""
from datetime import datetime

import pytest

from sync.defects_file import (BuildingRef, DefectRow, DefectsFileError, IndicatorCatalogue,
                               operation_id, photo_paths, read_defects, row_digest, to_operation)

HEADER = ["编号", "小区", "楼号", "指标", "检查项", "单元", "楼层", "位置", "问题描述", "照片", "发现时间"]
ROW = ["WX-001", "达明新村", "3#", "管线管道", "给水管道跑冒滴漏", "2", "3", "厨房立管",
       "立管接口渗水", "a.jpg；b.jpg", "2024-07-01 09:30"]
SCOPE = "company:7"


@pytest.fixture(scope="module")
def indicators():
    return IndicatorCatalogue.load("2024")


def only_row(parsed):
    assert parsed.problems == []
    [row] = parsed.rows
    return row


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_is_read_in_utf8_utf8_with_bom_and_gbk(write_csv, indicators, encoding):
    row = only_row(read_defects(write_csv([HEADER, ROW], encoding), indicators))
    assert (row.key, row.indicator) == ("WX-001", 6)
    assert row.building == BuildingRef(estate="达明新村", number="3#")
    assert (row.check_item, row.unit, row.floor) == ("给水管道跑冒滴漏", "2单元", 3)
    assert (row.location_detail, row.description) == ("厨房立管", "立管接口渗水")
    assert row.photo_names == ("a.jpg", "b.jpg")
    assert row.captured_at == "2024-07-01T09:30:00+08:00"


def test_xlsx_is_read_with_typed_cells(write_xlsx, indicators):
    cells = [*ROW[:5], 2, 3, *ROW[7:10], datetime(2024, 7, 1, 9, 30)]
    row = only_row(read_defects(write_xlsx([HEADER, cells]), indicators))
    assert (row.unit, row.floor, row.captured_at) == ("2单元", 3, "2024-07-01T09:30:00+08:00")


def test_header_may_sit_below_a_title_row(write_xlsx, indicators):
    parsed = read_defects(write_xlsx([["禹都物业 2024 年 7 月问题清单"], HEADER, ROW]), indicators)
    assert parsed.header_row == 2 and only_row(parsed).row_number == 3


def test_unknown_columns_are_listed_not_used(write_csv, indicators):
    parsed = read_defects(write_csv([[*HEADER, "备注"], [*ROW, "已通知业主"]]), indicators)
    assert parsed.unused_headers == ["备注"]


@pytest.mark.parametrize("text", ["6", "指标6", "管线管道", "存在管线管道破损的住宅数量（栋）", "管线管道破损"])
def test_indicator_is_read_from_its_number_or_name(write_csv, indicators, text):
    row = only_row(read_defects(write_csv([HEADER, [*ROW[:3], text, *ROW[4:]]]), indicators))
    assert row.indicator == 6


def test_indicator_is_inferred_from_the_check_item_when_the_column_is_missing(write_csv, indicators):
    header = [h for h in HEADER if h != "指标"]
    cells = [c for i, c in enumerate(ROW) if i != 3]
    row = only_row(read_defects(write_csv([header, cells]), indicators))
    assert row.indicator == 6


@pytest.mark.parametrize("header, value", [("楼栋", "达明新村3号楼"), ("楼栋编码", "140828-0001"),
                                           ("楼栋ID", "12")])
def test_building_may_be_named_by_label_code_or_id(write_csv, indicators, header, value):
    row = only_row(read_defects(write_csv([[header, "指标", "检查项"], [value, "6", "供水不足"]]), indicators))
    expected = {"楼栋": BuildingRef(label=value), "楼栋编码": BuildingRef(code=value),
                "楼栋ID": BuildingRef(building_id=12)}[header]
    assert row.building == expected


def test_invalid_rows_are_reported_with_their_row_number_and_every_reason(write_csv, indicators):
    rows = [HEADER, ROW, ["WX-002", "达明新村", "", "第十一项", "", "", "三楼", "", "", "", "昨天"]]
    parsed = read_defects(write_csv(rows), indicators)
    [problem] = parsed.problems
    assert problem.row_number == 3
    assert len(problem.reasons) == 5  # building, indicator, check item, floor, time
    assert any("楼层“三楼”" in reason for reason in problem.reasons)
    assert len(parsed.rows) == 1


def test_repeated_company_key_is_a_problem_of_the_later_row(write_csv, indicators):
    parsed = read_defects(write_csv([HEADER, ROW, ROW]), indicators)
    assert [p.row_number for p in parsed.problems] == [3]
    assert "与第 2 行重复" in parsed.problems[0].reasons[0]


def test_blank_rows_are_skipped(write_csv, indicators):
    parsed = read_defects(write_csv([HEADER, ROW, [""] * len(HEADER)]), indicators)
    assert len(parsed.rows) == 1 and parsed.problems == []


@pytest.mark.parametrize("text, floor", [("3", 3), ("3层", 3), ("-1", -1), ("地下1层", -1), ("B2", -2)])
def test_floor_forms(write_csv, indicators, text, floor):
    row = only_row(read_defects(write_csv([HEADER, [*ROW[:6], text, *ROW[7:]]]), indicators))
    assert row.floor == floor


@pytest.mark.parametrize("text, expected", [
    ("2024/7/1 9:30", "2024-07-01T09:30:00+08:00"),
    ("2024年7月1日", "2024-07-01T00:00:00+08:00"),
    ("2024-07-01T01:30:00Z", "2024-07-01T01:30:00+00:00"),
    ("2024-07-01 09:30:15+08:00", "2024-07-01T09:30:15+08:00"),
])
def test_discovery_time_keeps_its_zone_or_is_taken_as_utc8(write_csv, indicators, text, expected):
    row = only_row(read_defects(write_csv([HEADER, [*ROW[:10], text]]), indicators))
    assert row.captured_at == expected


def test_file_without_a_building_column_is_refused_as_a_whole(write_csv, indicators):
    with pytest.raises(DefectsFileError, match="确定楼栋"):
        read_defects(write_csv([["指标", "检查项"], ["6", "供水不足"]]), indicators)


def test_file_without_a_recognisable_header_is_refused(write_csv, indicators):
    with pytest.raises(DefectsFileError, match="找不到表头"):
        read_defects(write_csv([["a", "b"], ["1", "2"]]), indicators)


def make_row(row_number=2, **changes):
    values = dict(row_number=row_number, key=None, building=BuildingRef(estate="达明新村", number="3#"),
                  indicator=6, check_item="给水管道跑冒滴漏", description="立管接口渗水")
    return DefectRow(**(values | changes))


def test_operation_id_with_a_company_key_survives_edits_of_the_row():
    assert operation_id(SCOPE, make_row(key="WX-1")) == \
        operation_id(SCOPE, make_row(key="WX-1", description="改过的描述", row_number=9))


def test_operation_id_without_a_key_follows_content_not_position():
    assert operation_id(SCOPE, make_row(row_number=2)) == operation_id(SCOPE, make_row(row_number=40))
    assert operation_id(SCOPE, make_row()) != operation_id(SCOPE, make_row(description="另一处渗水"))


def test_operation_id_ignores_spacing_and_full_width_forms():
    assert operation_id(SCOPE, make_row(description="立管 接口渗水")) == \
        operation_id(SCOPE, make_row(description="立管接口渗水 "))
    assert operation_id(SCOPE, make_row(key="ＷＸ－1")) == operation_id(SCOPE, make_row(key="WX-1"))


def test_same_company_key_of_two_companies_gives_two_ids():
    assert operation_id("company:7", make_row(key="1")) != operation_id("company:8", make_row(key="1"))


def test_digest_changes_with_a_photo_but_not_with_the_row_position():
    assert row_digest(make_row(), ["a" * 64]) == row_digest(make_row(row_number=7), ["a" * 64])
    assert row_digest(make_row(), ["a" * 64]) != row_digest(make_row(), ["b" * 64])


def test_row_becomes_a_finding_report_operation():
    row = make_row(unit="2单元", floor=3, captured_at="2024-07-01T09:30:00+08:00")
    assert to_operation("op-1", row, 12, ["a" * 64]) == {
        "op": "finding.report", "id": "op-1", "building_id": 12, "indicator": 6,
        "check_item": "给水管道跑冒滴漏", "photos": ["a" * 64], "unit": "2单元", "floor": 3,
        "description": "立管接口渗水", "captured_at": "2024-07-01T09:30:00+08:00"}


def test_photo_missing_from_the_folder_is_a_problem(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"x")
    paths, problems = photo_paths(make_row(photo_names=("a.jpg", "b.jpg")), tmp_path)
    assert paths == [(tmp_path / "a.jpg").resolve()] and problems == ["照片目录中没有“b.jpg”"]


def test_photo_outside_the_folder_is_refused(tmp_path):
    (tmp_path / "secret.jpg").write_bytes(b"x")
    (tmp_path / "photos").mkdir()
    _, problems = photo_paths(make_row(photo_names=("../secret.jpg",)), tmp_path / "photos")
    assert problems == ["照片“../secret.jpg”不在照片目录内"]
