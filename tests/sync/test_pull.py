"""Pull: what changed in the user's scope since their cursor, oldest first, paged, resumable."""
import random
import threading
import time
import uuid

import pytest

from server.accounts.models import Role
from server.buildings.models import Building
from server.extensions import db
from server.findings.models import Finding, Review
from server.syncing import operations as syncing
from server.syncing.models import Device
from tests.factories import submission_op


@pytest.fixture
def community(make_community):
    return make_community("城东社区")


@pytest.fixture
def estate(make_estate, community):
    return make_estate("达明新村", community)


@pytest.fixture
def worker_user(make_user, community, make_round):
    make_round()
    return make_user(Role.WORKER, communities=[community])


@pytest.fixture
def worker(auth_headers, worker_user):
    return auth_headers(worker_user)


def pull(client, headers, cursor=None, limit=None):
    params = {k: v for k, v in {"cursor": cursor, "limit": limit}.items() if v is not None}
    response = client.get("/api/sync/pull", headers=headers, query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def pull_all(client, headers, cursor=None):
    changes = []
    while True:
        page = pull(client, headers, cursor, limit=7)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


def test_first_pull_brings_every_building_in_scope(client, worker, estate, make_building):
    numbers = {make_building(estate, f"{n}#").id for n in range(1, 16)}
    db.session.commit()
    changes, _ = pull_all(client, worker)
    assert {int(c["id"]) for c in changes if c["kind"] == "building"} == numbers
    assert changes[0]["data"]["label"].startswith("达明新村")


def test_changes_come_oldest_first_in_pages(client, worker, estate, make_building):
    for n in range(10):
        make_building(estate, f"{n}#")
        db.session.commit()
    first = pull(client, worker, limit=4)
    assert first["more"] is True and len(first["changes"]) == 4
    seqs = [c["seq"] for c in first["changes"]]
    assert seqs == sorted(seqs)
    rest, _ = pull_all(client, worker, first["cursor"])
    assert min(c["seq"] for c in rest) > max(seqs)


def test_pulling_the_same_page_again_gives_the_same_changes(client, worker, estate,
                                                            make_building):
    make_building(estate, "1#")
    db.session.commit()
    assert pull(client, worker, cursor="0") == pull(client, worker, cursor="0")


def test_nothing_new_keeps_the_cursor(client, worker, estate, make_building):
    make_building(estate, "1#")
    db.session.commit()
    _, cursor = pull_all(client, worker)
    page = pull(client, worker, cursor)
    assert page["changes"] == [] and page["cursor"] == cursor and page["more"] is False


def test_changes_outside_the_scope_are_not_pulled(client, worker, estate, make_building,
                                                  make_estate, make_community):
    make_building(estate, "1#")
    make_building(make_estate("别处小区", make_community("城西社区")), "9#")
    db.session.commit()
    changes, _ = pull_all(client, worker)
    assert [c["data"]["label"] for c in changes] == ["达明新村1#"]


def test_corrected_building_facts_reach_the_other_devices(client, worker, estate, make_building,
                                                          make_user, auth_headers):
    building = make_building(estate, "1#", has_elevator=False)
    db.session.commit()
    _, cursor = pull_all(client, worker)
    admin = auth_headers(make_user(Role.ADMIN))
    client.patch(f"/api/buildings/{building.id}", headers=admin, json={"has_elevator": True})
    changes, _ = pull_all(client, worker, cursor)
    assert [c["data"]["has_elevator"] for c in changes] == [True]


def test_a_review_decision_reaches_the_author(client, push, worker, estate, make_building,
                                              gas_answers, make_user):
    building = make_building(estate, "1#", year_built=1990)
    push(worker, submission_op(building, gas_answers(
        rubber_hose=True, rubber_hose_households=1, rubber_hose_location={"unit": "1单元"},
        rubber_hose_photos=["a" * 64])))
    _, cursor = pull_all(client, worker)
    finding = db.session.scalar(db.select(Finding))
    reviewer = make_user(Role.REVIEWER)
    db.session.add(Review(finding_id=finding.id, reviewer_id=reviewer.id, decision="return",
                          reason="照片看不清软管，请补拍"))
    finding.status = "returned"
    db.session.commit()
    changes, _ = pull_all(client, worker, cursor)
    [change] = [c for c in changes if c["kind"] == "finding"]
    assert change["data"]["status"] == "returned"
    assert change["data"]["review_reason"] == "照片看不清软管，请补拍"


def test_another_persons_observation_of_the_building_is_visible(
        client, push, worker, estate, make_building, gas_answers, make_user, auth_headers,
        community):
    building = make_building(estate, "1#", year_built=1990)
    colleague = auth_headers(make_user(Role.WORKER, communities=[community]))
    push(colleague, submission_op(building, gas_answers()))
    changes, _ = pull_all(client, worker)
    [observation] = [c["data"] for c in changes if c["kind"] == "submission"]
    assert observation["building_id"] == building.id
    assert observation["author"] == "测试用户"


def test_pull_lists_the_forms_in_force(client, worker):
    page = pull(client, worker)
    assert page["round"] == "2024"
    assert [f["indicator"] for f in page["forms"]] == list(range(1, 11))


def test_bad_cursor_is_a_400(client, worker):
    response = client.get("/api/sync/pull?cursor=yesterday", headers=worker)
    assert response.status_code == 400
    assert "cursor" in response.json["error"]["details"]["fields"]


def test_pull_records_when_the_device_last_synced(client, worker):
    device = str(uuid.uuid4())
    client.get(f"/api/sync/pull?device_id={device}", headers=worker)
    assert db.session.get(Device, device).last_pull_at is not None


def test_cursor_never_skips_a_change_that_commits_late(app, app_context, estate, make_user):
    """Writers insert, dawdle, then commit, overlapping; a reader pulls all the while and moves
    its cursor on. Whatever committed late must still reach it."""
    reader = make_user(Role.REVIEWER)
    estate_id, reader_id = estate.id, reader.id
    db.session.commit()
    seed = random.randrange(1 << 30)
    print(f"seed={seed}")
    writers_done = threading.Event()
    seen: set[int] = set()
    errors = []

    def writer(index):
        rng = random.Random(seed + index)
        try:
            with app.app_context():
                for n in range(8):
                    db.session.add(Building(estate_id=estate_id, number=f"w{index}-{n}"))
                    db.session.flush()
                    time.sleep(rng.uniform(0, 0.03))
                    db.session.commit()
        except Exception as error:  # surfaced in the main thread
            errors.append(error)

    def read_until_done():
        with app.app_context():
            user = db.session.get(type(reader), reader_id)
            cursor, draining = 0, False
            while True:
                page = syncing.pull(user, cursor, 5)
                db.session.commit()
                seen.update(int(c["id"]) for c in page["changes"] if c["kind"] == "building")
                cursor = int(page["cursor"])
                if not page["more"]:
                    if draining:
                        return
                    draining = writers_done.is_set()
                time.sleep(0.002)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    reader_thread = threading.Thread(target=read_until_done)
    reader_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writers_done.set()
    reader_thread.join(timeout=60)
    assert not errors, errors
    committed = set(db.session.scalars(db.select(Building.id).where(
        Building.estate_id == estate_id)))
    assert len(committed) == 32
    assert seen == committed, f"missed {committed - seen} (seed={seed})"


def test_opening_a_new_round_brings_last_rounds_open_problems_to_follow_up(
        app, client, push, worker, estate, make_building, gas_answers):
    building = make_building(estate, "1#", year_built=1990)
    push(worker, submission_op(building, gas_answers(
        rubber_hose=True, rubber_hose_households=1, rubber_hose_location={"unit": "1单元"},
        rubber_hose_photos=["a" * 64])))
    _, cursor = pull_all(client, worker)
    result = app.test_cli_runner().invoke(args=["rounds", "open", "2025", "--system", "2024"])
    assert result.exit_code == 0, result.output
    changes, _ = pull_all(client, worker, cursor)
    [followup] = [c["data"] for c in changes if c["kind"] == "finding"]
    assert followup["round"] == "2024" and followup["status"] == "pending"
    assert pull(client, worker, cursor)["round"] == "2025"
