"""Writing the demo's survey data (fieldwork.py plans it) the way it would arrive for real: photos
through the photo pipeline, forms and reports through sync push, decisions through the review
operations (desk.py). Operations only flush; the CLI commits."""
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from server.accounts.models import User
from server.buildings.models import Building, Estate
from server.demo.county import CountyPlan
from server.demo.desk import Desk, record_appraisals
from server.demo.fieldwork import Fieldwork, plan_fieldwork, stable_uuid
from server.extensions import db
from server.photos.operations import receive_photo
from server.catalog import form_registry, round_by_code
from server.syncing.operations import push
from sync import lifecycle

BATCH = 100  # the most operations one push takes (server/syncing/schemas.py MAX_BATCH)
REVIEWER, AGENCY = "shenhe", "jiance"


@dataclass(frozen=True)
class SurveySummary:
    submissions: int
    findings: dict[str, int]  # status -> count, in the order of lifecycle.STATES
    photos: int
    day_off_photos: int
    appraisals: int

    def findings_line(self) -> str:
        return "，".join(f"{lifecycle.label(s)} {n}" for s, n in self.findings.items() if n)


class PushRefused(RuntimeError):
    """The demo's own data did not pass: a bug in the demo, never to be ignored."""


def seed_demo_surveys(plan: CountyPlan, seed: int, round_code: str) -> SurveySummary:
    survey_round = round_by_code(round_code)
    registry = form_registry()
    work = plan_fieldwork(plan, registry, survey_round.system, seed, survey_round.year)
    users = {u.username: u for u in db.session.scalars(select(User))}
    buildings = {(estate, number): building_id for building_id, estate, number in
                 db.session.execute(select(Building.id, Estate.name, Building.number)
                                    .join(Building.estate))}

    def push_as(author: str, operations: list[dict]) -> None:
        device = stable_uuid(seed, "device", author)
        for start in range(0, len(operations), BATCH):
            results = push(users[author], device, operations[start:start + BATCH], registry)
            refused = [r for r in results if r["status"] != "applied"]
            if refused:
                raise PushRefused(f"{author}: {refused[:3]}")

    _receive_photos(work, users)
    for author, operations in _field_operations(work, buildings, round_code).items():
        push_as(author, operations)
    db.session.flush()
    for author, operations in _descriptions(work).items():
        push_as(author, operations)
    Desk(work, users, users[REVIEWER], seed, push_as).decide_all()
    appraisals = record_appraisals(work, users[AGENCY], buildings)
    db.session.flush()
    tally = Counter(f.state for f in work.findings)
    return SurveySummary(submissions=len(work.submissions),
                         findings={s: tally[s] for s in lifecycle.STATES},
                         photos=len(work.photos), day_off_photos=len(work.day_off),
                         appraisals=appraisals)


def _receive_photos(work: Fieldwork, users: dict) -> None:
    """Each photo as its phone uploads it, before the forms that name it (either order works)."""
    for photo in work.photos.values():
        receive_photo(users[photo.author], photo.sha256, photo.data, {
            "captured_at": photo.captured_at, "latitude": photo.latitude,
            "longitude": photo.longitude})


def _field_operations(work: Fieldwork, buildings: dict, round_code: str) -> dict[str, list]:
    """submission.create and finding.report operations per author, in the order captured."""
    by_author: dict[str, list] = {}
    for submission in work.submissions:
        by_author.setdefault(submission.author, []).append((submission.captured_at, {
            "op": "submission.create", "id": submission.uuid,
            "building_id": buildings[submission.building], "form_id": submission.form_id,
            "form_version": submission.form_version, "round": round_code,
            "answers": submission.answers, "captured_at": submission.captured_at.isoformat()}))
    for finding in work.findings:
        if finding.report is not None:
            by_author.setdefault(finding.author, []).append((finding.captured_at, {
                "op": "finding.report", "id": finding.uuid, "round": round_code,
                "building_id": buildings[finding.building], **finding.report,
                "captured_at": finding.captured_at.isoformat()}))
    return {author: [op for _, op in sorted(ops, key=lambda item: item[0])]
            for author, ops in sorted(by_author.items())}


def _descriptions(work: Fieldwork) -> dict[str, list]:
    """What the surveyor added on the finding's screen afterwards (finding.update): a note, and
    the photos of a defect whose form question has no photo field."""
    by_author: dict[str, list] = {}
    for finding in work.findings:
        changes = {}
        if finding.submission is not None and finding.description:
            changes["description"] = finding.description
        if finding.photos_added_later:
            changes["add_photos"] = finding.photos
        if changes:
            by_author.setdefault(finding.author, []).append({
                "op": "finding.update", "id": stable_uuid("describe", finding.uuid),
                "finding": finding.uuid, "changes": changes})
    return dict(sorted(by_author.items()))
