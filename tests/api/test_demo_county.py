"""The demo county: a plausible 夏县 · 瑶峰镇 from one command, safe to run twice. Its fieldwork
(slow to seed) is tested in test_demo_fieldwork.py."""
from collections import Counter

import pytest
from sqlalchemy import func, select

from forms.facts import build_era
from server.accounts.models import Role, User
from server.buildings.models import ESTATE_KINDS, Building, Community, County, Estate
from server.demo.county import plan_county
from server.demo.seed import DEMO_PASSWORD
from server.extensions import db
from server.surveys.models import SurveyRound


@pytest.fixture(scope="module")
def plan():
    return plan_county()


@pytest.fixture
def demo_create(app, app_context):
    """The command without survey data (fast); the survey data is tested once, at the end."""
    runner = app.test_cli_runner()

    def run(*options, input=None):
        return runner.invoke(args=["demo", "create", "--no-surveys", *options], input=input)
    return run


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The plan: plain data, checked without a database.

def test_plan_places_about_600_buildings_in_about_40_estates_of_yaofeng(plan):
    assert (plan.code, plan.name, plan.town_name, plan.town_kind) == ("140828", "夏县", "瑶峰镇", "镇")
    assert 5 <= len(plan.communities) <= 8
    assert 36 <= len(plan.estates) <= 46
    assert 520 <= len(plan.buildings) <= 680


def test_plan_build_era_matches_year_built(plan):
    assert all(b.build_era == build_era(b.year_built) for b in plan.buildings)
    assert min(b.year_built for b in plan.buildings) >= 1965
    assert max(b.year_built for b in plan.buildings) <= 2022


def test_plan_is_weighted_toward_the_1980s_to_2000s(plan):
    eras = Counter(b.build_era for b in plan.buildings)
    assert eras[2] + eras[3] + eras[4] > len(plan.buildings) / 2
    assert all(eras[era] > 0 for era in range(1, 7))


def test_plan_high_rise_buildings_are_concrete_with_elevators(plan):
    high_rise = [b for b in plan.buildings if b.floors_above >= 8]
    assert high_rise
    assert all(b.has_elevator and b.structure_type == "concrete" for b in high_rise)
    assert all(11 <= b.floors_above <= 33 for b in high_rise)


def test_plan_masonry_buildings_have_two_to_seven_floors(plan):
    masonry = [b for b in plan.buildings if b.structure_type == "masonry"]
    assert all(2 <= b.floors_above <= 7 for b in masonry)
    assert {b.structure_subtype for b in masonry} <= {"砖混", "砖木"}


def test_plan_multi_storey_buildings_mostly_lack_elevators(plan):
    multi_storey = [b for b in plan.buildings if 4 <= b.floors_above <= 7]
    with_elevator = [b for b in multi_storey if b.has_elevator]
    assert len(with_elevator) < len(multi_storey) * 0.1


def test_plan_precast_slabs_only_in_masonry(plan):
    assert all(b.structure_type == "masonry" for b in plan.buildings if b.precast_slabs)


def test_plan_households_are_about_two_per_floor_per_unit(plan):
    for b in plan.buildings:
        assert 1 <= b.units <= 6
        assert 2 * b.units * b.floors_above <= b.households <= 3 * b.units * b.floors_above


def test_plan_reinforced_year_only_on_reinforced_buildings(plan):
    for b in plan.buildings:
        assert (b.reinforced_year is not None) == b.seismic_reinforced
        if b.seismic_reinforced:
            assert b.year_built <= 1980 < b.reinforced_year


def test_plan_codes_places_as_the_census_does(plan):
    """A census file finds a community by its 12-digit 村居 code (the town's 9 digits + 3) and
    writes the town's code padded to 12 digits, which the import reads as these 9."""
    assert (len(plan.code), len(plan.town_code)) == (6, 9)
    assert plan.town_code.startswith(plan.code)
    codes = [c.code for c in plan.communities]
    assert all(len(code) == 12 and code.startswith(plan.town_code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_plan_includes_both_kinds_of_prescreen_candidates(plan):
    unreinforced_old = [b for b in plan.buildings
                        if b.year_built <= 1980 and not b.seismic_reinforced]
    precast_masonry = [b for b in plan.buildings if 1981 <= b.year_built <= 1990
                       and b.structure_type == "masonry" and b.precast_slabs]
    assert unreinforced_old and precast_masonry


def test_plan_groups_scattered_buildings_into_temporary_estates_without_property_company(plan):
    temporary = [e for e in plan.estates if e.is_temporary]
    assert temporary
    assert all(e.property_company is None and e.buildings for e in temporary)


def test_plan_gives_newer_estates_a_property_company_and_work_unit_compounds_none(plan):
    newer = [e for e in plan.estates if e.kind in {"commercial", "new"}]
    assert all(e.property_company for e in newer)
    assert all(e.property_company is None for e in plan.estates if e.kind == "danwei")
    assert {e.property_company for e in newer} == set(plan.property_companies)


def test_plan_building_numbers_are_unique_within_each_estate(plan):
    for estate in plan.estates:
        numbers = [b.number for b in estate.buildings]
        assert len(numbers) == len(set(numbers)), estate.name


def test_plan_building_codes_are_unique_and_some_are_missing(plan):
    codes = [b.code for b in plan.buildings if b.code is not None]
    assert len(codes) == len(set(codes))
    assert 0 < len(codes) < len(plan.buildings)
    assert all(len(code) == 23 and code.startswith("140828") for code in codes)


def test_plan_coordinates_lie_around_xiaxian(plan):
    assert all(35.10 < b.latitude < 35.18 and 111.18 < b.longitude < 111.26 for b in plan.buildings)


def test_plan_gives_every_estate_basics_that_agree_with_its_buildings(plan):
    for estate in plan.estates:
        basics = estate.basics
        assert basics.kind in ESTATE_KINDS, estate.name
        assert (basics.built_from, basics.built_to) == (
            min(b.year_built for b in estate.buildings), max(b.year_built for b in estate.buildings))
        assert basics.households == sum(b.households for b in estate.buildings)
        assert 2.3 * basics.households <= basics.population <= 3.0 * basics.households
        assert 0.6 <= basics.floor_area / basics.land_area <= 3.2  # a plausible plot ratio


def test_plan_gives_temporary_estates_self_built_or_other_kinds_and_work_units_dormitories(plan):
    temporary = [e for e in plan.estates if e.is_temporary]
    assert {e.basics.kind for e in temporary} <= {"自建房", "其他"}
    assert all(e.property_company is None for e in temporary)
    assert {e.basics.kind for e in plan.estates if e.kind == "danwei"} == {"单位宿舍"}
    assert {e.basics.kind for e in plan.estates if e.kind == "commercial"} == {"商品房"}


def test_plan_gives_every_community_basics_covering_its_estates(plan):
    contacts = [c.basics.contact_name for c in plan.communities]
    assert len(set(contacts)) == len(contacts)
    for community in plan.communities:
        basics = community.basics
        assert basics.households >= sum(e.basics.households for e in community.estates)
        assert basics.population >= sum(e.basics.population for e in community.estates)
        assert 400_000 <= basics.area < 1_500_000
        assert basics.contact_phone.startswith("0359-85") and len(basics.contact_phone) == 12


def test_plan_is_the_same_for_the_same_seed():
    assert plan_county(7) == plan_county(7)


def test_plan_differs_between_seeds():
    assert plan_county(1).buildings != plan_county(2).buildings


def test_plan_has_an_account_for_every_role(plan):
    assert {account.role for account in plan.accounts} == {role.value for role in Role}
    workers = [a for a in plan.accounts if a.role == Role.WORKER]
    assert any(len(a.communities) == 2 for a in workers)
    assert {c.name for c in plan.communities} <= {name for a in workers for name in a.communities}


# The command.

def test_create_writes_the_plan_for_the_seed(demo_create):
    result = demo_create("--seed", "5")
    assert result.exit_code == 0, result.output
    expected = plan_county(5)
    assert count(Estate) == len(expected.estates)
    assert count(Building) == len(expected.buildings)
    stored = {e.name: (e.kind, e.built_from, e.built_to, e.land_area, e.floor_area, e.households,
                       e.population) for e in db.session.scalars(select(Estate))}
    assert stored == {e.name: tuple(e.basics.columns().values()) for e in expected.estates}
    communities = {c.name: (c.households, c.population, c.area, c.contact_name, c.contact_phone)
                   for c in db.session.scalars(select(Community))}
    assert communities == {c.name: tuple(c.basics.columns().values())
                           for c in expected.communities}


def test_create_opens_the_current_2024_round(demo_create):
    demo_create()
    survey_round = db.session.scalar(select(SurveyRound))
    assert (survey_round.code, survey_round.system) == ("2024", "2024")
    assert survey_round.is_current


def test_create_with_system_2025_opens_the_current_2025_round(demo_create):
    result = demo_create("--system", "2025")
    assert result.exit_code == 0, result.output
    survey_round = db.session.scalar(select(SurveyRound))
    assert (survey_round.code, survey_round.system, survey_round.year) == ("2025", "2025", 2025)
    assert survey_round.is_current and "体检轮次 2025" in result.output


def test_create_refuses_a_system_that_has_no_forms(demo_create):
    result = demo_create("--system", "1999")
    assert result.exit_code != 0
    assert "1999" in result.output and count(County) == 0


def test_create_prescreens_some_buildings(demo_create):
    demo_create()
    prescreened = db.session.scalar(select(func.count()).where(Building.prescreened.is_(True)))
    assert 0 < prescreened < count(Building)


def test_every_role_has_a_demo_user_who_can_log_in(demo_create, client):
    demo_create()
    users = db.session.scalars(select(User)).all()
    assert {user.role for user in users} == {role.value for role in Role}
    for user in users:
        response = client.post("/api/auth/token",
                               json={"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 201, (user.username, response.get_json())
        assert response.get_json()["token"]


def test_create_prints_the_accounts_their_password_and_the_desk_url(demo_create):
    result = demo_create()
    for username in ("admin", "shenhe", "shequ-chengdong", "jiance"):
        assert username in result.output
    assert DEMO_PASSWORD in result.output
    assert "http://127.0.0.1:8000/desk/" in result.output


def test_create_if_empty_twice_keeps_one_county_and_the_same_buildings(demo_create):
    first = demo_create("--if-empty")
    buildings = count(Building)
    second = demo_create("--if-empty")
    assert first.exit_code == second.exit_code == 0
    assert "保留现有数据" in second.output
    assert count(County) == 1
    assert count(Building) == buildings


def test_create_refuses_when_data_exists_without_reset(demo_create):
    demo_create()
    result = demo_create()
    assert result.exit_code != 0
    assert "--reset" in result.output
    assert count(County) == 1


def test_reset_replaces_the_data_with_a_fresh_county(demo_create):
    demo_create("--seed", "1")
    result = demo_create("--reset", "--yes", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert count(County) == 1
    assert count(Building) == len(plan_county(2).buildings)


def test_reset_without_confirmation_keeps_the_data(demo_create):
    demo_create()
    buildings = count(Building)
    result = demo_create("--reset", input="n\n")
    assert result.exit_code != 0
    assert count(Building) == buildings
