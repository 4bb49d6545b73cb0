"""Work that must happen in every writing transaction, in one stated order, bound to the app's
session (not to every SQLAlchemy session in the process).

After each flush, the observers note what it wrote. Just before the transaction commits:

1. the building statuses of the buildings it touched (or moved to another estate) are derived
   again (ledger/status_table.py), which locks those buildings, in id order, then adds what
   changed to their estates' tallies, whose rows it locks in key order;
2. the change feed's new entries are numbered (syncing/feed.py), which locks the feed's
   counter row until the commit.

Building locks, then tally rows, then the counter lock, in every writer: two writers cannot
deadlock. A step with nothing noted does nothing, so a transaction that wrote nothing (a GET)
costs no query.
"""
from sqlalchemy import event

from server.ledger import status_table
from server.syncing import feed

FLUSH_OBSERVERS = (status_table.note_touched_buildings, feed.record_flushed_changes)
COMMIT_STEPS = (status_table.refresh_touched_buildings, feed.number_new_entries)
FORGET_ON_END = (status_table.forget_touched_buildings, feed.forget_new_entries)


def install_commit_pipeline(session) -> None:
    """Listen on this session (a scoped_session or sessionmaker, e.g. `db.session`); once."""
    for name, listener in (("after_flush", _after_flush), ("before_commit", _before_commit),
                           ("after_transaction_end", _after_transaction_end)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


def _after_flush(session, flush_context) -> None:
    for observe in FLUSH_OBSERVERS:
        observe(session)


def _before_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the whole transaction's commit does this, once, in order
    session.flush()
    for step in COMMIT_STEPS:
        step(session)


def _after_transaction_end(session, transaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back inside it leaves what the
    # rest of the transaction noted still to do (at worst a little more than needed).
    if transaction.parent is None and not transaction.nested:
        for forget in FORGET_ON_END:
            forget(session)
