"""Make the embedded SQLite default behave like PostgreSQL where the code relies on it."""
from sqlalchemy import event


def make_sqlite_behave(engine) -> None:
    """Foreign keys enforced, real transactions (so SAVEPOINTs roll back what they should —
    pysqlite's own transaction handling breaks them), and waiting on a busy database instead of
    failing at once when several server workers write."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")
