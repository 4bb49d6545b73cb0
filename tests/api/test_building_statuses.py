"""building_statuses: the counting rule's answer from the evidence (是/待审核/否), kept current by
every transaction that writes evidence, so the county's figures can be counted instead of derived
on each page view."""
import random
import threading
from datetime import date

import pytest
from sqlalchemy import select

from server.accounts.models import Role
from server.appraisals.models import Appraisal
from server.extensions import db
from server.findings.models import Finding
from server.ledger.counting import evidence_states
from server.ledger.models import BuildingStatus
from server.ledger.status_table import rebuild_statuses
from sync.counting import CLEAR, COUNTS, PENDING
from tests.factories import submission_op
from tests.kept_counts import recounted, tallies

HOSE = {"rubber_hose": True, "rubber_hose_households": 1,
        "rubber_hose_location": {"unit": "1单元"}, "rubber_hose_photos": ["a" * 64]}
GAS = 2


@pytest.fixture
def survey_round(make_round):
    return make_round()


@pytest.fixture
def estate(make_estate):
    return make_estate("达明新村")


@pytest.fixture
def buildings(make_building, estate):
    return [make_building(estate, f"{n}#", year_built=1990, gas_supply="pipeline")
            for n in range(1, 5)]


@pytest.fixture
def worker(make_user, auth_headers, estate, survey_round):
    return auth_headers(make_user(Role.WORKER, communities=[estate.community]))


def kept(survey_round) -> dict:
    return {(row.building_id, row.indicator): row.state for row in db.session.scalars(
        select(BuildingStatus).where(BuildingStatus.round_id == survey_round.id))}


def derived(survey_round) -> dict:
    return {(b, i): state for b, i, state, _ in db.session.execute(
        evidence_states(survey_round.id, survey_round.system))}


@pytest.fixture
def survey(push, worker, gas_answers):
    """Pushes a gas survey of the building, with or without a rubber hose, captured on that day."""
    def send(building, *, hose: bool, day: int = 1):
        answers = gas_answers(**HOSE) if hose else gas_answers()
        response = push(worker, submission_op(
            building, answers, captured_at=f"2024-07-{day:02d}T09:00:00+08:00"))
        assert response.json["results"][0]["status"] == "applied", response.json
        db.session.expire_all()
    return send


def test_a_survey_with_a_problem_is_kept_as_pending_review(survey, survey_round, buildings):
    survey(buildings[0], hose=True)
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING}


def test_a_survey_without_a_problem_is_kept_as_clear(survey, survey_round, buildings):
    survey(buildings[0], hose=False)
    assert kept(survey_round) == {(buildings[0].id, GAS): CLEAR}


def test_a_later_clear_survey_leaves_an_undecided_problem_pending(survey, survey_round,
                                                                   buildings):
    survey(buildings[0], hose=True, day=1)
    survey(buildings[0], hose=False, day=2)
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING}


def test_a_confirmation_makes_the_building_count(survey, survey_round, buildings):
    survey(buildings[0], hose=True, day=1)
    survey(buildings[0], hose=False, day=2)
    db.session.scalar(select(Finding)).status = "accepted"
    db.session.commit()
    assert kept(survey_round) == {(buildings[0].id, GAS): COUNTS}


def test_a_returned_problem_counts_nowhere(survey, survey_round, buildings):
    survey(buildings[0], hose=True)
    db.session.scalar(select(Finding)).status = "returned"
    db.session.commit()
    assert kept(survey_round) == {(buildings[0].id, GAS): CLEAR}


def test_an_appraisal_without_a_hazard_makes_an_unsurveyed_building_clear(
        survey_round, buildings, make_user):
    agency = make_user(Role.AGENCY)
    db.session.add(Appraisal(building_id=buildings[0].id, round_id=survey_round.id,
                             indicator=GAS, agency_id=agency.agency_id, author_id=agency.id,
                             conclusion="no_hazard", appraised_on=date(2024, 7, 5)))
    db.session.commit()
    assert kept(survey_round) == {(buildings[0].id, GAS): CLEAR}


def test_a_rolled_back_transaction_leaves_the_kept_status_alone(survey, survey_round, buildings):
    survey(buildings[0], hose=True)
    db.session.scalar(select(Finding)).status = "accepted"
    db.session.flush()
    db.session.rollback()
    survey(buildings[1], hose=False)
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING,
                                  (buildings[1].id, GAS): CLEAR}


def test_each_round_keeps_its_own_statuses(survey, survey_round, buildings, make_round):
    survey(buildings[0], hose=True)
    later = make_round(code="2025", system="2024")
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING}
    assert kept(later) == {}


@pytest.mark.parametrize("seed", range(5))
def test_kept_statuses_equal_the_rule_after_any_mix_of_surveys_and_decisions(
        seed, survey, survey_round, buildings):
    rng = random.Random(seed)
    for _ in range(12):
        if rng.random() < 0.7:
            survey(rng.choice(buildings), hose=rng.random() < 0.5, day=rng.randint(1, 28))
        else:
            findings = db.session.scalars(select(Finding)).all()
            if findings:
                rng.choice(findings).status = rng.choice(["accepted", "returned", "pending"])
                db.session.commit()
    assert kept(survey_round) == derived(survey_round)
    assert tallies(survey_round.id) == recounted(survey_round.id)


def test_an_estate_tally_counts_its_buildings_per_state(survey, survey_round, buildings, estate):
    survey(buildings[0], hose=True)
    survey(buildings[1], hose=True)
    survey(buildings[2], hose=False)
    assert tallies(survey_round.id) == {(estate.id, GAS, PENDING): (2, 0),
                                      (estate.id, GAS, CLEAR): (1, 0)}


def test_a_decision_moves_a_building_between_the_tally_states(survey, survey_round, buildings,
                                                              estate):
    survey(buildings[0], hose=True)
    db.session.scalars(select(Finding)).one().status = "accepted"
    db.session.commit()
    assert tallies(survey_round.id) == {(estate.id, GAS, COUNTS): (1, 0)}


def test_a_building_moved_to_another_estate_leaves_the_old_tally_for_the_new(
        survey, survey_round, buildings, estate, make_estate):
    survey(buildings[0], hose=True)
    elsewhere = make_estate("南关小区")
    buildings[0].estate = elsewhere
    db.session.commit()
    assert tallies(survey_round.id) == {(elsewhere.id, GAS, PENDING): (1, 0)}
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING}


def test_editing_a_building_without_moving_it_leaves_the_tallies_alone(
        survey, survey_round, buildings, estate):
    survey(buildings[0], hose=True)
    buildings[0].floors_above = 7
    buildings[0].estate = estate
    db.session.commit()
    assert tallies(survey_round.id) == {(estate.id, GAS, PENDING): (1, 0)}


def test_rebuilding_a_round_gives_the_same_rows_as_keeping_them(survey, survey_round, buildings):
    for day, building in enumerate(buildings, 1):
        survey(building, hose=day % 2 == 0, day=day)
    before = kept(survey_round), tallies(survey_round.id)
    rebuild_statuses(db.session, survey_round.id)
    db.session.commit()
    assert (kept(survey_round), tallies(survey_round.id)) == before


@pytest.fixture
def push_at_once(app, make_user, auth_headers, estate):
    """Pushes each operation from its own worker's device, all released at the same moment;
    the push results' statuses."""
    def push(operations):
        workers = [auth_headers(make_user(Role.WORKER, communities=[estate.community]))
                   for _ in operations]
        start = threading.Barrier(len(operations))
        outcomes = []

        def device(headers, operation):
            client = app.test_client()
            start.wait()
            response = client.post("/api/sync/push", headers=headers,
                                   json={"operations": [operation]})
            outcomes.append(response.json["results"][0]["status"])

        threads = [threading.Thread(target=device, args=pair)
                   for pair in zip(workers, operations)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        db.session.commit()  # a fresh snapshot: this session's began before the devices pushed
        return outcomes
    return push


def test_concurrent_surveys_of_one_building_leave_its_status_as_the_rule_says(
        push_at_once, survey_round, buildings, gas_answers):
    """Eight workers push at once for the same building; whichever commits last must not keep a
    status derived before the others' evidence was visible."""
    building = buildings[0]
    answers = [gas_answers(**HOSE) if n % 2 else gas_answers() for n in range(8)]
    outcomes = push_at_once([submission_op(building, answers[n],
                                           captured_at=f"2024-07-{n + 1:02d}T09:00:00+08:00")
                             for n in range(8)])
    assert outcomes == ["applied"] * 8
    assert kept(survey_round) == derived(survey_round) == {(building.id, GAS): PENDING}


def test_concurrent_surveys_of_one_estate_add_up_in_its_tally(
        push_at_once, survey_round, buildings, estate, gas_answers):
    """Eight workers push at once for the four buildings of one estate: each transaction adds its
    own change to the same tally rows, none overwrites another's."""
    outcomes = push_at_once([
        submission_op(buildings[n % 4], gas_answers(**HOSE) if n < 4 else gas_answers(),
                      captured_at=f"2024-07-{n + 1:02d}T09:00:00+08:00") for n in range(8)])
    assert outcomes == ["applied"] * 8
    assert tallies(survey_round.id) == recounted(survey_round.id) == {(estate.id, GAS, PENDING): (4, 0)}


def test_rebuild_command_derives_a_round_loaded_behind_the_applications_back(
        app, survey, survey_round, buildings):
    survey(buildings[0], hose=True)
    db.session.execute(BuildingStatus.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rounds", "rebuild-statuses", survey_round.code])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert kept(survey_round) == {(buildings[0].id, GAS): PENDING}


def test_rebuild_command_names_an_unknown_round(app, survey_round):
    result = app.test_cli_runner().invoke(args=["rounds", "rebuild-statuses", "1999"])
    assert result.exit_code != 0 and "没有轮次 1999" in result.output
