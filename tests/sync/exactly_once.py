"""A device working through a scenario, and what the scenario is judged by: every operation,
finding and photo on the server exactly once, photos byte-identical, and the derived ledger the
same as after a clean run (the rule's answer, and the building_statuses the server keeps equal to
it). (Shared by test_fault_injection.py and test_server_kill.py.)

`Workload` turns a planned scenario (tests.sync.faults.scenario) into the operations and photo
files a device queues — for a twin, the same plan and photos with other operation ids, on twin
buildings, for the clean run to compare with. Names ("op 2", "op 2/hose_faulty", "photo 3") stand
in for ids and hashes, so the two runs compare equal when they store the same things.
`FieldTrial` sets up the surveyor, the buildings and the device, and runs the trial.
"""
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.accounts.models import Role
from server.accounts.operations import issue_token
from server.audit.models import AuditEntry
from server.buildings.models import Building
from server.extensions import db
from server.findings.models import Finding
from server.ledger.models import BuildingStatus
from server.ledger.operations import indicator_statuses
from server.photos.models import Photo
from server.photos.operations import photo_store
from server.catalog import form_registry, round_by_code
from server.surveys.models import Submission
from server.syncing.models import Change, SyncOperation
from sync import counting
from sync.client import SyncClient
from sync.outbox import Outbox
from sync.photo_files import describe_photo
from tests.factories import submission_op
from tests.kept_counts import recounted, tallies
from tests.sync.faults import (
    BASE_URL,
    CHUNK_SIZE,
    AppTransport,
    FaultyAdapter,
    Scenario,
    ServerCrashes,
    photo_bytes,
    session_on,
)

MAX_SYNCS = 50


@dataclass
class Workload:
    building_ids: list[int]
    queued: list[tuple[dict, list]] = field(default_factory=list)  # (operation, PhotoFiles)
    photos: dict[str, bytes] = field(default_factory=dict)          # sha → the file's bytes
    names: dict[str, str] = field(default_factory=dict)             # uuid or sha → name
    submissions: dict[int, list[str]] = field(default_factory=dict)  # building id → uuids
    findings: dict[int, list[str]] = field(default_factory=dict)
    finding_photos: dict[str, list[str]] = field(default_factory=dict)  # uuid → shas
    audited: dict[str, str] = field(default_factory=dict)  # uuid or sha → its one audit action

    @classmethod
    def build(cls, scenario, buildings, folder, gas_answers, *, twin=False) -> "Workload":
        workload = cls([b.id for b in buildings])
        workload.submissions = {b.id: [] for b in buildings}
        workload.findings = {b.id: [] for b in buildings}
        files = []
        for photo in scenario.photos:
            path = folder / f"{scenario.seed}-{photo.number}"
            if not path.exists():
                path.write_bytes(photo_bytes(scenario.seed, photo))
            files.append(describe_photo(path))
            workload.photos[files[-1].sha256] = path.read_bytes()
            workload.names[files[-1].sha256] = f"photo {photo.number}"
            workload.audited[files[-1].sha256] = "photo.received"
        for number, planned in enumerate(scenario.operations):
            op_id = str(uuid.uuid5(uuid.UUID(planned.id), "twin")) if twin else planned.id
            building = buildings[planned.building]
            workload.names[op_id] = f"op {number}"
            if planned.kind == "submission":
                operation = _gas_form(op_id, planned, building, files, gas_answers)
                workload.submissions[building.id].append(op_id)
                workload.audited[op_id] = "submission.created"
                for question, numbers in planned.defects:
                    finding = str(uuid.uuid5(uuid.UUID(op_id), question))
                    workload._expect_finding(building, finding, f"op {number}/{question}",
                                             [files[n].sha256 for n in numbers])
            else:
                operation = _pipe_leak(op_id, planned, building, files)
                workload.audited[op_id] = "finding.reported"
                workload._expect_finding(building, op_id, f"op {number}",
                                         [files[n].sha256 for n in planned.photos])
            shas = workload.finding_photos_of(operation)
            workload.queued.append((operation, [f for f in files if f.sha256 in shas]))
        used = {sha for shas in workload.finding_photos.values() for sha in shas}
        for unused in set(workload.photos) - used:  # taken, but in no finding: never queued
            del workload.photos[unused], workload.audited[unused]
        return workload

    def _expect_finding(self, building, finding: str, name: str, shas: list[str]) -> None:
        self.findings[building.id].append(finding)
        self.names[finding] = name
        self.finding_photos[finding] = shas

    @staticmethod
    def finding_photos_of(operation: dict) -> set[str]:
        if operation["op"] == "finding.report":
            return set(operation["photos"])
        return {sha for key, value in operation["answers"].items() if key.endswith("_photos")
                for sha in value}

    @property
    def operation_ids(self) -> list[str]:
        return [operation["id"] for operation, _ in self.queued]

    def queue_on(self, outbox) -> None:
        for operation, photos in self.queued:
            outbox.add(operation, photos=photos)

    def name(self, key):
        return self.names.get(key, key)


def _gas_form(op_id, planned, building, files, gas_answers) -> dict:
    answers = {}
    for question, numbers in planned.defects:
        answers[question] = True
        answers[f"{question}_location"] = {"unit": planned.unit, "floor": planned.floor}
        answers[f"{question}_photos"] = [files[n].sha256 for n in numbers]
    return submission_op(building, gas_answers(**answers), id=op_id,
                         captured_at=planned.captured_at)


def _pipe_leak(op_id, planned, building, files) -> dict:
    operation = {"op": "finding.report", "id": op_id, "building_id": building.id,
                 "indicator": 6, "question_id": "water_pipes_leaking",
                 "description": "给水管接口渗漏", "captured_at": planned.captured_at,
                 "photos": [files[n].sha256 for n in planned.photos]}
    if planned.unit is not None:
        operation["unit"] = planned.unit
    if planned.floor is not None:
        operation["floor"] = planned.floor
    return operation


@dataclass
class Run:
    workload: Workload
    outbox: Outbox
    adapter: FaultyAdapter
    client: SyncClient
    problems: list[str] = field(default_factory=list)
    syncs: int = 0


class FieldTrial:
    """Runs a scenario on a device against the real app: through a faulty network on fresh
    buildings, then cleanly on twin buildings, and judges it."""

    def __init__(self, app, tmp_path, gas_answers, make_estate, make_building, make_community,
                 make_user, make_round, monkeypatch):
        make_round()
        self.community = make_community()
        user = make_user(Role.WORKER, communities=[self.community])
        self.token, _ = issue_token(user, timedelta(days=1))
        db.session.commit()
        self.estate = make_estate(community=self.community)
        self.app, self.tmp_path, self.gas_answers = app, tmp_path, gas_answers
        self.make_building = make_building
        self.crashes = ServerCrashes(monkeypatch)

    def start(self, plan: Scenario, *, script=(), session=None, base_url=BASE_URL) -> Run:
        """A device with the scenario's workload queued, its network set up — by default the
        app in-process through a FaultyAdapter, or `session` to `base_url`; nothing sent yet."""
        workload = self.workload(plan)
        feed_head = db.session.scalar(select(func.max(Change.seq))) or 0
        db.session.rollback()
        outbox = Outbox(self.tmp_path / f"outbox-{plan.seed}.sqlite3")
        outbox.save_pulled([], str(feed_head))  # the device had pulled everything before
        workload.queue_on(outbox)
        adapter = FaultyAdapter(AppTransport(self.app), random.Random(f"faults-{plan.seed}"),
                                probability=plan.probability, budget=plan.budget,
                                kinds=plan.kinds, crashes=self.crashes, script=script)
        client = SyncClient(base_url, self.token, session=session or session_on(adapter),
                            sleep=adapter.sleep, rng=random.Random(plan.seed),
                            chunk_size=CHUNK_SIZE)
        return Run(workload, outbox, adapter, client)

    def workload(self, plan: Scenario, *, twin=False, commit=True) -> Workload:
        """The scenario's workload on buildings of its own (the twin's: twin buildings)."""
        buildings = [self.make_building(self.estate, **plan.facts) for _ in range(plan.buildings)]
        workload = Workload.build(plan, buildings, self.tmp_path, self.gas_answers, twin=twin)
        if commit:
            db.session.commit()  # the app's sessions see the buildings
        return workload

    def finish(self, run: Run) -> Run:
        run.syncs += sync_until_done(run.client, run.outbox)
        run.adapter.flush_held()  # what was stuck in the network arrives after all
        run.problems = self.judge(run)
        return run

    @staticmethod
    def judge(run: Run) -> list[str]:
        """What is not exactly once, a Retry-After not waited out, and a scripted fault that
        never struck (the test would pass without testing it)."""
        return (exactly_once_problems(run.workload, run.outbox) + run.adapter.short_waits
                + run.adapter.script_left())

    def trials(self, plans, *, script=()) -> list[Run]:
        """Each scenario through its faulty network, then compared with its clean twin. What
        goes wrong, an exception too, is in the run's problems, next to its faults."""
        runs = [self._attempt(plan, script) for plan in plans]
        self.compare_with_clean_twins(plans, runs)
        return runs

    def trial(self, plan: Scenario, *, script=()) -> Run:
        return self.trials([plan], script=script)[0]

    def compare_with_clean_twins(self, plans, runs) -> None:
        """The twins' workloads, all queued on one device and sent on a clean network (their
        photos are the same files: held already); each run's ledger compared with its twin's."""
        twins = [self.workload(plan, twin=True, commit=False) for plan in plans]
        db.session.commit()
        with Outbox(self.tmp_path / f"outbox-twins-{plans[0].seed}.sqlite3") as outbox:
            for twin in twins:
                twin.queue_on(outbox)
            clean = SyncClient(BASE_URL, self.token, session=session_on(AppTransport(self.app)),
                               sleep=lambda seconds: None, chunk_size=CHUNK_SIZE)
            sync_until_done(clean, outbox, pull=False)
        for run, twin in zip(runs, twins):
            run.problems += ledger_differences(ledger(run.workload), ledger(twin))
        round_id = round_by_code(None).id
        if tallies(round_id) != recounted(round_id):
            runs[0].problems.append(f"status_tallies {tallies(round_id)} where the kept rows "
                                    f"count {recounted(round_id)}")

    def _attempt(self, plan: Scenario, script) -> Run:
        run = self.start(plan, script=script)
        try:
            self.finish(run)
        except Exception as error:  # noqa: BLE001 — reported with the seed and its faults
            db.session.rollback()
            run.problems.append(f"{type(error).__name__}: {error}")
        finally:
            run.outbox.close()
        return run


def sync_until_done(client, outbox, *, pull=True, max_syncs: int = MAX_SYNCS) -> int:
    """Sync as a device does — again and again — until a sync ends with nothing left to send;
    returns how many syncs it took."""
    for syncs in range(1, max_syncs + 1):
        report = client.sync(outbox, pull=pull)
        if report.stopped is None and not outbox.to_push() and not outbox.photos_waiting():
            return syncs
    raise AssertionError(f"still not done after {max_syncs} syncs: {report.stopped}")


# ---- judging --------------------------------------------------------------------------------

def exactly_once_problems(workload: Workload, outbox) -> list[str]:
    """Everything that is not exactly once, byte-identical and known to the device; [] if none."""
    db.session.rollback()  # a fresh look at what the server's sessions committed
    problems = _device_problems(workload, outbox)
    logged = Counter(db.session.scalars(
        select(SyncOperation.id).where(SyncOperation.id.in_(workload.operation_ids))))
    problems += _count_problems("in sync_operations", workload.operation_ids, logged, workload)
    submissions = db.session.execute(select(Submission.building_id, Submission.uuid).where(
        Submission.building_id.in_(workload.building_ids))).all()
    findings = db.session.scalars(select(Finding).where(
        Finding.building_id.in_(workload.building_ids)).options(selectinload(Finding.photos))).all()
    for building_id in workload.building_ids:
        stored = Counter(uuid for building, uuid in submissions if building == building_id)
        problems += _count_problems("submission", workload.submissions[building_id], stored,
                                    workload)
        stored = Counter(f.uuid for f in findings if f.building_id == building_id)
        problems += _count_problems("finding", workload.findings[building_id], stored, workload)
    for finding in findings:
        linked = [link.sha256 for link in finding.photos]
        if linked != workload.finding_photos.get(finding.uuid, linked):
            problems.append(f"{workload.name(finding.uuid)} links photos "
                            f"{[workload.name(s) for s in linked]}")
    problems += _photo_problems(workload)
    audited = Counter(db.session.execute(select(AuditEntry.action, AuditEntry.entity_id).where(
        AuditEntry.entity_id.in_([*workload.audited]))).all())
    for key, action in workload.audited.items():
        if audited[(action, key)] != 1:
            problems.append(f"{workload.name(key)}: {audited[(action, key)]} × {action} audited")
    db.session.rollback()
    return problems


def _device_problems(workload: Workload, outbox) -> list[str]:
    problems = []
    expected = {"pending": 0, "sent": 0, "applied": len(workload.queued), "failed": 0}
    if outbox.counts() != expected:
        problems.append(f"outbox {outbox.counts()}: "
                        f"{[(i.error or i.last_error) for i in outbox.items(('failed', 'sent'))]}")
    if outbox.photo_counts() != {"pending": 0, "held": len(workload.photos), "failed": 0}:
        problems.append(f"outbox photos {outbox.photo_counts()}")
    for building_id in workload.building_ids:
        for submission in workload.submissions[building_id]:
            if outbox.pulled("submission", submission) is None:
                problems.append(f"{workload.name(submission)} not pulled by the device")
        for finding in workload.findings[building_id]:
            pulled = outbox.pulled("finding", finding)
            if pulled is None or pulled.get("missing_photos"):
                problems.append(f"{workload.name(finding)} pulled as {pulled}")
    return problems


def _count_problems(what: str, expected: list[str], stored: Counter, workload) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(stored)):
        if stored[key] != expected.count(key):
            problems.append(f"{what} {workload.name(key)}: {stored[key]} stored, "
                            f"{expected.count(key)} expected")
    return problems


def _photo_problems(workload: Workload) -> list[str]:
    problems, store = [], photo_store()
    for sha, data in workload.photos.items():
        name, photo = workload.name(sha), db.session.get(Photo, sha)
        if photo is None:
            problems.append(f"{name} missing on the server")
            continue
        with store.open(sha, "original") as original:
            if photo.byte_size != len(data) or original.read() != data:
                problems.append(f"{name} stored with other bytes")
        if store.partial_size(sha):
            problems.append(f"{name}: {store.partial_size(sha)} bytes of a partial upload left")
    return problems


def ledger(workload: Workload) -> list[dict]:
    """What the bureau derives from the workload's buildings, ids and hashes replaced by names."""
    db.session.rollback()
    survey_round = round_by_code(None)
    system = form_registry().system(survey_round.system)
    buildings = []
    for building_id in workload.building_ids:
        building = db.session.get(Building, building_id)
        statuses = indicator_statuses(building, survey_round, system)
        submissions = db.session.scalars(select(Submission).where(
            Submission.building_id == building_id)).all()
        findings = db.session.scalars(select(Finding).where(
            Finding.building_id == building_id).options(selectinload(Finding.photos))).all()
        kept = db.session.execute(
            select(BuildingStatus.indicator, BuildingStatus.state)
            .where(BuildingStatus.building_id == building_id,
                   BuildingStatus.round_id == survey_round.id)
            .order_by(BuildingStatus.indicator)).all()
        buildings.append({
            "statuses": statuses,
            "kept": [tuple(row) for row in kept],
            "submissions": sorted(((workload.name(s.uuid), s.indicator, s.counts, s.captured_at)
                                   for s in submissions), key=repr),
            "findings": sorted(((workload.name(f.uuid), f.indicator, f.question_id, f.check_item,
                                 f.unit, f.floor, f.location_detail, f.description, f.severity,
                                 f.problem_class, f.status, f.captured_at,
                                 tuple(workload.name(p.sha256) for p in f.photos))
                                for f in findings), key=repr),
        })
    db.session.rollback()
    return buildings


# What building_statuses may keep for each state the rule derives: 不适用 and 未调查 are decided
# when read (a building surveyed for an indicator that does not apply is kept as 否).
KEPT_FOR = {counting.COUNTS: {counting.COUNTS}, counting.PENDING: {counting.PENDING},
            counting.CLEAR: {counting.CLEAR}, counting.NOT_APPLICABLE: {None, counting.CLEAR},
            counting.NOT_SURVEYED: {None}}


def ledger_differences(faulty: list[dict], clean: list[dict]) -> list[str]:
    problems = []
    for number, (mine, theirs) in enumerate(zip(faulty, clean)):
        kept = dict(mine["kept"])
        derived = [(s["indicator"], s["state"]) for s in mine["statuses"]]
        agree = all(kept.get(indicator) in KEPT_FOR[state] for indicator, state in derived) \
            and set(kept) <= {indicator for indicator, _ in derived}
        if not agree:
            problems.append(f"building {number}: building_statuses {mine['kept']} "
                            f"where the rule derives {derived}")
        for part in ("statuses", "kept", "submissions", "findings"):
            if mine[part] != theirs[part]:
                problems.append(f"building {number} {part}: "
                                f"{[row for row in mine[part] if row not in theirs[part]]} "
                                f"where the clean run has "
                                f"{[row for row in theirs[part] if row not in mine[part]]}")
    return problems
