"""A building's state per indicator through the API: every observation kept, the counting rule
(sync/counting.py) decides."""
import pytest

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from tests.factories import submission_op

HOSE = {"rubber_hose": True, "rubber_hose_households": 1,
        "rubber_hose_location": {"unit": "1单元"}, "rubber_hose_photos": ["a" * 64]}


@pytest.fixture
def building(make_building):
    return make_building(year_built=1990, gas_supply="pipeline")


@pytest.fixture
def worker(make_user, auth_headers, building, make_round):
    make_round()
    return auth_headers(make_user(Role.WORKER, communities=[building.estate.community]))


def gas_status(client, headers, building):
    response = client.get(f"/api/buildings/{building.id}/status", headers=headers)
    assert response.status_code == 200, response.json
    return next(i for i in response.json["indicators"] if i["indicator"] == 2)


def test_unsurveyed_building_shows_ten_indicators_not_surveyed(client, worker, building):
    response = client.get(f"/api/buildings/{building.id}/status", headers=worker)
    assert [i["indicator"] for i in response.json["indicators"]] == list(range(1, 11))
    assert {i["label"] for i in response.json["indicators"]} == {"未调查"}


def test_an_undecided_problem_is_pending_whatever_a_later_survey_says(client, push, worker,
                                                                     building, gas_answers):
    later_clear = submission_op(building, gas_answers(), captured_at="2024-07-02T09:00:00+08:00")
    earlier_hose = submission_op(building, gas_answers(**HOSE),
                                 captured_at="2024-07-01T09:00:00+08:00")
    push(worker, later_clear, earlier_hose)  # the earlier one arrives last
    status = gas_status(client, worker, building)
    assert (status["state"], status["label"], status["counts"]) == ("pending", "待审核", False)
    assert status["undecided"] == 1 and status["confirmed"] == 0
    assert status["observations"] == 2 and status["disagreement"] is True


def test_a_clear_survey_says_no(client, push, worker, building, gas_answers):
    push(worker, submission_op(building, gas_answers()))
    status = gas_status(client, worker, building)
    assert (status["state"], status["label"]) == ("clear", "否")


def test_confirmed_finding_decides_over_later_observations(client, push, worker, building,
                                                           gas_answers):
    hose = submission_op(building, gas_answers(**HOSE), captured_at="2024-07-01T09:00:00+08:00")
    clear = submission_op(building, gas_answers(), captured_at="2024-07-03T09:00:00+08:00")
    push(worker, hose, clear)
    db.session.scalar(db.select(Finding)).status = "accepted"
    db.session.commit()
    status = gas_status(client, worker, building)
    assert (status["state"], status["counts"], status["confirmed"]) == ("counts", True, 1)


def test_an_indicator_that_does_not_apply_says_so(client, worker, building, make_building):
    without_gas = make_building(estate=building.estate, number="2#", gas_supply="none")
    response = client.get(f"/api/buildings/{without_gas.id}/status", headers=worker)
    gas = next(i for i in response.json["indicators"] if i["indicator"] == 2)
    assert (gas["state"], gas["label"]) == ("not_applicable", "不适用")


def test_status_of_a_building_out_of_scope_is_refused(client, building, make_user, auth_headers,
                                                      make_community, make_round):
    make_round()
    outsider = auth_headers(make_user(Role.WORKER, communities=[make_community("别处")]))
    response = client.get(f"/api/buildings/{building.id}/status", headers=outsider)
    assert response.status_code == 404
