"""What the benchmark scripts share: the server under test (a fresh database, the demo county with
one worker per simulated device, gunicorn on a free port) and the traffic they send (finding
operations, phone-size JPEGs, copies of a JPEG with a hash of their own)."""
import io
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import requests
import sqlalchemy as sa
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from flask_migrate import upgrade  # noqa: E402

from server import create_app  # noqa: E402
from server.accounts.models import Role  # noqa: E402
from server.accounts.operations import create_user, issue_token  # noqa: E402
from server.buildings.models import Building, Community, County, Estate  # noqa: E402
from server.demo.county import DEFAULT_SEED, plan_county  # noqa: E402
from server.demo.seed import DEMO_SYSTEM, seed_demo_county  # noqa: E402
from server.demo.surveys import seed_demo_surveys  # noqa: E402
from server.extensions import db  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password"


# ---- the server under test ---------------------------------------------------------------

@contextmanager
def bench_database(kind: str, workdir: Path):
    """A SQLite file in workdir, or a fresh PostgreSQL database beside LOUJIAN_BENCH_POSTGRES,
    dropped afterwards whatever happened."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    base = os.environ.get("LOUJIAN_BENCH_POSTGRES", DEFAULT_POSTGRES).replace(
        "postgresql://", "postgresql+psycopg://", 1)
    name = f"loujian_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str, media: Path, devices: int, *, reviewers: int = 0,
            surveys: bool = False, token_lifetime: timedelta = timedelta(hours=2)) -> dict:
    """Schema, demo county (with its season of fieldwork if `surveys`), one worker per device
    (each in one community, communities taken in turn) with a token, and `reviewers` county
    reviewers (usernames reviewer0…, password PASSWORD)."""
    app = create_app({"DATABASE_URL": database_url, "LOUJIAN_MEDIA_DIR": str(media),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        plan = plan_county(DEFAULT_SEED)
        seed_demo_county(plan)
        if surveys:
            seed_demo_surveys(plan, DEFAULT_SEED, DEMO_SYSTEM)
        county = db.session.scalar(sa.select(County))
        communities = db.session.scalars(sa.select(Community).order_by(Community.id)).all()
        accounts = []
        for index in range(devices):
            community = communities[index % len(communities)]
            user = create_user(username=f"device{index}", password=PASSWORD,
                               display_name=f"设备{index}", role=Role.WORKER, county=county,
                               communities=[community])
            token, _ = issue_token(user, token_lifetime)
            buildings = db.session.scalars(
                sa.select(Building.id).join(Estate).where(Estate.community_id == community.id)
            ).all()
            accounts.append({"token": token, "buildings": buildings})
        names = [f"reviewer{index}" for index in range(reviewers)]
        for name in names:
            create_user(username=name, password=PASSWORD, display_name=f"审核员{name[8:]}",
                        role=Role.REVIEWER, county=county)
        db.session.commit()
        defects = [(form.indicator, question["id"])
                   for form in app.extensions["loujian.forms"].forms("2024")
                   for question in form.defect_questions]
    return {"accounts": accounts, "defects": defects, "reviewers": names}


class Server(NamedTuple):
    base: str  # http://127.0.0.1:<port>
    pid: int   # gunicorn's master; its workers are its children


@contextmanager
def gunicorn(database_url: str, media: Path, workers: int, *, threads: int = 1,
             log: Path | None = None):
    """gunicorn (this interpreter's) on a free port of 127.0.0.1, stopped afterwards whatever
    happened. `threads` > 1 gives threaded workers, as `make serve` runs them. Its stderr goes
    to `log` (a file, so a long run can never block on a full pipe) or nowhere."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOUJIAN_MEDIA_DIR": str(media),
           "SECRET_KEY": "bench"}
    stderr = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "10",
         "server:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        if not _answers(process, base):
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise RuntimeError("gunicorn did not start: " + tail)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            stderr.close()


def _answers(process: subprocess.Popen, base: str) -> bool:
    """Whether gunicorn answers /healthz within ~30 s (False at once if it has exited)."""
    for _ in range(120):
        if process.poll() is not None:
            return False
        try:
            if requests.get(base + "/healthz", timeout=5).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.25)
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- the traffic -------------------------------------------------------------------------

def finding_ops(rng: random.Random, buildings: list[int], defects: list, count: int) -> list:
    operations = []
    for _ in range(count):
        indicator, question_id = rng.choice(defects)
        operations.append({"op": "finding.report", "id": str(uuid.uuid4()),
                           "building_id": rng.choice(buildings), "indicator": indicator,
                           "question_id": question_id, "unit": f"{rng.randint(1, 4)}单元",
                           "floor": rng.randint(1, 6), "description": "基准测试问题",
                           "captured_at": "2024-07-01T09:30:00+08:00"})
    return operations


def phone_photo(rng: random.Random, size=(2048, 1536), grain: int = 4) -> bytes:
    """A JPEG of a phone's size; the coarser the grain (noise drawn at size / grain and scaled
    up), the smaller the file: 4 gives ~760 KB, 10 ~410 KB at 2048 x 1536."""
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    image.paste(Image.effect_noise((size[0] // grain, size[1] // grain), 50).convert("RGB")
                .resize(size), (0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def distinct_copy(jpeg: bytes, label: str) -> bytes:
    """The same image with a JPEG comment, so each upload has its own hash and is processed."""
    comment = label.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]
