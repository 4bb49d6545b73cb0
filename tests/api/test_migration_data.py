"""Migrations carry existing data forward: a database at an earlier revision, with evidence in
it, upgraded to the newest, holds the building states the application would derive (and the
findings of hazard appraisals it would have made)."""
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db
from server.ledger.counting import evidence_states

BEFORE_KEPT_STATUSES = "5fc7acb386e2"
BEFORE_TALLIES = "f3a9c2d81b47"
EVIDENCE = [
    "INSERT INTO counties (id, code, name) VALUES (1, '140828', '夏县')",
    "INSERT INTO towns (id, county_id, code, name, kind) VALUES (1, 1, NULL, '瑶峰镇', '镇')",
    "INSERT INTO communities (id, town_id, name) VALUES (1, 1, '城东社区')",
    "INSERT INTO estates (id, community_id, name, is_temporary) VALUES (1, 1, '达明新村', FALSE)",
    *[f"""INSERT INTO buildings (id, estate_id, number, year_built, build_era, structure_type,
            floors_above, units, households, has_elevator, gas_supply, prescreened, created_at,
            updated_at)
          VALUES ({n}, 1, '{n}#', 1990, 3, 'masonry', 6, 3, 36, FALSE, 'pipeline', FALSE,
                  '2024-06-01 00:00:00+00:00', '2024-06-01 00:00:00+00:00')""" for n in (1, 2, 3)],
    """INSERT INTO survey_rounds (id, code, title, system, is_current, opened_at)
       VALUES (1, '2024', '2024年城市体检', '2024', TRUE, '2024-06-01 00:00:00+00:00')""",
    """INSERT INTO users (id, username, display_name, password_hash, role, county_id, active,
            failed_logins, created_at)
       VALUES (1, 'w', '社区管理员', 'x', 'worker', 1, TRUE, 0, '2024-06-01 00:00:00+00:00')""",
    "INSERT INTO agencies (id, county_id, name) VALUES (1, 1, '晋南房屋安全鉴定有限公司')",
]


def submission(id_, building, indicator, counts, captured_at):
    return f"""INSERT INTO submissions (id, uuid, round_id, building_id, indicator, form_id,
            form_version, author_id, answers, counts, captured_at, received_at)
        VALUES ({id_}, '{uuid.uuid4()}', 1, {building}, {indicator}, 'f', 1, 1, '{{}}',
                {counts}, {captured_at}, '2024-07-05 00:00:00+00:00')"""


def finding(id_, submission_id, building, indicator, status):
    return f"""INSERT INTO findings (id, uuid, submission_id, round_id, building_id, indicator,
            check_item, severity, problem_class, status, author_id, created_at, updated_at)
        VALUES ({id_}, '{uuid.uuid4()}', {submission_id}, 1, {building}, {indicator}, '检查项',
                '严重', '限时解决', '{status}', 1, '2024-07-05 00:00:00+00:00',
                '2024-07-05 00:00:00+00:00')"""


def appraisal(id_, building, indicator, conclusion, on):
    return f"""INSERT INTO appraisals (id, building_id, round_id, indicator, agency_id, author_id,
            conclusion, appraised_on, created_at)
        VALUES ({id_}, {building}, 1, {indicator}, 1, 1, '{conclusion}', '{on}',
                '2024-07-05 00:00:00+00:00')"""


EVIDENCE += [
    # building 1: an undecided problem stays pending after a later clear survey…
    submission(1, 1, 3, "TRUE", "'2024-07-01 01:00:00+00:00'"),
    finding(1, 1, 1, 3, "pending"),
    submission(2, 1, 3, "FALSE", "'2024-07-02 01:00:00+00:00'"),
    # …and a confirmed one counts (indicator 4)
    submission(3, 1, 4, "TRUE", "'2024-07-01 01:00:00+00:00'"),
    finding(2, 3, 1, 4, "accepted"),
    submission(4, 1, 4, "FALSE", "'2024-07-03 01:00:00+00:00'"),
    # building 2: a hazard appraisal superseded by one without: no finding, surveyed
    submission(5, 2, 2, "TRUE", "'2024-07-01 01:00:00+00:00'"),
    appraisal(1, 2, 2, "hazard", "2024-05-01"),
    appraisal(2, 2, 2, "no_hazard", "2024-06-01"),
    # building 3: surveys without a finding are clear; a governing hazard appraisal counts
    submission(6, 3, 5, "TRUE", "'2024-07-01 01:00:00+00:00'"),
    submission(7, 3, 5, "FALSE", "NULL"),
    appraisal(3, 3, 1, "hazard", "2024-06-01"),
]
EXPECTED_STATES = {(1, 3): "pending", (1, 4): "counts", (2, 2): "clear", (3, 5): "clear",
                   (3, 1): "counts"}


def load_evidence() -> None:
    """The rows above, with their explicit ids; on PostgreSQL the id sequences then move past
    them, as an application that had inserted them would have left them."""
    for statement in EVIDENCE:
        db.session.execute(sa.text(statement))
    if db.engine.dialect.name == "postgresql":
        for table in ("findings", "submissions", "appraisals", "users", "buildings"):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"))
    db.session.commit()


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database beside the suite's: a file for SQLite, a new database on PostgreSQL."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"loujian_scratch_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(database_url).set(database=name).render_as_string(
        hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_app_context(scratch_database_url, tmp_path):
    """An app on the empty scratch database, its context open for the test."""
    app = create_app({"TESTING": True, "DATABASE_URL": scratch_database_url,
                      "SECRET_KEY": "test", "LOUJIAN_MEDIA_DIR": str(tmp_path / "media")})
    with app.app_context():
        yield
        db.session.remove()
        db.engine.dispose()


def at_revision(revision: str, statements: list) -> None:
    """The scratch database upgraded to `revision`, with `statements` run and committed."""
    upgrade(revision=revision)
    for statement in statements:
        db.session.execute(sa.text(statement))
    db.session.commit()


@pytest.fixture
def upgraded_with_evidence(scratch_app_context):
    """The scratch database taken to the revision before kept statuses, filled with the evidence
    above, then upgraded to the newest."""
    upgrade(revision=BEFORE_KEPT_STATUSES)
    load_evidence()
    upgrade()


def test_upgrading_a_database_with_evidence_derives_its_building_states(upgraded_with_evidence):
    kept = dict(((b, i), state) for b, i, state in db.session.execute(sa.text(
        "SELECT building_id, indicator, state FROM building_statuses WHERE round_id = 1")))
    derived = {(b, i): state for b, i, state, _ in db.session.execute(evidence_states(1, "2024"))}
    assert kept == derived == EXPECTED_STATES
    appraisal_findings = db.session.execute(sa.text(
        "SELECT appraisal_id, building_id, indicator, status FROM findings "
        "WHERE appraisal_id IS NOT NULL")).all()
    assert [tuple(row) for row in appraisal_findings] == [(3, 3, 1, "accepted")]


def test_upgrading_tallies_the_kept_states_per_estate(upgraded_with_evidence):
    tallied = db.session.execute(sa.text(
        "SELECT estate_id, indicator, state, buildings FROM status_tallies WHERE round_id = 1"))
    expected = Counter((1, indicator, state) for (_, indicator), state in EXPECTED_STATES.items())
    assert {(e, i, s): n for e, i, s, n in tallied} == expected


def test_the_tallies_migration_goes_back_keeping_the_states(upgraded_with_evidence):
    downgrade(revision=BEFORE_TALLIES)
    assert "status_tallies" not in sa.inspect(db.engine).get_table_names()
    kept = dict(((b, i), state) for b, i, state in db.session.execute(sa.text(
        "SELECT building_id, indicator, state FROM building_statuses WHERE round_id = 1")))
    assert kept == EXPECTED_STATES


def test_the_counting_rules_migration_goes_back_to_kept_booleans(upgraded_with_evidence):
    downgrade(revision="c41e7a9d2b10")
    kept = {(b, i): bool(c) for b, i, c in db.session.execute(sa.text(
        "SELECT building_id, indicator, counts FROM building_statuses WHERE round_id = 1"))}
    assert kept == {(1, 3): False, (1, 4): True, (2, 2): False, (3, 5): True, (3, 1): True}
    findings = db.session.scalar(sa.text("SELECT count(*) FROM findings"))
    assert findings == 2  # the appraisal's finding is gone with the column


BEFORE_BASICS, BASICS = "d0cc32b694a7", "e5b7c3a1d904"
ESTATE_BASICS = ("kind", "built_from", "built_to", "land_area", "floor_area", "households",
                 "population", "basics_version")
COMMUNITY_BASICS = ("households", "population", "area", "contact_name", "contact_phone",
                    "basics_version")
REFUSED_BASICS = [
    "UPDATE estates SET kind = '别墅'",
    "UPDATE estates SET built_from = 1899",
    "UPDATE estates SET built_to = 2101",
    "UPDATE estates SET built_from = 1995, built_to = 1990",
    "UPDATE estates SET households = -1",
    "UPDATE estates SET population = -1",
    "UPDATE estates SET land_area = 0",
    "UPDATE estates SET floor_area = -5",
    "UPDATE communities SET households = -1",
    "UPDATE communities SET population = -1",
    "UPDATE communities SET area = 0",
]


def test_basics_migration_adds_empty_basics_checks_them_and_downgrades_keeping_the_places(
        scratch_app_context):
    at_revision(BEFORE_BASICS, EVIDENCE[:4])  # county, town, community, estate
    upgrade(revision=BASICS)
    estate = db.session.execute(sa.text(f"SELECT {', '.join(ESTATE_BASICS)} FROM estates"))
    community = db.session.execute(sa.text(
        f"SELECT {', '.join(COMMUNITY_BASICS)} FROM communities"))
    assert estate.one() == (None,) * 7 + (0,) and community.one() == (None,) * 5 + (0,)
    db.session.commit()
    refused = []
    for statement in REFUSED_BASICS:
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))
        except sa.exc.IntegrityError:
            refused.append(statement)
    assert refused == REFUSED_BASICS
    db.session.execute(sa.text(
        "UPDATE estates SET kind = '房改房', built_from = 1985, built_to = 1992, "
        "land_area = 30000, floor_area = 38000, households = 640, population = 1820"))
    db.session.commit()
    downgrade(revision=BEFORE_BASICS)
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("estates")}
    community_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("communities")}
    assert columns == {"id", "community_id", "name", "is_temporary", "property_company_id"}
    assert community_columns == {"id", "town_id", "code", "name"}
    kept = db.session.execute(sa.text("SELECT name FROM estates")).scalars().all()
    assert kept == ["达明新村"]
    db.session.commit()
    upgrade()
    assert db.session.execute(sa.text("SELECT kind, basics_version FROM estates")).one() == (
        None, 0)


CENSUS_FACTS = "f3a9c2d81b47"


def test_census_migration_adds_appraised_and_uncertain_prescreen_and_downgrades_keeping_buildings(
        scratch_app_context):
    at_revision(BASICS, EVIDENCE[:7])  # county, town, community, estate, three buildings
    upgrade(revision=CENSUS_FACTS)
    rows = db.session.execute(sa.text(
        "SELECT appraised, prescreen_uncertain FROM buildings ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(None, False)] * 3
    db.session.execute(sa.text("UPDATE buildings SET appraised = TRUE, "
                               "prescreen_uncertain = TRUE WHERE id = 1"))
    db.session.commit()
    downgrade(revision=BASICS)
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("buildings")}
    assert not columns & {"appraised", "prescreen_uncertain"}
    assert db.session.scalar(sa.text("SELECT count(*) FROM buildings")) == 3
    db.session.commit()
    upgrade()
    assert db.session.execute(sa.text(
        "SELECT appraised, prescreen_uncertain FROM buildings WHERE id = 1")).one() == (
            None, False)


BEFORE_ACCOUNT_ADMINISTRATION = "f4b1e7a2c9d3"
DEVICE = ("INSERT INTO devices (id, user_id, last_pull_at) "
          "VALUES ('6c1f0000-0000-4000-8000-000000000001', 1, '2024-07-05 00:00:00+00:00')")


def test_account_administration_migration_keeps_accounts_and_devices_both_ways(
        scratch_app_context):
    at_revision(BEFORE_ACCOUNT_ADMINISTRATION, [*EVIDENCE[:2], EVIDENCE[8], DEVICE])
    upgrade()
    assert db.session.execute(sa.text(
        "SELECT password_must_change, password_expires_at, scope_epoch FROM users")).one() == (
            False, None, 0)
    assert db.session.execute(sa.text(
        "SELECT token_id, app_version, user_agent FROM devices")).one() == (None, None, None)
    db.session.execute(sa.text("UPDATE users SET password_must_change = TRUE, scope_epoch = 3"))
    db.session.commit()
    downgrade(revision=BEFORE_ACCOUNT_ADMINISTRATION)
    user_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
    device_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("devices")}
    assert not user_columns & {"password_must_change", "password_expires_at", "scope_epoch"}
    assert device_columns == {"id", "user_id", "last_push_at", "last_pull_at"}
    assert db.session.execute(sa.text("SELECT username FROM users")).scalars().all() == ["w"]
    assert db.session.scalar(sa.text("SELECT count(*) FROM devices")) == 1
    db.session.commit()


BEFORE_FOLLOW_UPS = "b8d2f4a6c1e3"
ASKING = '[{"question_id": "riser_assessment", "reason": "需专业机构评估"}]'


def asking_submission(id_, building, indicator, follow_ups, received_at):
    return f"""INSERT INTO submissions (id, uuid, round_id, building_id, indicator, form_id,
            form_version, author_id, answers, counts, follow_ups, received_at)
        VALUES ({id_}, '{uuid.uuid4()}', 1, {building}, {indicator}, 'f', 1, 1, '{{}}', FALSE,
                '{follow_ups}', '{received_at}')"""


FOLLOW_UP_EVIDENCE = [
    *EVIDENCE[:10],  # the places, the round, a worker and an agency
    asking_submission(10, 1, 2, ASKING, "2024-07-05 00:00:00+00:00"),   # still open
    asking_submission(11, 2, 2, ASKING, "2024-07-05 00:00:00+00:00"),   # appraised after
    """INSERT INTO appraisals (id, uuid, building_id, round_id, indicator, agency_id, author_id,
            conclusion, appraised_on, created_at)
       VALUES (7, 'a7', 2, 1, 2, 1, 1, 'no_hazard', '2024-07-06', '2024-07-06 00:00:00+00:00')""",
    asking_submission(12, 3, 1, ASKING, "2024-07-05 00:00:00+00:00"),   # then no longer asked
    asking_submission(13, 3, 1, "[]", "2024-07-06 00:00:00+00:00"),
]


def test_follow_ups_migration_makes_the_latest_surveys_requests_and_goes_back(
        scratch_app_context):
    at_revision(BEFORE_FOLLOW_UPS, FOLLOW_UP_EVIDENCE)
    upgrade()
    rows = db.session.execute(sa.text(
        "SELECT submission_id, indicator, question_id, status, appraisal_id FROM follow_ups "
        "ORDER BY submission_id")).all()
    assert [tuple(r) for r in rows] == [(10, 2, "riser_assessment", "open", None),
                                        (11, 2, "riser_assessment", "appraised", 7)]
    db.session.commit()
    downgrade(revision=BEFORE_FOLLOW_UPS)
    assert "follow_ups" not in sa.inspect(db.engine).get_table_names()
    with pytest.raises(sa.exc.IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO appraisals (uuid, building_id, round_id, indicator, agency_id, "
                "author_id, conclusion, appraised_on, created_at) VALUES ('a8', 1, 1, 6, 1, 1, "
                "'hazard', '2024-07-06', '2024-07-06 00:00:00+00:00')"))
    assert db.session.scalar(sa.text("SELECT count(*) FROM findings")) == 0
    db.session.commit()
    upgrade()
    assert db.session.scalar(sa.text("SELECT count(*) FROM follow_ups")) == 2


def test_follow_ups_migration_lets_appraisals_take_any_indicator(scratch_app_context):
    at_revision(BEFORE_FOLLOW_UPS, EVIDENCE[:10])
    upgrade()
    db.session.execute(sa.text(
        "INSERT INTO appraisals (uuid, building_id, round_id, indicator, agency_id, author_id, "
        "conclusion, appraised_on, created_at) VALUES ('a9', 1, 1, 8, 1, 1, 'hazard', "
        "'2024-07-06', '2024-07-06 00:00:00+00:00')"))
    db.session.commit()
    with pytest.raises(SystemExit):  # Flask-Migrate's answer to the migration's RuntimeError
        downgrade(revision=BEFORE_FOLLOW_UPS)
    db.session.rollback()
    assert "follow_ups" in sa.inspect(db.engine).get_table_names()
