"""Desk benchmark: the ledgers and the problem-list export on a county-size PostgreSQL database.

    .venv/bin/python tests/benchmarks/desk_bench.py [--buildings 100000] [--keep]

Builds a fresh database beside LOUJIAN_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/test) with the migrations, then fills it in SQL
(INSERT … SELECT generate_series), then derives building_statuses once as the application
would have kept it: --buildings buildings in 10 towns, 200 communities and
estates of 20, five submissions per building, two findings per submission (1,000,000 at full
scale) and two photos per finding (2,000,000 photo rows and 2,000,000 links). A child process
then signs in as a reviewer and prints:
  1. a community ledger page (the building × indicator matrix of ~500 buildings): median latency;
  2. the county indicator table (every community's ten values): median latency;
  3. the county problem list (问题清单) as XLSX: time to stream it all, and the child's peak RSS;
  4. the photo ZIP of the community with the most photos (10,000 photo links of 500 buildings at
     full scale), in a second child of its own so that its peak RSS is its own. The photo rows
     are synthetic (no bytes behind their hashes), so the child's photo store answers every hash
     with one real phone-sized JPEG and its display copy: the figure is the ZIP's own cost
     (query batches, copying, stamping, signing), not the disk's.
Targets (issue #5): 1 and 2 under 300 ms, 3 under 60 s with peak memory under 300 MB; 4 in
constant memory (peak RSS under 300 MB, whatever the community's size).

Peak RSS is the child process's `ru_maxrss` (getrusage), i.e. its high-water mark since it
started, printed beside the figure taken before the measured download.
"""
import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TOWNS, COMMUNITIES, PER_ESTATE = 10, 200, 20
SUBMISSIONS_PER_BUILDING, FINDINGS_PER_SUBMISSION, PHOTOS_PER_FINDING = 5, 2, 2
CHECK_ITEMS = ("ARRAY['楼梯踏步损坏','灭火器缺失','外墙渗漏','供水不足','屋顶渗漏积水',"
               "'燃气用户使用橡胶软管']")

FILL = [
    ("counties", "INSERT INTO counties (id, code, name) VALUES (1, '140828', '夏县')"),
    ("towns", """INSERT INTO towns (id, county_id, code, name, kind)
        SELECT t, 1, NULL, '镇' || t, '镇' FROM generate_series(1, {towns}) t"""),
    ("communities", """INSERT INTO communities (id, town_id, name)
        SELECT c, 1 + (c - 1) % {towns}, '社区' || c FROM generate_series(1, {communities}) c"""),
    ("estates", """INSERT INTO estates (id, community_id, name, is_temporary)
        SELECT e, 1 + (e - 1) % {communities}, '小区' || e, false
        FROM generate_series(1, {estates}) e"""),
    ("buildings", """INSERT INTO buildings (id, estate_id, number, year_built, build_era,
            structure_type, floors_above, units, households, has_elevator, gas_supply,
            prescreened, created_at, updated_at)
        SELECT b, 1 + (b - 1) / {per_estate}, (1 + (b - 1) % {per_estate}) || '#',
               1970 + b % 50, 1 + b % 6, 'masonry', 4 + b % 14, 3, 36, b % 3 = 0, 'pipeline',
               b % 4 = 0, now(), now()
        FROM generate_series(1, {buildings}) b"""),
    ("survey round", """INSERT INTO survey_rounds (id, code, title, system, is_current, opened_at)
        VALUES (1, '2024', '2024年城市体检', '2024', true, now())"""),
    ("workers", """INSERT INTO users (id, username, display_name, password_hash, role, county_id,
            active, failed_logins, created_at)
        SELECT 100 + c, 'worker' || c, '社区管理员' || c, 'x', 'worker', 1, true, 0, now()
        FROM generate_series(1, {communities}) c"""),
    ("submissions", """INSERT INTO submissions (id, uuid, round_id, building_id, indicator,
            form_id, form_version, author_id, answers, counts, captured_at, received_at)
        SELECT s, gen_random_uuid()::text, 1, b, 1 + (b + k * 2) % 10, 'bench', 1,
               100 + 1 + ((b - 1) / {per_estate}) % {communities}, '{{}}'::jsonb,
               random() < 0.4, timestamptz '2024-07-01 08:00+08' + random() * interval '30 days',
               now()
        FROM (SELECT s, 1 + (s - 1) / {subs_per_building} AS b, (s - 1) % {subs_per_building} AS k
              FROM generate_series(1, {submissions}) s) q"""),
    ("findings", """INSERT INTO findings (id, uuid, submission_id, round_id, building_id,
            indicator, question_id, check_item, unit, floor, severity, problem_class,
            responsible_unit, difficulty, suggestion, status, author_id, captured_at,
            created_at, updated_at)
        SELECT f, gen_random_uuid()::text, s.id, 1, s.building_id, s.indicator, 'q',
               ({check_items})[1 + f % 6], '1单元', 1 + f % 6,
               (ARRAY['非常严重','严重','一般'])[1 + f % 3],
               CASE WHEN f % 3 = 0 THEN '尽力解决' ELSE '限时解决' END, '物业公司', '一般',
               '按规范修复', (ARRAY['accepted','accepted','accepted','accepted','accepted',
                                    'pending','pending','pending','returned','rectified'])[1 + f % 10],
               s.author_id, s.captured_at, now(), now()
        FROM generate_series(1, {findings}) f
        JOIN submissions s ON s.id = 1 + (f - 1) / {findings_per_submission}"""),
    ("photos", """INSERT INTO photos (sha256, byte_size, mime_type, width, height, captured_at,
            latitude, longitude, exif_captured_at, exif_latitude, exif_longitude, received_at)
        SELECT md5(p::text || 'a') || md5(p::text || 'b'), 3000000, 'image/jpeg', 4000, 3000,
               timestamptz '2024-07-01 08:00+08', 35.1, 111.2,
               timestamptz '2024-07-01 08:00+08', 35.1, 111.2, now()
        FROM generate_series(1, {photos}) p"""),
    ("finding photos", """INSERT INTO finding_photos (id, finding_id, sha256, position)
        SELECT p, 1 + (p - 1) / {photos_per_finding}, md5(p::text || 'a') || md5(p::text || 'b'),
               (p - 1) % {photos_per_finding}
        FROM generate_series(1, {photos}) p"""),
    ("photo holders", """INSERT INTO photo_holders (sha256, user_id)
        SELECT fp.sha256, f.author_id FROM finding_photos fp JOIN findings f ON f.id = fp.finding_id
        ON CONFLICT DO NOTHING"""),
]
SEQUENCES = ["towns", "communities", "estates", "buildings", "survey_rounds", "users",
             "submissions", "findings", "finding_photos"]


def build(url: str, buildings: int) -> None:
    from flask_migrate import upgrade

    from server import create_app
    from server.accounts.models import Role
    from server.accounts.operations import create_user
    from server.buildings.models import County
    from server.extensions import db
    from server.ledger.status_table import rebuild_statuses

    sizes = {"towns": TOWNS, "communities": COMMUNITIES, "per_estate": PER_ESTATE,
             "estates": -(-buildings // PER_ESTATE), "buildings": buildings,
             "subs_per_building": SUBMISSIONS_PER_BUILDING,
             "submissions": buildings * SUBMISSIONS_PER_BUILDING,
             "findings_per_submission": FINDINGS_PER_SUBMISSION,
             "findings": buildings * SUBMISSIONS_PER_BUILDING * FINDINGS_PER_SUBMISSION,
             "photos_per_finding": PHOTOS_PER_FINDING,
             "photos": buildings * SUBMISSIONS_PER_BUILDING * FINDINGS_PER_SUBMISSION
             * PHOTOS_PER_FINDING, "check_items": CHECK_ITEMS}
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        for label, statement in FILL:
            started = time.perf_counter()
            db.session.execute(sa.text(statement.format(**sizes)))
            db.session.commit()
            print(f"  filled {label:<15} {time.perf_counter() - started:6.1f} s", flush=True)
        started = time.perf_counter()
        rebuild_statuses(db.session, 1)  # what the application keeps as evidence is written
        db.session.commit()
        print(f"  derived statuses  {time.perf_counter() - started:6.1f} s", flush=True)
        for table in SEQUENCES:
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"))
        create_user(username="shenhe", password="bench-password-1", display_name="审核员",
                    role=Role.REVIEWER, county=db.session.get(County, 1))
        db.session.commit()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def sign_in(client, user_id: int, epoch: int) -> None:
    """Outside the app context that looked the user up: the test client's session transaction
    pushes a request context of its own, whose end would close that context's session."""
    with client.session_transaction() as session:
        session["user_id"], session["epoch"] = user_id, epoch


def measure(url: str) -> dict:
    """Runs in a child process, so its peak RSS is the desk's alone."""
    from server import create_app
    from server.accounts.models import User
    from server.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    with app.app_context():
        reviewer_id, epoch = db.session.execute(
            sa.select(User.id, User.session_epoch).where(User.username == "shenhe")).one()
    sign_in(client, reviewer_id, epoch)

    def median_ms(path: str, runs: int = 7) -> tuple[float, float]:
        """Median wall time and median CPU time of this process (the app's share; the
        database's is not in it), in ms."""
        timings, cpu = [], []
        for _ in range(runs + 1):  # the first run warms caches and is dropped
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        return statistics.median(timings[1:]), statistics.median(cpu[1:])

    ledger_ms, ledger_cpu = median_ms("/desk/ledger/communities/1")
    table_ms, table_cpu = median_ms("/desk/ledger/indicators?level=community")
    figures = {"community_ledger_ms": ledger_ms, "community_ledger_cpu_ms": ledger_cpu,
               "county_indicator_table_ms": table_ms, "county_indicator_table_cpu_ms": table_cpu,
               "rss_before_export_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get("/desk/exports/problems.xlsx", buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    figures.update(problem_list_xlsx_s=time.perf_counter() - started,
                   problem_list_xlsx_cpu_s=time.process_time() - started_cpu,
                   problem_list_xlsx_mb=size / 1e6,
                   peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


class OneImageStore:
    """A read-only photo store that has every hash: one phone-sized JPEG as the original and its
    display copy, made once (the bench's photo rows have no bytes behind them)."""

    def __init__(self):
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (4000, 3000), (150, 160, 170))
        draw = ImageDraw.Draw(image)
        for x in range(0, 4000, 40):  # detail, so the JPEG is of a realistic size
            draw.line([(x, 0), (4000 - x, 3000)], fill=(x % 255, 90, 200 - x % 200), width=3)
        self.variants = {"original": _jpeg(image, 90), "display": _jpeg(image.resize((1600, 1200)), 85)}

    def exists(self, sha256: str, variant: str) -> bool:
        return variant in self.variants

    def open(self, sha256: str, variant: str):
        return io.BytesIO(self.variants[variant])

    def size(self, sha256: str, variant: str) -> int:
        return len(self.variants[variant])


def _jpeg(image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def largest_photo_community(session) -> tuple[int, int]:
    """(community id, photo links) of the community with the most finding photos."""
    from server.buildings.models import Building, Estate
    from server.findings.models import Finding, FindingPhoto

    links = sa.func.count(FindingPhoto.id)
    return tuple(session.execute(
        sa.select(Estate.community_id, links)
        .join(Building, Building.estate_id == Estate.id)
        .join(Finding, Finding.building_id == Building.id)
        .join(FindingPhoto, FindingPhoto.finding_id == Finding.id)
        .group_by(Estate.community_id).order_by(links.desc(), Estate.community_id).limit(1)).one())


def download_photo_zip(client, community_id: int) -> dict:
    """Streams the community's photo ZIP to nowhere: seconds, MB."""
    started = time.perf_counter()
    response = client.get(f"/desk/exports/photos/{community_id}.zip", buffered=False)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return {"photo_zip_s": time.perf_counter() - started, "photo_zip_mb": size / 1e6}


def measure_photo_zip(url: str) -> dict:
    """Runs in a child process of its own: the photo ZIP of the largest community."""
    from server import create_app
    from server.accounts.models import User
    from server.extensions import db
    from server.photos.operations import STORE_EXTENSION

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    app.extensions[STORE_EXTENSION] = OneImageStore()
    client = app.test_client()
    with app.app_context():
        reviewer_id, epoch = db.session.execute(
            sa.select(User.id, User.session_epoch).where(User.username == "shenhe")).one()
        community_id, photos = largest_photo_community(db.session)
    sign_in(client, reviewer_id, epoch)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = download_photo_zip(client, community_id)
    return {**figures, "photo_zip_photos": photos, "photo_zip_rss_before_mb": before,
            "photo_zip_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--measure-photo-zip", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.measure_photo_zip:
        print(json.dumps(measure_photo_zip(args.measure_photo_zip)))
        return
    base = os.environ.get("LOUJIAN_BENCH_POSTGRES", DEFAULT_POSTGRES)
    name = f"loujian_desk_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        findings = args.buildings * SUBMISSIONS_PER_BUILDING * FINDINGS_PER_SUBMISSION
        print(f"building {args.buildings:,} buildings, {findings:,} findings, "
              f"{findings * PHOTOS_PER_FINDING:,} photos in {name} …", flush=True)
        started = time.perf_counter()
        build(url, args.buildings)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        child = subprocess.run([sys.executable, __file__, "--measure", url], check=True,
                               capture_output=True, text=True, cwd=REPO)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        child = subprocess.run([sys.executable, __file__, "--measure-photo-zip", url],
                               check=True, capture_output=True, text=True, cwd=REPO)
        figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"community ledger page (~{args.buildings // COMMUNITIES} buildings): "
              f"{figures['community_ledger_ms']:.0f} ms, CPU {figures['community_ledger_cpu_ms']:.0f}"
              f" ms (target < 300 ms)")
        print(f"county indicator table ({COMMUNITIES} communities):  "
              f"{figures['county_indicator_table_ms']:.0f} ms, CPU "
              f"{figures['county_indicator_table_cpu_ms']:.0f} ms (target < 300 ms)")
        print(f"county problem list XLSX: {figures['problem_list_xlsx_s']:.1f} s, CPU "
              f"{figures['problem_list_xlsx_cpu_s']:.1f} s, {figures['problem_list_xlsx_mb']:.1f} MB"
              f" (target < 60 s)")
        print(f"peak RSS of the desk process: {figures['peak_rss_mb']:.0f} MB "
              f"(before the export {figures['rss_before_export_mb']:.0f} MB; target < 300 MB)")
        print(f"photo ZIP of the largest community ({figures['photo_zip_photos']:,} photos): "
              f"{figures['photo_zip_s']:.1f} s, {figures['photo_zip_mb']:.0f} MB; peak RSS of its "
              f"process {figures['photo_zip_peak_rss_mb']:.0f} MB (before "
              f"{figures['photo_zip_rss_before_mb']:.0f} MB; target < 300 MB)")
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept {url}")
        admin.dispose()


if __name__ == "__main__":
    main()
