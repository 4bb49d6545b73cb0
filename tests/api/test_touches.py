"""Bookkeeping (server/touches.py): when a token was last used and when a device last pulled are
written after the request, in a transaction of their own, so a request that reads stays a reader;
a failure to write them is logged, never the request's failure."""
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from server import touches
from server.accounts.models import ApiToken, Role
from server.extensions import db
from server.syncing.models import Device


@pytest.fixture
def worker(make_user, auth_headers, survey_round):
    return auth_headers(make_user(Role.WORKER))


def last_used():
    db.session.rollback()  # see what the bookkeeping transaction committed
    return db.session.scalar(db.select(ApiToken.last_used_at))


def test_using_a_token_notes_when_it_was_last_used_once_in_a_while(client, worker):
    assert last_used() is None
    assert client.get("/api/me", headers=worker).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/me", headers=worker).status_code == 200
    assert last_used() == first  # within LAST_USED_RESOLUTION: not written again


def test_a_pull_flushes_nothing_in_its_own_transaction(client, worker):
    """Its reads and the bookkeeping never share a transaction: on SQLite that one would have to
    turn from reader into writer, which fails at once while another request writes."""
    device = str(uuid.uuid4())
    flushed = []

    def note(session, flush_context, instances):
        flushed.extend(session.new | session.dirty)

    event.listen(db.session, "before_flush", note)
    try:
        response = client.get(f"/api/sync/pull?device_id={device}", headers=worker)
    finally:
        event.remove(db.session, "before_flush", note)
    assert response.status_code == 200
    assert flushed == []
    db.session.rollback()
    assert db.session.get(Device, device).last_pull_at is not None
    assert last_used() is not None


def test_a_device_pulling_again_keeps_its_row_and_moves_its_time(client, worker):
    device = str(uuid.uuid4())
    client.get(f"/api/sync/pull?device_id={device}", headers=worker)
    first = db.session.get(Device, device).last_pull_at
    db.session.rollback()
    client.get(f"/api/sync/pull?device_id={device}", headers=worker)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Device)) == 1
    assert db.session.get(Device, device).last_pull_at > first


def test_bookkeeping_that_cannot_be_written_is_logged_and_the_answer_stands(
        client, worker, monkeypatch, caplog):
    def locked(*args, **kwargs):
        raise OperationalError("UPDATE …", {}, Exception("database is locked"))

    monkeypatch.setattr(touches, "_write", locked)
    device, token_id = str(uuid.uuid4()), db.session.scalar(db.select(ApiToken.id))
    response = client.get(f"/api/sync/pull?device_id={device}", headers=worker)
    assert response.status_code == 200
    assert f"bookkeeping not written (api_tokens {token_id}, devices {device})" in caplog.text
    db.session.rollback()
    assert db.session.get(Device, device) is None and last_used() is None
