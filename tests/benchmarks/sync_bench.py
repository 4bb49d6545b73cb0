"""Sync benchmark: the server under gunicorn, 20 simulated devices pushing at once.

    .venv/bin/python tests/benchmarks/sync_bench.py [--db sqlite|postgresql|both] [--devices 20]

Builds its own database (SQLite file, or a fresh PostgreSQL database beside
LOUJIAN_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test), seeds the demo county,
starts gunicorn on a free port, and prints:
  1. findings ingested per second (each device pushes batches of 100 finding.report operations);
  2. photos processed per second (12-megapixel JPEGs, one PUT each, 20 devices at once);
  3. round trips and bytes for one device's sync of 50 findings with 100 photos;
  4. bytes re-sent by a sync retried after a cut, beyond what the server lacked.
Targets (issue #3): >= 1,000 findings/s on PostgreSQL, >= 20 photos/s, zero errors, two round trips
(push + pull) plus one check and one upload per missing photo, no held byte re-sent.
"""
import argparse
import hashlib
import io
import os
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from PIL import Image

from harness import bench_database, distinct_copy, finding_ops, gunicorn, phone_photo, prepare
# harness has put the repository on sys.path
from sync.client import SyncClient
from sync.outbox import Outbox
from sync.retry import RetryPolicy

BATCH = 100


def run_devices(count: int, work) -> tuple[float, list]:
    """Run work(index) on `count` threads at once; the wall time and every error raised."""
    errors, start_line = [], threading.Barrier(count + 1)

    def device(index):
        start_line.wait()
        try:
            work(index)
        except Exception as error:  # counted, never hidden
            errors.append(repr(error))

    threads = [threading.Thread(target=device, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, errors


# ---- 1. findings -------------------------------------------------------------------------

def bench_findings(base: str, setup: dict, devices: int, batches: int) -> dict:
    bad = []

    def work(index):
        account, rng = setup["accounts"][index], random.Random(index)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {account['token']}"
        for _ in range(batches):
            operations = finding_ops(rng, account["buildings"], setup["defects"], BATCH)
            response = session.post(base + "/api/sync/push", timeout=120,
                                    json={"device_id": str(uuid.uuid4()), "operations": operations})
            response.raise_for_status()
            bad.extend(r for r in response.json()["results"] if r["status"] != "applied")

    seconds, errors = run_devices(devices, work)
    total = devices * batches * BATCH
    return {"findings": total, "seconds": seconds, "per_second": total / seconds,
            "errors": len(errors) + len(bad), "first_error": (errors or bad or [None])[0]}


# ---- 2. photos ---------------------------------------------------------------------------

def twelve_megapixel_jpeg(rng: random.Random) -> bytes:
    """A 4000x3000 JPEG with photo-like texture (about the size a phone's camera writes)."""
    small = Image.effect_noise((500, 375), 60).convert("RGB")
    tint = Image.new("RGB", small.size, tuple(rng.randrange(60, 200) for _ in range(3)))
    image = Image.blend(small, tint, 0.6).resize((4000, 3000), Image.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def bench_photos(base: str, setup: dict, devices: int, per_device: int, sample: bytes) -> dict:
    failures = []

    def work(index):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {setup['accounts'][index]['token']}"
        for n in range(per_device):
            data = distinct_copy(sample, f"device {index} photo {n} {uuid.uuid4()}")
            sha = hashlib.sha256(data).hexdigest()
            response = session.put(f"{base}/api/photos/{sha}", data=data, timeout=120,
                                   headers={"Content-Type": "image/jpeg"})
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:200]}")

    seconds, errors = run_devices(devices, work)
    total = devices * per_device
    return {"photos": total, "seconds": seconds, "per_second": total / seconds,
            "mb_each": len(sample) / 1e6, "errors": len(errors) + len(failures),
            "first_error": (errors or failures or [None])[0]}


# ---- 3 and 4. one device's sync ----------------------------------------------------------

def fill_outbox(outbox: Outbox, folder: Path, setup: dict, account: dict, findings: int,
                photos_each: int, rng: random.Random, big: set[int] = frozenset()) -> int:
    base_photo, photo_bytes = phone_photo(rng), 0
    for index, operation in enumerate(finding_ops(rng, account["buildings"], setup["defects"],
                                                  findings)):
        paths = []
        for n in range(photos_each):
            data = distinct_copy(base_photo, f"{operation['id']} {n}")
            if index in big:
                data = distinct_copy(twelve_megapixel_jpeg(rng), f"{operation['id']} {n}")
            path = folder / f"{operation['id']}-{n}.jpg"
            path.write_bytes(data)
            paths.append(path)
            photo_bytes += len(data)
        operation["photos"] = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
        outbox.add(operation, photos=paths)
    return photo_bytes


def bench_one_sync(base: str, setup: dict, workdir: Path) -> dict:
    account, rng = setup["accounts"][0], random.Random(7)
    folder = workdir / "sync-photos"
    folder.mkdir()
    client = SyncClient(base, account["token"])
    with Outbox(workdir / "sync-outbox.sqlite3") as outbox:
        client.sync(outbox, pull=True)  # catch up first: a device in daily use is current
        photo_bytes = fill_outbox(outbox, folder, setup, account, 50, 2, rng)
        client.stats = type(client.stats)()
        report = client.sync(outbox, pull=True)
    return {"requests": client.stats.requests, "bytes_sent": client.stats.bytes_sent,
            "photo_bytes": photo_bytes, "applied": report.applied,
            "uploaded": report.photos_uploaded, "stopped": report.stopped}


class PhotoTraffic(requests.adapters.HTTPAdapter):
    """Counts the photo bytes sent; optionally cuts the connection at the `cut_at`-th photo
    request, after half its body went out (those bytes count as sent, none as received)."""

    def __init__(self, cut_at: int | None = None):
        super().__init__()
        self.cut_at, self.pieces, self.photo_bytes = cut_at, 0, 0

    def send(self, request, **kwargs):
        if "/api/photos/" in request.url and request.method == "PUT":
            self.pieces += 1
            if self.pieces == self.cut_at:
                self.photo_bytes += len(request.body) // 2
                raise requests.ConnectionError("cut for the benchmark")
            self.photo_bytes += len(request.body)
        return super().send(request, **kwargs)


def bench_cut_and_resume(base: str, setup: dict, workdir: Path) -> dict:
    """A sync cut mid-way, then run again: which photo bytes did the second run send that the
    server already held? (Target: none.)"""
    account, rng = setup["accounts"][1], random.Random(11)
    folder = workdir / "cut-photos"
    folder.mkdir()
    with Outbox(workdir / "cut-outbox.sqlite3") as outbox:
        fill_outbox(outbox, folder, setup, account, 10, 2, rng, big={3, 7})
        cut = PhotoTraffic(cut_at=12)
        first = SyncClient(base, account["token"], session=_session(cut), chunk_size=1 << 20,
                           policy=RetryPolicy(max_attempts=1))  # the cut ends this run
        first.sync(outbox)
        waiting = outbox.photos_waiting()
        lacking = SyncClient(base, account["token"]).check_photos([p.sha256 for p in waiting])
        sizes = {p.sha256: Path(p.path).stat().st_size for p in waiting}
        still_needed = sum(sizes[sha] - int(lacking["partial"].get(sha, 0))
                           for sha in lacking["missing"])
        resumed = PhotoTraffic()
        report = SyncClient(base, account["token"], session=_session(resumed),
                            chunk_size=1 << 20).sync(outbox)
    return {"photo_bytes_first_run": cut.photo_bytes, "lacking_after_cut": still_needed,
            "photo_bytes_resumed": resumed.photo_bytes,
            "held_bytes_resent": max(0, resumed.photo_bytes - still_needed),
            "uploaded_in_resume": report.photos_uploaded, "stopped": report.stopped}


def _session(adapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    return session


# ---- main --------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--batches", type=int, default=5, help="batches of 100 per device")
    parser.add_argument("--photos", type=int, default=3, help="12 MP photos per device")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    sample = twelve_megapixel_jpeg(random.Random(1))
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"machine: {os.cpu_count()} cores; gunicorn workers: {args.workers}; "
          f"devices: {args.devices}")
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="loujian-bench-") as tmp:
            workdir = Path(tmp)
            with bench_database(kind, workdir) as url:
                setup = prepare(url, workdir / "media", args.devices)
                with gunicorn(url, workdir / "media", args.workers,
                              log=workdir / "gunicorn.log") as server:
                    base = server.base
                    report(kind, "findings", bench_findings(base, setup, args.devices,
                                                            args.batches))
                    report(kind, "photos", bench_photos(base, setup, args.devices,
                                                        args.photos, sample))
                    report(kind, "one sync of 50 findings + 100 photos",
                           bench_one_sync(base, setup, workdir))
                    report(kind, "retry after a cut", bench_cut_and_resume(base, setup, workdir))


def report(kind: str, title: str, figures: dict) -> None:
    shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in figures.items())
    print(f"[{kind}] {title}: {shown}", flush=True)


if __name__ == "__main__":
    main()
