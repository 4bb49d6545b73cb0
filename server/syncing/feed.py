"""The change feed behind pull, and why its cursor never skips a change.

A cursor taken from a sequence assigned when a row is inserted can pass a slow transaction that
inserted earlier but commits later (GUIDE §3). Here, entries are written with no number while
their transaction runs, and get their numbers in `before_commit`, from a counter row that stays
locked until that commit. Two writers therefore number and commit one after the other: every
number a reader can see belongs to a committed entry, and no lower number can appear later.
Readers take no lock. The lock is held only between numbering and commit.
"""
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from server.buildings.models import Building
from server.extensions import db
from server.surveys.models import Finding, Submission
from server.syncing.models import Change, ChangeCounter

COUNTER_ROW = 1
# Entity → (kind in the feed, its id as the device knows it, the building it belongs to).
TRACKED = {
    Building: ("building", lambda b: str(b.id), lambda b: b.id),
    Finding: ("finding", lambda f: f.uuid, lambda f: f.building_id),
    Submission: ("submission", lambda s: s.uuid, lambda s: s.building_id),
}


def announce(kind: str, entity_id: str, building_id: int) -> None:
    """Put an entity in the feed explicitly (e.g. last round's problems when a round opens)."""
    db.session.execute(insert(Change), [{"kind": kind, "entity_id": entity_id,
                                         "building_id": building_id}])


@event.listens_for(Session, "after_flush")
def _record_flushed_changes(session, flush_context):
    rows = []
    for obj in list(session.new) + list(session.dirty):
        tracked = TRACKED.get(type(obj))
        if tracked is None or (obj not in session.new and not session.is_modified(obj)):
            continue
        kind, entity_id, building_id = tracked
        rows.append({"kind": kind, "entity_id": entity_id(obj), "building_id": building_id(obj)})
    if rows:
        # Core insert inside the flush's transaction: a rolled-back savepoint takes them along.
        session.execute(insert(Change), rows)


@event.listens_for(Session, "before_commit")
def _number_changes(session):
    session.flush()
    pending = session.scalars(select(Change.id).where(Change.seq.is_(None))
                              .order_by(Change.id)).all()
    if not pending:
        return
    last = session.execute(update(ChangeCounter).where(ChangeCounter.id == COUNTER_ROW)
                           .values(value=ChangeCounter.value + len(pending))
                           .returning(ChangeCounter.value)).scalar_one_or_none()
    if last is None:
        raise RuntimeError("the change counter row is missing: run `flask db upgrade`")
    first = last - len(pending) + 1
    session.execute(update(Change), [{"id": change_id, "seq": first + offset}
                                     for offset, change_id in enumerate(pending)])
