"""Soak benchmark: phones, reviewers and an export at once against gunicorn on PostgreSQL.

    .venv/bin/python tests/benchmarks/soak_bench.py [--seconds 600] [--phones 50] [--reviewers 5]
                                                    [--workers 2] [--threads 4] [--no-surveys]

Builds a fresh PostgreSQL database beside LOUJIAN_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/test), seeds the demo county with its season of fieldwork,
one worker per phone (communities taken in turn) and one reviewer per reviewer plus one for the
export, starts gunicorn with threaded workers as `make serve` does (2 × 4 threads), and for
--seconds runs at once:
  - phones, each in a loop: push 2–4 finding.report operations for buildings of its community
    (the first referencing a new ~400 KB 2048 px JPEG) and, once it has some, a finding.update
    of one of its own; upload that photo (PUT /api/photos/<sha>); pull until the feed is drained;
    pause 1–5 s;
  - reviewers through the desk's HTML as a browser would: the sign-in form with its CSRF
    token, then in a loop the review queue, one of its first 20 findings, that page's 确认 form
    (its CSRF token and version) posted; pause 1–3 s;
  - one export in a loop: /desk/exports/finding-ledger.xlsx and /desk/exports/problems.xlsx in
    turn, each read to its end; pause 1 s.
Then it prints p50/p95/p99 latency and counts per route class, what the pushes and decisions
came to, gunicorn's RSS (master + workers, VmRSS summed) every 10 s with its slope over the
second half of the run, and the CPU seconds used by gunicorn and by this database's PostgreSQL
backends over the run, per request.

Errors are answers >= 500 and requests that got no answer; unexpected answers are any other
status a step did not expect (a decision's 409, the finding changed since the page was read, is
expected and counted apart). The exit status is 1 if there was either, with the tail of
gunicorn's log. Everything stops by itself; gunicorn is stopped and the database dropped on
error and on Ctrl-C (SIGINT) or SIGTERM as well.
"""
import argparse
import hashlib
import random
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import requests

from harness import (PASSWORD, bench_database, distinct_copy, finding_ops, gunicorn, phone_photo,
                     prepare)
from server_watch import ServerWatch

CLASSES = ("push", "photo upload", "pull", "sign-in", "desk page", "decision", "export")
EXPORTS = ("/desk/exports/finding-ledger.xlsx", "/desk/exports/problems.xlsx")
FINDING_LINK = re.compile(r'href="(/desk/review/findings/[0-9a-f-]{36}[^"]*)"')
TIMEOUT, EXPORT_TIMEOUT = 60, 300
MAX_PULL_PAGES = 100
EXPECTED_RESULTS = {("finding.report", "applied"), ("finding.update", "applied"),
                    ("finding.update", "rejected")}  # rejected: reviewed since it was reported


# ---- what happened -----------------------------------------------------------------------

class Recorder:
    """Every request's latency and status by route class; errors (>= 500, no answer) and
    unexpected answers, with the first few of each kept to print; and outcomes by name."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.outcomes = Counter()
        self.errors, self.unexpected = [], []

    def request(self, kind: str, session: requests.Session, method: str, url: str,
                ok=(200,), **kwargs) -> requests.Response | None:
        """The response if its status is one of `ok`, else None (noted as error/unexpected)."""
        kwargs.setdefault("timeout", TIMEOUT)
        started = time.perf_counter()
        try:
            response = session.request(method, url, **kwargs)
        except requests.RequestException as error:
            self._note(kind, time.perf_counter() - started, "no answer",
                       f"{kind}: {method} {url}: {error!r}")
            return None
        problem = None if response.status_code in ok else \
            f"{kind}: {method} {url} -> {response.status_code} {response.text[:300]!r}"
        self._note(kind, time.perf_counter() - started, response.status_code, problem)
        return None if problem else response

    def _note(self, kind, seconds, status, problem):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if problem is not None:
                error = status == "no answer" or status >= 500
                (self.errors if error else self.unexpected).append(problem)

    def unexpected_answer(self, text: str) -> None:
        with self.lock:
            self.unexpected.append(text)

    def count(self, outcome: str, n: int = 1) -> None:
        with self.lock:
            self.outcomes[outcome] += n


class FormReader(HTMLParser):
    """The forms of a page: each one's action and the values of its hidden inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.forms = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs.get("name")] = attrs.get("value", "")


# ---- the simulated people ----------------------------------------------------------------

def phone(index: int, base: str, setup: dict, photos: list[bytes], record: Recorder,
          stop: threading.Event) -> None:
    account, rng = setup["accounts"][index], random.Random(index)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {account['token']}"
    device, cursor, mine = str(uuid.uuid4()), "0", []
    while not stop.is_set():
        photo = distinct_copy(rng.choice(photos), f"phone {index} {uuid.uuid4()}")
        sha = hashlib.sha256(photo).hexdigest()
        operations = finding_ops(rng, account["buildings"], setup["defects"], rng.randint(2, 4))
        operations[0]["photos"] = [sha]
        if mine:
            operations.append({"op": "finding.update", "id": str(uuid.uuid4()),
                               "finding": rng.choice(mine),
                               "changes": {"description": f"补充说明 {rng.randint(1, 999)}",
                                           "floor": rng.randint(1, 6)}})
        pushed = record.request("push", session, "POST", base + "/api/sync/push",
                                json={"device_id": device, "operations": operations})
        if pushed is not None:
            for operation, result in zip(operations, pushed.json()["results"]):
                record.count(f"{operation['op']} {result['status']}")
                if (operation["op"], result["status"]) not in EXPECTED_RESULTS:
                    record.unexpected_answer(f"push: {operation['op']} -> {result}")
                elif operation["op"] == "finding.report":
                    mine = (mine + [operation["id"]])[-10:]
        record.request("photo upload", session, "PUT", f"{base}/api/photos/{sha}", data=photo,
                       ok=(201,), headers={"Content-Type": "image/jpeg"})
        for _ in range(MAX_PULL_PAGES):
            pulled = record.request("pull", session, "GET", base + "/api/sync/pull",
                                    params={"cursor": cursor, "limit": 200, "device_id": device})
            if pulled is None:
                break
            page = pulled.json()
            cursor = page["cursor"]
            record.count("changes pulled", len(page["changes"]))
            if not page["more"]:
                break
        pause(session, stop, rng.uniform(1, 5))


def pause(session: requests.Session, stop: threading.Event, seconds: float) -> None:
    """Wait, on a fresh connection afterwards. gunicorn closes a connection idle for 2 s
    (--keep-alive); a request sent on it just then is reset, which a browser answers by
    sending the request again on a new connection and requests does not."""
    session.close()
    stop.wait(seconds)


def sign_in(session: requests.Session, base: str, username: str, record: Recorder) -> bool:
    """The desk's sign-in form, as a browser fills it: its CSRF token, then the post."""
    page = record.request("desk page", session, "GET", base + "/desk/login")
    if page is None:
        return False
    fields = next(form for form in FormReader(page.text).forms if form["action"] is None)["fields"]
    answer = record.request("sign-in", session, "POST", base + "/desk/login", ok=(302,),
                            data={**fields, "username": username, "password": PASSWORD},
                            allow_redirects=False)
    return answer is not None


def reviewer(username: str, base: str, record: Recorder, stop: threading.Event) -> None:
    rng, session = random.Random(username), requests.Session()
    if not sign_in(session, base, username, record):
        return
    while not stop.is_set():
        queue = record.request("desk page", session, "GET", base + "/desk/review/")
        links = list(dict.fromkeys(FINDING_LINK.findall(queue.text))) if queue else []
        if not links:
            stop.wait(2)
            continue
        page = record.request("desk page", session, "GET", base + unescape(rng.choice(links[:20])))
        accept = next((form for form in (FormReader(page.text).forms if page else [])
                       if form["fields"].get("decision") == "accept"), None)
        if accept is None:  # decided by another reviewer meanwhile, or the page failed
            record.count("finding no longer decidable")
            continue
        decided = record.request("decision", session, "POST", base + unescape(accept["action"]),
                                 ok=(302, 409), data={**accept["fields"], "advance": "0"},
                                 allow_redirects=False)
        if decided is not None:
            record.count("decision accepted" if decided.status_code == 302 else
                         "decision refused (409: changed since read)")
        pause(session, stop, rng.uniform(1, 3))


def exporter(username: str, base: str, record: Recorder, stop: threading.Event) -> None:
    session = requests.Session()
    if not sign_in(session, base, username, record):
        return
    turn = 0
    while not stop.is_set():
        path = EXPORTS[turn % len(EXPORTS)]
        answer = record.request("export", session, "GET", base + path, timeout=EXPORT_TIMEOUT)
        if answer is not None:
            record.count(f"{path.rsplit('/', 1)[1]} bytes", len(answer.content))
            if not answer.content.startswith(b"PK"):
                record.unexpected_answer(f"export: {path} is not an XLSX")
        turn += 1
        pause(session, stop, 1)


# ---- the run -----------------------------------------------------------------------------

def soak(base: str, master: int, url: str, setup: dict, args) -> tuple[Recorder, ServerWatch]:
    record, stop = Recorder(), threading.Event()
    photos = [phone_photo(random.Random(n), grain=10) for n in range(4)]  # ~400 KB each
    *reviewers, export_account = setup["reviewers"]
    people = [threading.Thread(target=phone, args=(i, base, setup, photos, record, stop),
                               daemon=True) for i in range(args.phones)]
    people += [threading.Thread(target=reviewer, args=(name, base, record, stop), daemon=True)
               for name in reviewers]
    people.append(threading.Thread(target=exporter, args=(export_account, base, record, stop),
                                   daemon=True))
    watch = ServerWatch(master, url)
    watch.sample(first=True)
    for person in people:
        person.start()
    try:
        ends = watch.started + args.seconds
        while (left := ends - time.monotonic()) > 0:
            time.sleep(min(ServerWatch.EVERY, left))
            watch.sample()
    finally:
        stop.set()
        gone_by = time.monotonic() + TIMEOUT
        for person in people:  # a request under way finishes (or times out) first
            person.join(max(0.1, gone_by - time.monotonic()))
        watch.close()
    still = sum(person.is_alive() for person in people)
    if still:
        print(f"note: {still} simulated people still waiting for an answer at the end")
    return record, watch


def report(record: Recorder, watch: ServerWatch, seconds: float) -> None:
    with record.lock:
        latencies = {kind: sorted(values) for kind, values in record.latencies.items()}
        statuses, outcomes = dict(record.statuses), dict(record.outcomes)
    total = sum(len(values) for values in latencies.values())
    print(f"\n{'route class':<13}{'requests':>9}{'per s':>7}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}  statuses")
    for kind in CLASSES:
        values = latencies.get(kind, [])
        if not values:
            print(f"{kind:<13}{0:>9}")
            continue
        shown = " ".join(f"{status}×{n}" for status, n in sorted(statuses[kind].items(), key=str))
        print(f"{kind:<13}{len(values):>9}{len(values) / seconds:>7.1f}"
              + "".join(f"{_percentile(values, p) * 1000:>9.0f}" for p in (50, 95, 99))
              + f"{values[-1] * 1000:>9.0f}  {shown}")
    print(f"{'all':<13}{total:>9}{total / seconds:>7.1f}")
    print("\noutcomes: " + ", ".join(f"{name} {n:,}" for name, n in sorted(outcomes.items())))
    print("\ngunicorn RSS (master + workers)\n   t s      MB  processes")
    for t, mb, processes in watch.rss:
        print(f"{t:6.0f}  {mb:6.1f}  {processes:>9}")
    slope = watch.slope_mb_per_minute()
    print("slope over the second half: " +
          (f"{slope:+.2f} MB/min" if slope is not None else "too few samples"))
    for name in ("gunicorn", "postgres"):
        used = watch.cpu_used(name)
        print(f"CPU seconds, {name}: {used:.1f} ({used / seconds:.2f} cores; "
              f"{1000 * used / max(total, 1):.1f} ms per request)")
    print(f"\nerrors (>= 500 or no answer): {len(record.errors)}")
    for line in record.errors[:5]:
        print("  " + line)
    print(f"unexpected answers: {len(record.unexpected)}")
    for line in record.unexpected[:5]:
        print("  " + line)


def _percentile(ordered: list[float], p: int) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _stop_on_sigterm(_signum, _frame):
    raise KeyboardInterrupt  # unwinds like Ctrl-C: gunicorn stopped, database dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make serve: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads each (make serve: 4)")
    parser.add_argument("--no-surveys", action="store_true",
                        help="seed the county without its fieldwork (faster; the queue starts "
                             "empty and fills from the phones)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="loujian-soak-") as tmp:
        workdir = Path(tmp)
        with bench_database("postgresql", workdir) as url:
            started = time.monotonic()
            setup = prepare(url, workdir / "media", args.phones, reviewers=args.reviewers + 1,
                            surveys=not args.no_surveys,
                            token_lifetime=timedelta(seconds=args.seconds, hours=1))
            print(f"seeded the demo county, {args.phones} phones, {args.reviewers} reviewers "
                  f"and an exporter in {time.monotonic() - started:.0f} s; gunicorn "
                  f"{args.workers} workers × {args.threads} threads; {args.seconds} s …",
                  flush=True)
            log = workdir / "gunicorn.log"
            with gunicorn(url, workdir / "media", args.workers, threads=args.threads,
                          log=log) as server:
                record, watch = soak(server.base, server.pid, url, setup, args)
                report(record, watch, args.seconds)
            failed = bool(record.errors or record.unexpected)
            if failed:
                print("\ngunicorn's log, its end:\n" + log.read_text(errors="replace")[-3000:])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
