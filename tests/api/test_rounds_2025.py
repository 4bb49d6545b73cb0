"""A 2025 round with the 2025 indicator system: opened from the command line, and its rules
evaluated with the round's year and the system's settings wherever the server evaluates them."""
import pytest

from server.accounts.models import Role
from server.catalog import indicator_list, round_context
from server.extensions import db
from server.surveys.models import Submission, SurveyRound
from tests.factories import submission_op

PLACE, PHOTOS = {"unit": "1单元", "floor": 1, "detail": None}, ["c" * 64]
RISER = {"riser_service_year": 2005, "riser_assessment": "hazardous", "hazardous_segments": ["riser"],
         "riser_assessment_location": PLACE, "riser_assessment_photos": PHOTOS}


@pytest.fixture
def building(make_building):
    return make_building(year_built=1990, gas_supply="pipeline", floors_above=6)


@pytest.fixture
def worker_2025(make_user, auth_headers, building, make_round):
    make_round(code="2025", system="2025")
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


def gas_2025(building, answers):
    return submission_op(building, answers, form_id="2025-gas-safety", form_version=1, round="2025")


def recorded(push, headers, operation):
    response = push(headers, operation)
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    assert result["status"] == "applied", result
    return db.session.scalar(db.select(Submission).where(Submission.uuid == operation["id"]))


def test_rounds_open_2025_with_the_2025_system_has_nine_indicators(app, client):
    result = app.test_cli_runner().invoke(args=["rounds", "open", "2025", "--system", "2025"])
    assert result.exit_code == 0, result.output
    survey_round = db.session.scalar(db.select(SurveyRound).where(SurveyRound.code == "2025"))
    assert (survey_round.system, survey_round.is_current, survey_round.year) == ("2025", True, 2025)
    assert [i["number"] for i in indicator_list("2025")] == list(range(1, 10))
    assert [f["indicator"] for f in client.get("/api/forms").json["forms"]] == list(range(1, 10))


def test_opening_a_round_screens_every_building_with_its_structural_form(app, make_building):
    building = make_building(year_built=1975, seismic_reinforced=False)
    building.prescreened = False
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rounds", "open", "2025", "--system", "2025"])
    assert "重新初筛 1 栋：需优先排查 1 栋" in result.output
    db.session.expire_all()
    assert building.prescreened is True


def test_a_rounds_year_is_the_leading_year_of_its_code(make_round):
    assert make_round(code="2025-复查", system="2025", is_current=False).year == 2025
    assert make_round(code="试点", system="2025", is_current=False).year is None


def test_round_context_gives_the_rounds_year_and_the_systems_settings(make_round):
    survey_round = make_round(code="2025", system="2025")
    assert round_context(survey_round) == {"round_year": 2025, "settings": {"aging_home_share_percent": 30}}


def test_an_aged_hazardous_riser_counts_by_the_rounds_year(push, worker_2025, building):
    submission = recorded(push, worker_2025, gas_2025(building, RISER))
    assert submission.counts is True
    assert [f.check_item for f in submission.findings] == [
        "燃气立管、引入管、水平干管运行满20年且存在锈蚀严重、破损等安全隐患"]


def test_a_riser_younger_than_twenty_years_is_not_assessed(push, worker_2025, building):
    submission = recorded(push, worker_2025, gas_2025(building, {**RISER, "riser_service_year": 2006}))
    assert (submission.counts, submission.findings) == (False, [])


def test_needing_an_agency_is_marked_on_the_submission_and_does_not_count(push, worker_2025, building):
    answers = {"riser_service_year": 1998, "riser_assessment": "assess"}
    submission = recorded(push, worker_2025, gas_2025(building, answers))
    assert submission.counts is False
    assert submission.follow_ups == [{"question_id": "riser_assessment",
                                      "reason": "燃气立管运行满20年，需燃气公司或专业机构评估是否存在安全隐患"}]


def test_a_riser_year_after_the_round_is_refused(push, worker_2025, building):
    response = push(worker_2025, gas_2025(building, {"riser_service_year": 2026}))
    [result] = response.json["results"]
    assert result["status"] == "rejected"


def test_the_pull_tells_the_app_the_rounds_year_and_settings(client, worker_2025):
    page = client.get("/api/sync/pull?cursor=0", headers=worker_2025).json
    assert (page["round"], page["round_year"]) == ("2025", 2025)
    assert page["settings"] == {"aging_home_share_percent": 30}
