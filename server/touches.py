"""Bookkeeping a request notes on its way — when a token was last used, when a device last
pulled — written once the request is done, in a short transaction of its own.

A request that only reads thus stays a reader. On SQLite that is the difference between waiting
and failing: a transaction that reads and then writes cannot wait for another writer (SQLite
answers "database is locked" at once), while the short one here asks for the write lock up front
and waits its turn. Bookkeeping is not worth a failed answer: if it cannot be written, that is
logged and the response stands.
"""
from flask import Flask, current_app, g
from sqlalchemy import inspect, insert, update

from server.db_sqlite import WRITES
from server.extensions import db


def touch(model, key, *, create: bool = False, on_create: dict | None = None, **values) -> None:
    """Once the request is done, set `values` on the row of `model` whose primary key is `key`;
    with `create`, insert the row with them (and `on_create`) when there is none yet."""
    g.setdefault("touches", {})[model, key] = (create, values, on_create or {})


def write_touches_after_each_request(app: Flask) -> None:
    app.teardown_request(_write_touches)


def _write_touches(error=None) -> None:
    """After the request's own transaction has committed or rolled back (and the response is
    made): what it noted holds either way — the token was used, the device did pull."""
    noted = g.pop("touches", None)
    if not noted:
        return
    try:
        with db.engine.connect().execution_options(**{WRITES: True}) as connection:
            with connection.begin():
                for (model, key), (create, values, on_create) in noted.items():
                    _write(connection, model, key, create, values, on_create)
    except Exception:  # noqa: BLE001 — bookkeeping: logged, never the request's failure
        rows = ", ".join(f"{model.__tablename__} {key}" for model, key in noted)
        current_app.logger.warning("bookkeeping not written (%s)", rows, exc_info=True)


def _write(connection, model, key, create: bool, values: dict, on_create: dict) -> None:
    [id_column] = inspect(model).primary_key
    if connection.execute(update(model).where(id_column == key).values(**values)).rowcount:
        return
    if create:
        connection.execute(insert(model).values({id_column.key: key, **on_create, **values}))
