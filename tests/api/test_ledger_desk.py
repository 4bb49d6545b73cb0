"""The ledgers: the counting rule in SQL agrees with the rule in Python, the matrix, the
indicator table with its drill-down, and one building's file (一楼一档)."""
from datetime import date, datetime, timezone

import pytest

from server.accounts.models import Role
from server.appraisals.findings import follow_appraisal
from server.appraisals.models import Appraisal
from server.extensions import db
from server.catalog import indicator_system
from server.ledger.operations import indicator_statuses
from server.ledger.tables import building_matrix
from sync.counting import CLEAR, COUNTS, NOT_SURVEYED, PENDING


def at(day: int, hour: int = 9):
    return datetime(2024, 7, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def appraise(survey_round, make_user):
    def add(building, indicator, hazard, on):
        agency = make_user(Role.AGENCY)
        appraisal = Appraisal(building_id=building.id, round_id=survey_round.id,
                              indicator=indicator, agency_id=agency.agency_id,
                              author_id=agency.id,
                              conclusion="hazard" if hazard else "no_hazard", appraised_on=on)
        db.session.add(appraisal)
        db.session.flush()
        follow_appraisal(appraisal)
        db.session.commit()
    return add


@pytest.fixture
def county_scenarios(make_estate, make_building, make_finding, appraise):
    """Buildings covering each branch of the counting rule, for indicators 1 and 3."""
    estate = make_estate(name="达明新村")
    b = {name: make_building(estate=estate, number=f"{n}#")
         for n, name in enumerate(["later_clear", "confirmed", "appraised", "untimed",
                                   "nothing", "two_appraisals"], 1)}
    make_finding(b["later_clear"], captured_at=at(1), counts=True)
    make_finding(b["later_clear"], captured_at=at(2), counts=False, status="returned")
    make_finding(b["confirmed"], captured_at=at(1), status="accepted")
    make_finding(b["confirmed"], captured_at=at(3), counts=False, status="returned")
    make_finding(b["appraised"], indicator=1, check_item="承重构件贯通裂缝", counts=True)
    appraise(b["appraised"], 1, False, date(2024, 6, 1))
    make_finding(b["untimed"], captured_at=at(1), counts=True)
    make_finding(b["untimed"], captured_at=None, counts=False)
    appraise(b["two_appraisals"], 1, False, date(2024, 5, 1))
    appraise(b["two_appraisals"], 1, True, date(2024, 6, 1))
    return estate, b


def states_in_sql(reviewer, survey_round, estate) -> dict:
    matrix = building_matrix(reviewer, survey_round, estate_id=estate.id)
    return {(b, n): state for b, per in matrix["statuses"].items() for n, state in per.items()}


def test_the_rule_in_sql_agrees_with_the_rule_in_python(survey_round, county_scenarios,
                                                        reviewer):
    estate, buildings = county_scenarios
    in_sql = states_in_sql(reviewer, survey_round, estate)
    system = indicator_system(survey_round.system)
    for building in buildings.values():
        for status in indicator_statuses(building, survey_round, system):
            assert in_sql[(building.id, status["indicator"])] == status["state"], \
                (building.number, status)


def test_the_counting_rule_branches_as_expected(survey_round, county_scenarios, reviewer):
    estate, b = county_scenarios
    in_sql = states_in_sql(reviewer, survey_round, estate)
    assert in_sql[(b["later_clear"].id, 3)] == PENDING  # a returned problem counts nowhere
    assert in_sql[(b["confirmed"].id, 3)] == COUNTS
    assert in_sql[(b["appraised"].id, 1)] == PENDING  # undecided whatever the appraisal says
    assert in_sql[(b["untimed"].id, 3)] == PENDING
    assert in_sql[(b["two_appraisals"].id, 1)] == COUNTS  # the later one found a hazard
    assert in_sql[(b["two_appraisals"].id, 3)] == NOT_SURVEYED
    assert in_sql[(b["nothing"].id, 3)] == NOT_SURVEYED


def test_a_superseding_appraisal_without_a_hazard_withdraws_the_earlier_ones_finding(
        survey_round, make_estate, make_building, appraise, reviewer):
    estate = make_estate(name="康乐小区")
    building = make_building(estate=estate, number="9#")
    appraise(building, 1, True, date(2024, 5, 1))
    assert states_in_sql(reviewer, survey_round, estate)[(building.id, 1)] == COUNTS
    appraise(building, 1, False, date(2024, 6, 1))
    assert states_in_sql(reviewer, survey_round, estate)[(building.id, 1)] == CLEAR


def test_indicator_table_counts_buildings_and_each_number_opens_them(
        sign_in, reviewer, county_scenarios):
    estate, _ = county_scenarios
    client = sign_in(reviewer)
    table = client.get("/desk/ledger/indicators?level=estate").get_data(as_text=True)
    drill = f"/desk/ledger/indicators/3/buildings?round=2024&amp;level=estate&amp;id={estate.id}"
    assert f'href="{drill}">1</a>' in table  # only the confirmed building counts
    assert f'href="{drill}&amp;state=pending">待审核 2</a>' in table  # later_clear, untimed
    listed = client.get(drill.replace("&amp;", "&")).get_data(as_text=True)
    assert "计入指标共 1 栋" in listed and ">2#<" in listed
    pending = client.get(drill.replace("&amp;", "&") + "&state=pending").get_data(as_text=True)
    assert "待审核共 2 栋" in pending and ">1#<" in pending and ">4#<" in pending


def test_each_building_behind_a_number_shows_its_findings_and_photos(
        sign_in, reviewer, make_estate, make_building, make_finding):
    estate = make_estate(name="康乐小区")
    building = make_building(estate=estate, number="7#")
    finding = make_finding(building, status="accepted", check_item="楼梯踏步损坏",
                           photos=["ab" * 32])
    listed = sign_in(reviewer).get(f"/desk/ledger/indicators/3/buildings?level=estate"
                                   f"&id={estate.id}").get_data(as_text=True)
    assert f'data-finding="{finding.uuid}"' in listed and "楼梯踏步损坏" in listed
    assert f"/desk/review/findings/{finding.uuid}" in listed
    assert "/photos/" + "ab" * 32 in listed


def test_indicator_table_refuses_an_unknown_level(sign_in, reviewer):
    page = sign_in(reviewer).get("/desk/ledger/indicators?level=galaxy")
    assert page.status_code == 400 and "汇总层级" in page.get_data(as_text=True)


def test_estate_matrix_shows_each_buildings_status(sign_in, reviewer, county_scenarios):
    estate, _ = county_scenarios
    text = sign_in(reviewer).get(f"/desk/ledger/estates/{estate.id}").get_data(as_text=True)
    assert text.count('class="state-counts"') == 2  # confirmed 3, two appraisals 1
    assert text.count('class="state-pending"') == 3  # later_clear 3, appraised 1, untimed 3


def test_community_matrix_is_out_of_reach_of_another_communitys_worker(
        sign_in, make_user, make_community, county_scenarios):
    estate, _ = county_scenarios
    outsider = make_user(Role.WORKER, communities=[make_community("别处")])
    page = sign_in(outsider).get(f"/desk/ledger/communities/{estate.community_id}")
    assert page.status_code == 404


def test_building_file_shows_every_observation_including_conflicting_ones(
        sign_in, reviewer, county_scenarios):
    _, b = county_scenarios
    text = sign_in(reviewer).get(f"/desk/buildings/{b['later_clear'].id}").get_data(as_text=True)
    assert "一楼一档" in text
    assert text.count("存在问题</td>") >= 1 and "未发现问题</td>" in text
    assert "多次调查结论不一致" in text


def test_building_file_escapes_field_text(sign_in, reviewer, make_building, make_finding):
    building = make_building()
    make_finding(building, description="<img src=x onerror=alert(1)>")
    text = sign_in(reviewer).get(f"/desk/buildings/{building.id}").get_data(as_text=True)
    assert "<img src=x" not in text and "&lt;img src=x" in text


def test_reviewer_goes_from_a_pending_figure_to_the_finding_and_decides(
        client, sign_in, csrf_from, reviewer, make_building, make_finding):
    import re
    building = make_building(number="8#")
    finding = make_finding(building, description="扶手松动")
    sign_in(reviewer)

    def follow(url, pattern):
        text = client.get(url).get_data(as_text=True)
        return re.search(pattern, text).group(1).replace("&amp;", "&")

    drill = follow("/desk/ledger/indicators?level=county",
                   r'href="(/desk/ledger/indicators/3/buildings\?[^"]+state=pending)">待审核 1</a>')
    building_page = follow(drill, r'href="(/desk/buildings/\d+[^"]*)">8#</a>')
    finding_page = follow(building_page, r'href="(/desk/review/findings/[^"]+)">楼梯踏步损坏</a>')
    assert "扶手松动" in client.get(finding_page).get_data(as_text=True)
    version = follow(finding_page, r'name="version" value="([^"]+)"')
    response = client.post(f"{finding_page}/decision", data={
        "decision": "accept", "version": version, "csrf_token": csrf_from(finding_page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(finding), finding.id).status == "accepted"


def test_the_buildings_behind_a_number_take_the_same_queries_for_3_or_30_estates(
        app, sign_in, reviewer, make_estate, make_building, make_finding, make_community):
    from sqlalchemy import event

    def queries_for(count: int) -> int:
        community = make_community(f"样本社区{count}")
        for number in range(count):
            estate = make_estate(name=f"样本小区{count}-{number}", community=community)
            make_finding(make_building(estate=estate, number="1#"), status="accepted")
        client, community_id = sign_in(reviewer), community.id
        db.session.expunge_all()  # the request loads what it shows, as in production
        seen = []
        note = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            page = client.get(f"/desk/ledger/indicators/3/buildings?level=community"
                              f"&id={community_id}")
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert page.status_code == 200 and f"共 {count} 栋" in page.get_data(as_text=True)
        return sum(statement.lstrip().upper().startswith("SELECT") for statement in seen)

    few = queries_for(3)
    assert queries_for(30) == few


@pytest.mark.parametrize("level", ["estate", "community", "town", "county"])
def test_a_drill_down_into_a_unit_out_of_scope_names_nothing(sign_in, make_user, make_estate,
                                                             make_building, make_community,
                                                             make_county, survey_round, level):
    elsewhere = make_community("外县社区", town_name="外县镇", county=make_county("外县", "999999"))
    foreign = make_estate(name="外县小区", community=elsewhere)
    make_building(estate=foreign, number="1#")
    unit = {"estate": foreign.id, "community": elsewhere.id, "town": elsewhere.town_id,
            "county": elsewhere.town.county_id}[level]
    reviewer = make_user(Role.REVIEWER)  # of 夏县
    response = sign_in(reviewer).get(f"/desk/ledger/indicators/3/buildings?level={level}"
                                     f"&id={unit}")
    assert response.status_code == 404
    assert "外县" not in response.get_data(as_text=True)
