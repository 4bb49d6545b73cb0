"""The standard exports: template columns, correct Chinese, XLSX that opens, CSV with a BOM."""
import csv
import threading
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from server.accounts.models import Role
from server.extensions import db


@pytest.fixture
def stairwell_problems(make_estate, make_building, make_finding):
    """Three buildings of 达明新村 with broken stair steps, confirmed; one still pending."""
    estate = make_estate(name="达明新村")
    for number in ("7#", "1#", "4#"):
        make_finding(make_building(estate=estate, number=number), status="accepted",
                     responsible_unit="物业公司", difficulty="一般")
    make_finding(make_building(estate=estate, number="9#"), status="pending")
    return estate


def sheet_rows(response, sheet: str | None = None):
    assert response.status_code == 200, response.data[:300]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    chosen = workbook[sheet] if sheet else workbook.active
    return [list(row) for row in chosen.iter_rows(values_only=True)]


def community_sheet(workbook_bytes, community: str):
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    return workbook[community]


def test_problem_list_has_a_sheet_per_community_in_the_manuals_layout(
        sign_in, reviewer, stairwell_problems):
    response = sign_in(reviewer).get("/desk/exports/problems.xlsx")
    community = stairwell_problems.community.name
    assert load_workbook(io.BytesIO(response.data)).sheetnames == [community, "汇总"]
    rows = sheet_rows(response, community)
    assert "住房维度体检问题清单" in rows[0][0] and community in rows[0][0]
    assert rows[1] == ["序号", "指标项", "体检结果(栋)", "存在问题", "问题程度", "治理难度", "问题分类"]
    assert rows[2] == [1, "存在楼道安全隐患的住宅数量（栋）", 3,
                       "（1）共3栋住宅存在楼梯踏步损坏，为达明新村1号楼、4号楼、7号楼。",
                       "较严重", "低", "限时解决"]
    assert len(rows) == 3  # the pending 9# is not a listed problem


def test_an_indicator_spans_its_numbered_items(sign_in, reviewer, stairwell_problems,
                                               make_building, make_finding):
    make_finding(make_building(estate=stairwell_problems, number="2#"), status="rectifying",
                 check_item="楼道照明损坏", severity="一般", problem_class="尽力解决")
    response = sign_in(reviewer).get("/desk/exports/problems.xlsx")
    sheet = community_sheet(response.data, stairwell_problems.community.name)
    assert [sheet.cell(row, 4).value[:3] for row in (3, 4)] == ["（1）", "（2）"]
    assert sheet.cell(3, 3).value == 4  # the buildings that count, not the items added up
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:G1", "A3:A4", "B3:B4", "C3:C4"}


def test_a_closed_problem_stays_in_the_list_marked(sign_in, reviewer, stairwell_problems,
                                                    make_building, make_finding):
    make_finding(make_building(estate=stairwell_problems, number="3#"), status="verified")
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/problems.xlsx"),
                      stairwell_problems.community.name)
    assert rows[2][2] == 4 and "3号楼（已销项）" in rows[2][3]


def test_xlsx_prints_on_landscape_pages_with_the_header_repeated(sign_in, reviewer,
                                                                   stairwell_problems):
    response = sign_in(reviewer).get("/desk/exports/problems.xlsx")
    sheet = community_sheet(response.data, stairwell_problems.community.name)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2" and sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["D"].width == 70  # 存在问题: sentences


def test_suggestion_list_has_the_template_columns_and_names_the_responsible_unit(
        sign_in, reviewer, stairwell_problems):
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/suggestions.xlsx"),
                      stairwell_problems.community.name)
    assert rows[1] == ["序号", "问题涉及的指标项", "指标结果(栋)", "存在问题", "整治建议", "整治区域",
                       "整治类型", "责任单位", "整治优先级", "是否纳入下一年度计划"]
    _, _, count, problem, suggestion, area, kind, unit, priority, planned = rows[2]
    assert (count, problem, suggestion, area, kind) == (
        3, "（1）楼梯踏步损坏", "修补破损踏步", "达明新村", "限时解决")
    assert unit == f"{stairwell_problems.community.name}社区（达明新村无物业服务企业）、瑶峰镇"
    assert (priority, planned) == ("中", "是")


def test_a_communitys_list_is_titled_and_named_for_it(sign_in, reviewer, stairwell_problems):
    community = stairwell_problems.community
    response = sign_in(reviewer).get(f"/desk/exports/problems.xlsx?community={community.id}")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [community.name]
    assert f"{community.name}社区" in workbook.active["A1"].value
    assert quote(f"{community.name}社区") in response.headers["Content-Disposition"]


def test_an_unknown_community_is_refused_before_a_byte_is_written(sign_in, reviewer,
                                                                   stairwell_problems):
    response = sign_in(reviewer).get("/desk/exports/problems.xlsx?community=999999")
    assert response.status_code == 404 and "找不到该社区" in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_csv_export_starts_with_the_utf8_bom_and_names_the_community(sign_in, reviewer,
                                                                       stairwell_problems):
    response = sign_in(reviewer).get("/desk/exports/problems.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["街道/镇", "社区", "序号", "指标项", "体检结果(栋)", "存在问题"]
    assert rows[1][1] == stairwell_problems.community.name
    assert rows[1][5] == "（1）共3栋住宅存在楼梯踏步损坏，为达明新村1号楼、4号楼、7号楼。"


def test_building_ledger_distinguishes_the_five_states(sign_in, reviewer, stairwell_problems,
                                                       make_building):
    make_building(estate=stairwell_problems, number="11#", gas_supply="none")
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/building-ledger.xlsx"))
    header = rows[1]
    assert header[:5] == ["序号", "街道/镇", "社区", "小区", "楼号"]
    assert {"地下层数", "建筑面积(㎡)", "抗震加固", "安全鉴定", "指标1初筛", "经度", "纬度"} <= set(header)
    assert "3.楼道安全" in header and header[-1] == "计入指标数"
    by_number = {row[4]: row for row in rows[2:]}
    assert set(by_number) == {"1#", "4#", "7#", "9#", "11#"}
    stairs, gas = header.index("3.楼道安全"), header.index("2.燃气安全")
    assert by_number["1#"][stairs] == "是" and by_number["9#"][stairs] == "待审核"
    assert by_number["11#"][stairs] == "未调查" and by_number["11#"][gas] == "不适用"


def test_estate_table_groups_by_community_and_never_prints_0_for_not_surveyed(
        sign_in, reviewer, stairwell_problems):
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/estate-indicators.xlsx"))
    header = rows[1]
    assert header[:10] == ["序号", "街道/镇", "社区", "小区", "小区类型", "建成年代", "户数", "常住人口",
                           "物业公司", "楼栋数"]
    estate = rows[2]
    assert estate[3] == "达明新村" and estate[header.index("楼栋数")] == 4
    assert estate[header.index("存在楼道安全隐患的住宅数量（栋）")] == 3
    assert estate[header.index("存在使用安全隐患的住宅数量（栋）")] == "未调查"
    assert rows[3][3] == "合计"


def test_estate_table_carries_each_estates_basics(sign_in, reviewer, stairwell_problems):
    estate = stairwell_problems
    estate.kind, estate.built_from, estate.built_to = "房改房", 1985, 1992
    estate.households, estate.population = 640, 1820
    db.session.commit()
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/estate-indicators.xlsx"))
    header, row = rows[1], dict(zip(rows[1], rows[2]))
    assert (row["小区类型"], row["建成年代"], row["户数"], row["常住人口"], row["物业公司"]) == \
        ("房改房", "1985—1992年", 640, 1820, "无物业")
    subtotal = dict(zip(header, rows[3]))
    assert (subtotal["户数"], subtotal["常住人口"]) == (640, 1820)


def test_county_table_shows_pending_and_coverage_beside_the_count(sign_in, reviewer,
                                                                  stairwell_problems):
    county_rows = sheet_rows(sign_in(reviewer).get("/desk/exports/county-indicators.xlsx"))
    assert county_rows[1][:11] == ["序号", "分类", "指标", "单位", "指标责任单位", "全县合计",
                                   "待审核(栋)", "已调查(栋)", "未调查(栋)", "不适用(栋)", "调查覆盖率"]
    stairwell = next(row for row in county_rows[2:] if row[0] == 3)
    assert stairwell[5:11] == [3, 1, 4, 0, 0, "100%"]


def test_county_table_names_who_owns_each_indicators_data(sign_in, reviewer, survey_round):
    county_rows = sheet_rows(sign_in(reviewer).get("/desk/exports/county-indicators.xlsx"))
    owners = {row[0]: row[4] for row in county_rows[2:] if isinstance(row[0], int)}
    assert owners[1] == "住建局" and owners[8] == "物业公司"  # 2024 plan, attachment 2


def test_completion_rate_is_exported_per_community_and_class(sign_in, reviewer,
                                                             stairwell_problems, make_building,
                                                             make_finding):
    make_finding(make_building(estate=stairwell_problems, number="3#"), status="verified")
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/completion.xlsx"))
    assert rows[1][-1] == "问题整治完成率"
    urgent = next(r for r in rows[2:] if r[1] == "全县" and r[2] == "限时解决")
    assert (urgent[3], urgent[-1]) == (4, "25.0%")


def test_unknown_export_is_a_400(sign_in, reviewer):
    assert sign_in(reviewer).get("/desk/exports/everything.pdf").status_code == 400


def test_export_is_streamed(sign_in, reviewer, stairwell_problems):
    response = sign_in(reviewer).get("/desk/exports/building-ledger.csv", buffered=False)
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()


def test_community_photo_zip_holds_untouched_originals_beside_stamped_copies(
        sign_in, reviewer, make_building, make_finding, make_user):
    import hashlib
    import zipfile
    from datetime import datetime, timezone

    from PIL import Image

    from server.extensions import db
    from server.photos.operations import receive_photo

    image, out = Image.new("RGB", (800, 600), (120, 140, 160)), io.BytesIO()
    image.save(out, "JPEG")
    data = out.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    building = make_building(number="3#")
    worker = make_user(Role.WORKER, communities=[building.estate.community])
    receive_photo(worker, sha, data, {"captured_at": datetime(2024, 7, 1, 1, tzinfo=timezone.utc),
                                      "latitude": 35.1, "longitude": 111.2})
    db.session.commit()
    make_finding(building, photos=[sha], author=worker)
    response = sign_in(reviewer).get(
        f"/desk/exports/photos/{building.estate.community_id}.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    originals = [n for n in archive.namelist() if n.startswith("原图/")]
    stamped = [n for n in archive.namelist() if n.startswith("标注/")]
    assert len(originals) == len(stamped) == 1 and "3#" in originals[0]
    assert hashlib.sha256(archive.read(originals[0])).hexdigest() == sha
    assert archive.read(stamped[0]) != data


def test_photo_zip_names_a_photo_missing_from_the_store_and_delivers_the_rest(
        sign_in, reviewer, make_building, make_finding, make_photo):
    import zipfile
    building = make_building(number="5#")
    lost = make_photo()  # known to the database, its bytes gone from the store
    make_finding(building, photos=[lost.sha256])
    response = sign_in(reviewer).get(f"/desk/exports/photos/{building.estate.community_id}.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["缺失照片.txt"]
    assert lost.sha256 in archive.read("缺失照片.txt").decode("utf-8")


def test_photo_zip_of_a_community_out_of_scope_is_refused(sign_in, make_user, make_community,
                                                          make_building):
    building = make_building()
    outsider = make_user(Role.WORKER, communities=[make_community("别处")])
    response = sign_in(outsider).get(f"/desk/exports/photos/{building.estate.community_id}.zip")
    assert response.status_code == 404


def test_a_control_character_in_field_text_does_not_break_the_xlsx(sign_in, reviewer,
                                                                   make_building, make_finding):
    make_finding(make_building(number="8#"), status="accepted", check_item="楼梯踏步损坏",
                 description="踏步\x0b破损")
    rows = sheet_rows(sign_in(reviewer).get("/desk/exports/finding-ledger.xlsx"))
    assert "踏步破损" in [cell for row in rows for cell in row]


def test_photo_zip_puts_after_photos_in_their_own_folders(sign_in, reviewer, make_building,
                                                         make_finding, make_user):
    import hashlib
    import uuid
    import zipfile

    from PIL import Image

    from server.extensions import db
    from server.findings.models import FindingPhoto, Rectification
    from server.photos.operations import receive_photo

    building = make_building(number="3#")
    worker = make_user(Role.WORKER, communities=[building.estate.community])

    def stored_photo(colour):
        out = io.BytesIO()
        Image.new("RGB", (800, 600), colour).save(out, "JPEG")
        sha = hashlib.sha256(out.getvalue()).hexdigest()
        receive_photo(worker, sha, out.getvalue(), {})
        db.session.commit()
        return sha

    evidence, after = stored_photo((120, 140, 160)), stored_photo((30, 200, 60))
    finding = make_finding(building, status="rectified", photos=[evidence], author=worker)
    db.session.add(Rectification(
        uuid=str(uuid.uuid4()), finding_id=finding.id, author_id=worker.id,
        photos=[FindingPhoto(finding_id=finding.id, sha256=after, position=0)]))
    db.session.commit()
    response = sign_in(reviewer).get(f"/desk/exports/photos/{building.estate.community_id}.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    [evidence_original] = [n for n in names if n.startswith("原图/")]
    assert evidence[:12] in evidence_original and "整改后" not in evidence_original
    [after_original] = [n for n in names if n.startswith("整改后/原图/")]
    [after_stamped] = [n for n in names if n.startswith("整改后/标注/")]
    assert after[:12] in after_original and "_整改后_" in after_original
    assert "_整改后_" in after_stamped
    assert len([n for n in names if n.startswith("标注/")]) == 1


def test_photo_zip_of_a_community_without_photos_is_a_desk_page_saying_so(
        sign_in, reviewer, make_building, make_finding):
    building = make_building(number="6#")
    make_finding(building)  # a finding, but no photo
    response = sign_in(reviewer).get(f"/desk/exports/photos/{building.estate.community_id}.zip")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "还没有问题照片" in response.get_data(as_text=True)


def test_photo_rows_read_in_small_batches_are_every_row_in_order_once(
        reviewer, make_community, make_estate, make_building, make_finding, make_photo):
    from server.exports.photo_zip import ORDER, community_photos, photo_rows
    from server.extensions import db

    community = make_community()
    estates = [make_estate(name=name, community=community) for name in ("乙小区", "甲小区")]
    for estate in estates:
        for number in ("2#", "1#"):
            building = make_building(estate=estate, number=number)
            make_finding(building, photos=[make_photo().sha256 for _ in range(3)])
    statement = community_photos(reviewer, estates[0].community_id)
    whole = db.session.execute(statement.order_by(*ORDER)).all()
    assert len(whole) == 12
    assert list(photo_rows(db.engine, statement, batch=5)) == whole
    assert list(photo_rows(db.engine, statement, batch=4)) == whole  # a batch ends on the last row


def test_desk_bench_downloads_the_photo_zip_of_the_community_with_most_photos(
        app, client, sign_in, reviewer, make_community, make_estate, make_building,
        make_finding, make_photo, monkeypatch):
    import hashlib

    from server.extensions import db
    from server.photos.operations import STORE_EXTENSION
    from tests.benchmarks import desk_bench

    def photo(n):  # hashes unlike in their first 12 digits, as real ones are
        return make_photo(sha=hashlib.sha256(bytes([n])).hexdigest()).sha256

    small, large = make_community("小社区"), make_community("大社区")
    make_finding(make_building(estate=make_estate(community=small)), photos=[photo(0)])
    make_finding(make_building(estate=make_estate(community=large)),
                 photos=[photo(n) for n in (1, 2, 3)])
    assert desk_bench.largest_photo_community(db.session) == (large.id, 3)
    monkeypatch.setitem(app.extensions, STORE_EXTENSION, desk_bench.OneImageStore())
    sign_in(reviewer)
    figures = desk_bench.download_photo_zip(client, large.id)
    original = len(app.extensions[STORE_EXTENSION].variants["original"])
    assert figures["photo_zip_mb"] * 1e6 > 3 * original  # three originals, three stamped copies


@pytest.mark.parametrize("kind", ["problems", "suggestions", "estate-indicators",
                                  "building-ledger", "completion", "county-indicators"])
def test_an_export_streams_after_the_requests_session_has_ended(app, reviewer,
                                                                 stairwell_problems, kind):
    """As under gunicorn: no app context outside the request, so the rows are read after the
    request's session is gone (a lazy load of anything the handler loaded fails then)."""
    done = []

    def download():
        client = app.test_client()
        with client.session_transaction() as session:
            session["user_id"], session["epoch"] = reviewer_id, epoch
        response = client.get(f"/desk/exports/{kind}.xlsx", buffered=False)
        done.append((response.status_code, b"".join(response.response)))
        response.close()

    reviewer_id, epoch = reviewer.id, reviewer.session_epoch
    db.session.commit()
    thread = threading.Thread(target=download)
    thread.start()
    thread.join()
    status, body = done[0]
    assert status == 200 and load_workbook(io.BytesIO(body)).sheetnames


def test_a_round_without_confirmed_problems_gives_lists_that_say_so(sign_in, reviewer,
                                                                    stairwell_problems,
                                                                    make_round):
    make_round(code="2025", is_current=False)
    db.session.commit()
    client = sign_in(reviewer)
    rows = sheet_rows(client.get("/desk/exports/problems.xlsx?round=2025"), "汇总")
    assert "2025" in rows[0][0] and rows[2][3].startswith("本轮尚无经审核确认的问题")
    community = stairwell_problems.community_id
    rows = sheet_rows(client.get(f"/desk/exports/suggestions.xlsx?round=2025&community={community}"))
    assert rows[2][3].startswith("本轮尚无经审核确认的问题")


def test_an_unknown_round_is_refused_before_a_byte_is_written(sign_in, reviewer):
    response = sign_in(reviewer).get("/desk/exports/problems.xlsx?round=1999")
    assert response.status_code == 404 and "找不到体检轮次 1999" in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers
