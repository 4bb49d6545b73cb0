"""Fixtures shared by every test: the app on a fresh database, and factories for its objects.

The database is SQLite in a temporary folder unless LOUJIAN_TEST_DATABASE_URL names a
PostgreSQL server; then a fresh database is created on that server for this run and dropped after.
A live server listens on any free port, or on the first free one of LOUJIAN_TEST_PORTS (e.g.
`18500-18599`) where a machine allows only those.
"""
import os
import socket
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from server import create_app
from server.extensions import db
from server.models import data_tables_children_first

pytest_plugins = ["tests.factories"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("LOUJIAN_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'loujian-test.sqlite3'}"
        return
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"loujian_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "LOUJIAN_MEDIA_DIR": str(tmp_path_factory.mktemp("media")),
        "LOUJIAN_C2PA_DIR": str(tmp_path_factory.mktemp("c2pa") / "c2pa"),
    })
    with app.app_context():
        upgrade()  # the migrations, not create_all: what deploys is what is tested
    return app


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()


def _empty_all_tables():
    tables = data_tables_children_first()
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _truncate_when_free(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _truncate_when_free(truncate, attempts: int = 10) -> None:
    """TRUNCATE, again if PostgreSQL chose it as a deadlock's victim: a browser test's live server
    may still be answering a request the closed page sent last (the request holds a table the
    TRUNCATE needs, then wants one the TRUNCATE has locked). Once that request ends, it goes."""
    for attempt in range(attempts):
        try:
            db.session.execute(truncate)
            return
        except sa.exc.OperationalError as error:
            if "deadlock detected" not in str(error) or attempt == attempts - 1:
                raise
            db.session.rollback()
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture
def client(app, app_context):
    return app.test_client()


@pytest.fixture
def live_url(app):
    """The app behind a real multi-threaded server, in a thread of this process."""
    listening = _listening_socket()
    port = listening.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True, fd=listening.fileno())
    listening.close()  # the server holds its own copy
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join()


def _listening_socket() -> socket.socket:
    first, _, last = os.environ.get("LOUJIAN_TEST_PORTS", "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind(("127.0.0.1", port))
        except OSError:
            listening.close()
            continue
        listening.listen(128)
        return listening
    raise RuntimeError(f"no free port in LOUJIAN_TEST_PORTS={first}-{last}")
