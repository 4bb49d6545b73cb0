"""The problem ledger (问题台账): one row per finding, scoped, filtered, and inert as data."""
import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import FindingPhoto, Rectification
from sync.china_time import china_today

URL = "/desk/exports/finding-ledger"
HEADER = ["序号", "街道/镇", "社区", "小区", "楼栋", "指标项", "检查项", "位置", "问题描述", "问题程度",
          "治理难度", "问题分类", "整改责任单位", "整改建议", "状态", "整改完成时限", "逾期天数",
          "整改完成日期", "照片数", "上报人", "上报时间"]
REPORTED = datetime(2024, 7, 1, 17, 30, tzinfo=UTC)  # 2 July, 01:30 in China


@pytest.fixture
def estate(make_community, make_estate):
    return make_estate(name="达明新村", community=make_community("城东社区"))


@pytest.fixture
def late_finding(estate, make_building, make_finding, make_user):
    """A stair defect under rectification, five days past its deadline: two evidence photos,
    two rectification reports (the latter with an after-photo)."""
    author = make_user(Role.WORKER, communities=[estate.community])
    finding = make_finding(
        make_building(estate=estate, number="3#"), status="rectifying", author=author,
        description="二楼至三楼踏步破损", unit="2单元", floor=3, location_detail="东侧楼梯",
        difficulty="一般", deadline=china_today() - timedelta(days=5), created_at=REPORTED,
        photos=["a" * 64, "b" * 64])
    for day in (date(2024, 8, 1), date(2024, 8, 9)):
        report = Rectification(uuid=str(uuid.uuid4()), finding=finding, author_id=author.id,
                               rectified_on=day)
        db.session.add(report)
    db.session.flush()
    db.session.add(FindingPhoto(finding_id=finding.id, rectification_id=report.id,
                                sha256="c" * 64))
    db.session.commit()
    return finding


def sheet_rows(response):
    assert response.status_code == 200, response.data[:300]
    workbook = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def csv_rows(response):
    assert response.status_code == 200, response.data[:300]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_ledger_has_its_columns_and_one_row_per_finding_with_exact_values(
        sign_in, reviewer, late_finding):
    rows = sheet_rows(sign_in(reviewer).get(f"{URL}.xlsx"))
    assert rows[0][0] == "夏县2024年城市体检问题台账"
    assert rows[1] == HEADER
    deadline = datetime.combine(late_finding.deadline, datetime.min.time())
    assert rows[2] == [1, "瑶峰镇", "城东社区", "达明新村", "3#",
                       "3.存在楼道安全隐患的住宅数量（栋）", "楼梯踏步损坏", "2单元 3层 东侧楼梯",
                       "二楼至三楼踏步破损", "严重", "一般", "限时解决", "物业公司", "修补破损踏步",
                       "整改中", deadline, 5, datetime(2024, 8, 9), 2, "测试用户",
                       "2024-07-02 01:30"]
    assert len(rows) == 3


def test_csv_ledger_starts_with_the_bom_and_reads_as_utf8(sign_in, reviewer, late_finding):
    response = sign_in(reviewer).get(f"{URL}.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, row = csv_rows(response)
    assert header == HEADER
    assert row[1:5] == ["瑶峰镇", "城东社区", "达明新村", "3#"]
    assert row[16:] == ["5", "2024-08-09", "2", "测试用户", "2024-07-02 01:30"]


def test_overdue_days_are_empty_when_the_deadline_is_not_past(
        sign_in, reviewer, make_building, make_finding):
    make_finding(make_building(), status="rectifying", deadline=china_today())
    assert csv_rows(sign_in(reviewer).get(f"{URL}.csv"))[1][16] == ""


def test_returned_findings_are_left_out_and_pending_ones_listed(
        sign_in, reviewer, make_building, make_finding):
    make_finding(make_building(number="1#"), status="returned")
    make_finding(make_building(number="2#"), status="pending")
    rows = csv_rows(sign_in(reviewer).get(f"{URL}.csv"))[1:]
    assert [(row[4], row[14]) for row in rows] == [("2#", "待审核")]


def test_buildings_are_in_natural_order(sign_in, reviewer, estate, make_building, make_finding):
    for number in ("10#", "2#", "甲楼", "1#"):
        make_finding(make_building(estate=estate, number=number))
    rows = csv_rows(sign_in(reviewer).get(f"{URL}.csv"))[1:]
    assert [row[4] for row in rows] == ["1#", "2#", "10#", "甲楼"]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]


def test_worker_of_another_community_sees_none_of_it(
        sign_in, make_user, make_community, late_finding):
    outsider = make_user(Role.WORKER, communities=[make_community("城西社区")])
    assert csv_rows(sign_in(outsider).get(f"{URL}.csv")) == [HEADER]


def test_reviewer_of_another_county_sees_none_of_it(
        sign_in, make_county, make_community, make_user, late_finding):
    make_community("别县社区", county=make_county("闻喜县", "140823"))
    other = make_user(Role.REVIEWER)
    other.county = make_county("闻喜县", "140823")
    db.session.commit()
    assert csv_rows(sign_in(other).get(f"{URL}.csv")) == [HEADER]


def test_community_filter_keeps_that_community(
        sign_in, reviewer, make_building, make_finding, late_finding):
    make_finding(make_building(number="8#"))
    rows = csv_rows(sign_in(reviewer).get(
        f"{URL}.csv?community={late_finding.building.estate.community_id}"))[1:]
    assert [row[4] for row in rows] == ["3#"]


def test_responsible_unit_filter_matches_exactly(
        sign_in, reviewer, make_building, make_finding):
    make_finding(make_building(number="1#"), responsible_unit="燃气公司")
    make_finding(make_building(number="2#"), responsible_unit="燃气公司（县城）")
    make_finding(make_building(number="3#"))
    rows = csv_rows(sign_in(reviewer).get(f"{URL}.csv?responsible_unit=燃气公司"))[1:]
    assert [(row[4], row[12]) for row in rows] == [("1#", "燃气公司")]


def test_overdue_state_keeps_only_findings_past_their_deadline(
        sign_in, reviewer, make_building, make_finding, late_finding):
    make_finding(make_building(number="5#"), status="rectifying",
                 deadline=china_today() + timedelta(days=3))
    make_finding(make_building(number="6#"), status="rectified",
                 deadline=china_today() - timedelta(days=3))
    rows = csv_rows(sign_in(reviewer).get(f"{URL}.csv?state=overdue"))[1:]
    assert [(row[4], row[16]) for row in rows] == [("3#", "5")]


def test_unknown_state_is_a_400_page_naming_the_filter(sign_in, reviewer):
    response = sign_in(reviewer).get(f"{URL}.xlsx?state=late")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "类别" in page and "overdue" in page


def test_too_long_responsible_unit_is_a_400_page(sign_in, reviewer):
    response = sign_in(reviewer).get(f"{URL}.csv?responsible_unit={'单' * 61}")
    assert response.status_code == 400
    assert "整改责任单位" in response.get_data(as_text=True)


def test_formula_like_text_stays_text_in_xlsx(sign_in, reviewer, make_building, make_finding):
    formula = '=HYPERLINK("http://evil.example/","点击")'
    make_finding(make_building(), description=formula)
    response = sign_in(reviewer).get(f"{URL}.xlsx")
    cell = load_workbook(io.BytesIO(response.data)).active.cell(row=3, column=9)
    assert (cell.value, cell.data_type) == (formula, "s")


def test_formula_like_text_is_made_inert_in_csv(sign_in, reviewer, make_building, make_finding):
    make_finding(make_building(), description="=1+2", suggestion="@SUM(A1)",
                 responsible_unit="-物业")
    row = csv_rows(sign_in(reviewer).get(f"{URL}.csv"))[1]
    assert (row[8], row[12], row[13]) == ("'=1+2", "'-物业", "'@SUM(A1)")


def test_markup_is_plain_text_in_the_file(sign_in, reviewer, make_building, make_finding):
    make_finding(make_building(), description="<script>alert(1)</script>")
    client = sign_in(reviewer)
    assert csv_rows(client.get(f"{URL}.csv"))[1][8] == "<script>alert(1)</script>"
    response = client.get(f"{URL}.xlsx")
    assert sheet_rows(response)[2][8] == "<script>alert(1)</script>"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_exports_page_offers_the_ledger_and_its_filters(sign_in, reviewer):
    page = sign_in(reviewer).get("/desk/exports/").get_data(as_text=True)
    assert "问题台账" in page and 'name="responsible_unit"' in page
    assert "除“已退回”外" in page
