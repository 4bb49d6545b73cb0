"""The change feed behind pull, and why its cursor never skips a change.

A cursor taken from a sequence assigned when a row is inserted can pass a slow transaction that
inserted earlier but commits later (GUIDE §3). Here, entries are written with no number while
their transaction runs, and get their numbers just before it commits (the last step of
server/commit_pipeline.py), from a counter row that stays locked until that commit. Two writers
therefore number and commit one after the other: every number a reader can see belongs to a
committed entry, and no lower number can appear later. Readers take no lock. The lock is held
only between numbering and commit.
"""
from sqlalchemy import insert, select, update

from server.buildings.models import Building
from server.findings.models import Finding
from server.surveys.models import Submission
from server.syncing.models import Change, ChangeCounter
from sync import lifecycle

COUNTER_ROW = 1
# Entity → (kind in the feed, its id as the device knows it, the building it belongs to).
TRACKED = {
    Building: ("building", lambda b: str(b.id), lambda b: b.id),
    Finding: ("finding", lambda f: f.uuid, lambda f: f.building_id),
    Submission: ("submission", lambda s: s.uuid, lambda s: s.building_id),
}


UNNUMBERED = "loujian.unnumbered_changes"  # session.info key: feed entries this transaction wrote


def announce(session, kind: str, entity_id: str, building_id: int) -> None:
    """Put an entity in the feed explicitly (e.g. last round's problems when a round opens)."""
    _insert(session, [{"kind": kind, "entity_id": entity_id, "building_id": building_id}])


def _insert(session, rows: list[dict]) -> None:
    # Core insert inside the transaction: a rolled-back savepoint takes them along.
    session.execute(insert(Change), rows)
    session.info[UNNUMBERED] = session.info.get(UNNUMBERED, 0) + len(rows)


def record_flushed_changes(session) -> None:
    """After a flush (commit pipeline): an entry for every tracked entity it wrote."""
    rows = []
    for obj in list(session.new) + list(session.dirty):
        tracked = TRACKED.get(type(obj))
        if tracked is None or (obj not in session.new and not session.is_modified(obj)):
            continue
        kind, entity_id, building_id = tracked
        rows.append({"kind": kind, "entity_id": entity_id(obj), "building_id": building_id(obj)})
    if rows:
        _insert(session, rows)


def number_new_entries(session) -> None:
    """Before commit (commit pipeline, last step): number this transaction's entries, holding
    the counter row until the commit. Skipped when the transaction wrote none."""
    if not session.info.pop(UNNUMBERED, 0):
        return
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


def forget_new_entries(session) -> None:
    session.info.pop(UNNUMBERED, None)


def announce_findings_of_photo(photo, *, session, findings) -> None:
    """A photo arrived (server.signals.photo_arrived): the findings waiting for it changed what
    they miss, so devices pull them again."""
    for finding in findings:
        announce(session, "finding", finding.uuid, finding.building_id)


def announce_buildings_of_estate(estate, *, session) -> None:
    """An estate's property company changed (server.signals.estate_company_changed): each of its
    buildings now reads otherwise (物业公司, who answers for its problems), so devices pull them
    again."""
    building_ids = session.scalars(select(Building.id).where(Building.estate_id == estate.id))
    rows = [{"kind": "building", "entity_id": str(building_id), "building_id": building_id}
            for building_id in building_ids]
    if rows:
        _insert(session, rows)


def announce_carried_over(new_round, *, session) -> None:
    """A round opened (server.signals.round_opened): last round's open problems go to the
    devices again, for the workers to follow up."""
    if new_round.previous_round_id is None:
        return
    carried_over = session.execute(
        select(Finding.uuid, Finding.building_id).where(
            Finding.round_id == new_round.previous_round_id,
            Finding.status.in_(lifecycle.CARRIED_OVER)))
    for finding_uuid, building_id in carried_over:
        announce(session, "finding", finding_uuid, building_id)
