"""A 2025 round opened after the 2024 one: the 2024 round's open problems are followed up under
the 2025 indicator that continues theirs (forms/2025/system.json `continues`), and those of a
2024 indicator the 2025 system no longer has say so, with the reason."""
import pytest

from server.catalog import form_registry, indicator_shown

ENERGY_2024, WATER_2024, ENERGY_2025 = 9, 8, 8


@pytest.fixture
def system_2025(app_context):
    return form_registry().system("2025")


def test_a_2024_indicator_is_continued_by_its_2025_successor(system_2025):
    successor, reason = system_2025.continuing(ENERGY_2024)
    assert (successor["number"], successor["short_name"], reason) == (ENERGY_2025, "节能改造", None)


def test_a_discontinued_2024_indicator_gives_the_reason_instead(system_2025):
    successor, reason = system_2025.continuing(WATER_2024)
    assert successor is None and "水质水压" in reason


def test_a_finding_of_2024_is_shown_under_its_2025_indicator(app_context):
    shown = indicator_shown("2024", ENERGY_2024, "2025")
    assert (shown.number, shown.short_name, shown.note) == (
        ENERGY_2025, "节能改造", "原2024年指标9（节能改造）")


def test_a_finding_of_a_discontinued_indicator_says_it_has_none(app_context):
    shown = indicator_shown("2024", WATER_2024, "2025")
    assert shown.number is None and shown.note.startswith(
        "2024年指标8（入户水质水压），2025年指标体系不再设此指标：")


@pytest.fixture
def carried_into_2025(app, make_building, make_finding):
    """Two confirmed 2024 problems still open, then `flask rounds open 2025 --system 2025`."""
    building = make_building(year_built=1985)
    make_finding(building, status="accepted", indicator=ENERGY_2024,
                 check_item="具备节能改造价值但尚未改造")
    make_finding(building, status="accepted", indicator=WATER_2024, check_item="居民用水水压不足")
    result = app.test_cli_runner().invoke(args=["rounds", "open", "2025", "--system", "2025"])
    assert result.exit_code == 0, result.output
    return building


def test_the_2025_rectification_desk_follows_them_up_under_2025_indicators(
        carried_into_2025, sign_in, reviewer):
    page = sign_in(reviewer).get("/desk/rectification?round=2025").get_data(as_text=True)
    carried = page[page.index("上轮遗留"):]
    assert "8. 节能改造" in carried and "原2024年指标9（节能改造）" in carried
    assert "2024年指标8（入户水质水压），2025年指标体系不再设此指标" in carried


def test_the_2024_desk_still_names_them_by_2024_indicators(carried_into_2025, sign_in, reviewer):
    page = sign_in(reviewer).get(
        "/desk/rectification/findings?round=2024&state=accepted").get_data(as_text=True)
    assert "9. 节能改造" in page and "8. 入户水质水压" in page and "原2024年" not in page
