"""The commit pipeline (server/commit_pipeline.py): statuses, then the feed, once per writing
transaction; nothing for a transaction that wrote nothing."""
import contextlib

import pytest
from sqlalchemy import event, func, select

from server.extensions import db
from server.findings.decisions import bulk_accept, version_of
from server.ledger.models import BuildingStatus
from server.syncing.models import Change


@contextlib.contextmanager
def statements():
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def building(make_building):
    return make_building(number="5#")


def test_a_transaction_that_wrote_nothing_touches_neither_statuses_nor_feed(app_context,
                                                                              building):
    db.session.commit()
    with statements() as seen:
        db.session.get(type(building), building.id)
        db.session.commit()
    assert not [s for s in seen if "change_log" in s or "building_statuses" in s
                or "change_counter" in s]


def test_statuses_are_derived_before_the_feed_is_numbered(app_context, make_finding, building):
    make_finding(building)  # its author and submission exist from here on
    with statements() as seen:
        make_finding(building)
    derive = next(i for i, s in enumerate(seen) if s.startswith("insert into building_statuses"))
    number = next(i for i, s in enumerate(seen) if s.startswith("update change_counter"))
    assert derive < number


def test_bulk_decisions_in_savepoints_number_the_feed_once_at_commit(app_context, make_finding,
                                                                      building, reviewer):
    findings = [make_finding(building, description=f"问题{n}") for n in range(3)]
    db.session.commit()
    with statements() as seen:
        outcomes = bulk_accept(reviewer, [(f.uuid, version_of(f)) for f in findings])
        db.session.commit()
    assert all(o.accepted for o in outcomes)
    assert sum(s.startswith("update change_counter") for s in seen) == 1
    assert db.session.scalar(select(func.count()).where(Change.seq.is_(None))) == 0
    assert db.session.scalar(select(func.count(BuildingStatus.building_id))
                             .where(BuildingStatus.building_id == building.id)) > 0

