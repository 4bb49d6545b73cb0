"""Make the embedded SQLite default behave like PostgreSQL where the code relies on it."""
from flask import g, has_request_context
from sqlalchemy import event


# A connection's execution option: its transaction writes, whatever the request declared
# (server/touches.py writes a request's bookkeeping after the request's own transaction).
WRITES = "loujian_writes"


def declare_writes(writes: bool) -> None:
    """What the request's handler declared (@endpoint, @page), before it touches the database:
    whether its transaction writes. A request that declared nothing (the app shell's files, an
    unknown route) only reads."""
    g.request_writes = writes


def forget_declared_writes(_error=None) -> None:
    """At the end of each request (`g` outlives it where tests share one app context)."""
    g.pop("request_writes", None)


def make_sqlite_behave(engine) -> None:
    """Foreign keys enforced; real transactions, so SAVEPOINTs roll back what they should
    (pysqlite's own transaction handling breaks them); waiting on a busy database rather than
    failing at once.

    A request declared as writing (`declare_writes`) begins IMMEDIATE: it takes the write lock up
    front. A deferred transaction that reads and then writes while another worker writes cannot
    wait its turn — SQLite answers "database is locked" at once — so concurrent pushes would
    fail. Reading requests begin deferred and never write: what they note on the way (a token's
    last use, a device's last pull) is written after them, in a short transaction of its own that
    asks for the lock up front (`WRITES`, server/touches.py)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writing = connection.get_execution_options().get(WRITES) or (
            has_request_context() and g.get("request_writes", False))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
