"""An indicator not counted in 栋: 2025's 非成套住宅 counts 套, the households without their own
kitchen or toilet, each once. A building with 12 households without a kitchen and 30 without a
toilet, 10 of them the same households, counts 32 套 in every table and list the bureau gets."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.accounts.models import Role
from server.catalog import indicator_list
from server.extensions import db
from server.findings.models import Finding
from server.ledger.tables import indicator_table
from server.surveys.models import Submission
from tests.factories import submission_op

INCOMPLETE = 5
PLACE, PHOTOS = {"unit": "1单元", "floor": 2, "detail": None}, ["d" * 64]


def dwellings(no_kitchen: int, no_toilet: int, both: int) -> dict:
    answers = {"no_kitchen_households": no_kitchen, "no_toilet_households": no_toilet,
               "lacking_both_households": both}
    for question, households in (("no_kitchen_households", no_kitchen),
                                 ("no_toilet_households", no_toilet)):
        if households:
            answers |= {f"{question}_location": PLACE, f"{question}_photos": PHOTOS}
    return answers


@pytest.fixture
def round_2025(make_round):
    return make_round(code="2025", system="2025")


@pytest.fixture
def building(make_building, round_2025):
    return make_building(year_built=1978, floors_above=4, households=48)


@pytest.fixture
def survey(push, make_user, auth_headers, building):
    """Pushes a 非成套住宅 survey of the building; its findings are then confirmed or not."""
    worker = auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))

    def send(answers, *, confirm: bool, day: int = 1):
        operation = submission_op(building, answers, form_id="2025-incomplete-dwellings",
                                  form_version=1, round="2025",
                                  captured_at=f"2025-07-{day:02d}T09:00:00+08:00")
        response = push(worker, operation)
        assert response.json["results"][0]["status"] == "applied", response.json
        if confirm:
            for finding in db.session.scalars(select(Finding)):
                finding.status = "accepted"
        db.session.commit()
        return db.session.scalar(select(Submission).where(Submission.uuid == operation["id"]))
    return send


@pytest.fixture
def desk(sign_in, reviewer):
    return sign_in(reviewer)


def workbook_rows(desk, path: str, sheet: str | None = None) -> list[tuple]:
    response = desk.get(path)
    assert response.status_code == 200, response.data[:300]
    book = load_workbook(io.BytesIO(response.data))
    return list((book[sheet] if sheet else book.active).iter_rows(values_only=True))


def indicator_name() -> str:
    return next(i["name"] for i in indicator_list("2025") if i["number"] == INCOMPLETE)


def test_households_lacking_a_kitchen_or_a_toilet_are_counted_once(survey):
    assert survey(dwellings(12, 30, 10), confirm=False).measure == 32


def test_the_indicator_table_counts_the_confirmed_buildings_sets(survey, reviewer, round_2025):
    survey(dwellings(12, 30, 10), confirm=True)
    [row] = indicator_table(reviewer, round_2025, "community")
    figures = row["figures"][INCOMPLETE]
    assert (figures.counts, figures.result("套"), figures.pending_amount) == (1, 32, 0)


def test_sets_awaiting_review_are_shown_apart_and_not_counted(survey, reviewer, round_2025):
    survey(dwellings(12, 30, 10), confirm=False)
    [row] = indicator_table(reviewer, round_2025, "community")
    figures = row["figures"][INCOMPLETE]
    assert (figures.result("套"), figures.pending_result("套")) == (0, 32)


def test_the_latest_survey_gives_the_buildings_sets(survey, reviewer, round_2025):
    survey(dwellings(12, 30, 10), confirm=True, day=1)
    survey(dwellings(5, 8, 3), confirm=True, day=9)
    [row] = indicator_table(reviewer, round_2025, "community")
    assert row["figures"][INCOMPLETE].result("套") == 10


def test_the_desk_table_and_its_drill_down_say_32_sets(survey, desk, building):
    survey(dwellings(12, 30, 10), confirm=True)
    table = desk.get("/desk/ledger/indicators?round=2025&level=community").get_data(as_text=True)
    assert "5. 非成套住宅（套）" in table and ">32</a>" in table
    matrix = desk.get(f"/desk/ledger/communities/{building.estate.community_id}?round=2025")
    assert "是 32套" in matrix.get_data(as_text=True)


@pytest.mark.parametrize("state, confirm", [("counts", True), ("pending", False)])
def test_the_drill_down_gives_each_building_its_sets_and_their_sum(survey, desk, building, state,
                                                                   confirm):
    survey(dwellings(12, 30, 10), confirm=confirm)
    page = desk.get(f"/desk/ledger/indicators/{INCOMPLETE}/buildings?round=2025&level=community"
                    f"&id={building.estate.community_id}&state={state}").get_data(as_text=True)
    assert "共 1 栋，32 套" in page and "<th>套数</th>" in page
    assert '<td class="num" data-amount>32</td>' in page


def test_a_drill_down_in_buildings_shows_no_sets(survey, desk, building):
    survey(dwellings(12, 30, 10), confirm=True)
    page = desk.get(f"/desk/ledger/indicators/3/buildings?round=2025&level=community"
                    f"&id={building.estate.community_id}").get_data(as_text=True)
    assert "共 0 栋</h1>" in page and "data-amount" not in page and "套数" not in page


def test_the_estate_table_1biao_counts_32_sets(survey, desk, building):
    survey(dwellings(12, 30, 10), confirm=True)
    rows = workbook_rows(desk, f"/desk/exports/estate-indicators.xlsx?round=2025"
                               f"&community={building.estate.community_id}", "指标调查表")
    header, estate = rows[1], rows[2]
    assert estate[header.index(indicator_name())] == 32


@pytest.mark.parametrize("kind, heading", [("problems", "体检结果"), ("suggestions", "指标结果")])
def test_both_lists_give_the_indicator_32_sets(survey, desk, building, kind, heading):
    survey(dwellings(12, 30, 10), confirm=True)
    rows = workbook_rows(desk, f"/desk/exports/{kind}.xlsx?round=2025"
                               f"&community={building.estate.community_id}")
    header = rows[1]
    block = next(row for row in rows[2:] if row[1] == indicator_name())
    assert header[2] == heading and block[2] == 32  # units differ: each name says its own


def test_the_building_ledger_gives_the_building_its_sets(survey, desk, building):
    survey(dwellings(12, 30, 10), confirm=True)
    response = desk.get(f"/desk/exports/building-ledger.csv?round=2025"
                        f"&community={building.estate.community_id}")
    header, row = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[:2]
    assert (row[header.index("5.非成套住宅")], row[header.index("5.非成套住宅(套)")]) == ("是", "32")


def test_the_2024_lists_keep_the_manuals_heading_in_buildings(desk, make_round, make_building):
    make_round()
    make_building()
    rows = workbook_rows(desk, "/desk/exports/problems.xlsx")
    assert rows[1][2] == "体检结果(栋)"
