"""Push: apply a device's batch, each operation exactly once; pull: the feed in the user's scope."""
import uuid

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate
from server.db_types import DATABASE_INTEGERS, utcnow
from server.errors import ApiError
from server.extensions import db
from server.photos.operations import not_held_by
from server.findings import operations as finding_operations
from server.surveys import operations as surveys
from server.catalog import round_by_code
from server.syncing.changes import hydrate
from server.syncing.models import Change, Device, SyncOperation
from server.syncing.schemas import OPERATION_SCHEMAS, FindingResultSchema
from server.touches import touch
from sync.idempotency import differing_fields


def push(user: User, device_id: uuid.UUID | None, operations: list[dict], registry,
         seen: dict | None = None) -> list[dict]:
    """Apply a batch. The fast way checks each operation in Python and writes the whole batch
    with one flush. Should the database refuse that flush (a twin of the batch committed the same
    ids a moment earlier), everything is rolled back and applied again with one savepoint per
    operation, where each twin is answered from the operation log."""
    try:
        results = _apply_batch(user, device_id, operations, registry, isolated=False)
    except IntegrityError:
        db.session.rollback()
        results = _apply_batch(user, device_id, operations, registry, isolated=True)
    if device_id is not None:
        device = _device(user, device_id)
        device.last_push_at = utcnow()
        for name, value in (seen or {}).items():
            setattr(device, name, value)
    return results


def _apply_batch(user, device_id, operations, registry, *, isolated: bool) -> list[dict]:
    batch = Batch(user, device_id, registry, operations)
    if isolated:
        answers = [batch.apply(raw, isolated) for raw in operations]
    else:
        with db.session.no_autoflush:  # written at once below, in a few multi-row inserts
            answers = [batch.apply(raw, isolated) for raw in operations]
    with db.session.no_autoflush:  # the batch writes no photos: ask before it is written
        missing = set(not_held_by(user.id, batch.photo_hashes))
    results = [answer(missing) for answer in answers]
    db.session.flush()
    return results


class Batch:
    """What a batch needs from the database, fetched once: the operations already applied, the
    buildings it touches (with what the scope checks read), the rounds it names."""

    def __init__(self, user, device_id, registry, operations):
        self.user, self.device_id, self.registry = user, device_id, registry
        self.stored = {op.id: op for op in db.session.scalars(
            select(SyncOperation).where(SyncOperation.id.in_([str(r["id"]) for r in operations])))}
        building_ids = [r["building_id"] for r in operations
                        if type(r.get("building_id")) is int  # noqa: E721 (bools are not ids)
                        and r["building_id"] in DATABASE_INTEGERS]  # others: the schema refuses
        # Held here so they stay in the session's identity map, where the operations find them.
        self.buildings = db.session.scalars(select(Building).where(Building.id.in_(building_ids))
                                            .options(selectinload(Building.estate)
                                                     .selectinload(Estate.community)
                                                     .selectinload(Community.town))).all()
        self._rounds: dict = {}
        self.photo_hashes: list[str] = []
        self.reported: set[str] = set()  # findings reported by this batch (their uuid = op id)

    def round(self, code):
        if code not in self._rounds:
            self._rounds[code] = round_by_code(code)
        return self._rounds[code]

    def apply(self, raw: dict, isolated: bool):
        """One operation. Returns a function that, once the batch is flushed and the photos the
        server still lacks are known, gives the operation's answer."""
        op_id = str(raw["id"])
        schema = OPERATION_SCHEMAS.get(raw["op"])
        if schema is None:
            known = "、".join(OPERATION_SCHEMAS)
            return _fixed(_refused(op_id, ApiError(
                "request.invalid", f"未知的操作类型 {raw['op']}，可用：{known}")))
        try:
            payload = schema.load(raw)
        except ValidationError as error:
            return _fixed(_refused(op_id, ApiError("request.invalid", "操作内容未通过校验",
                                                   details={"fields": error.messages})))
        body = schema.dump(payload)
        stored = self.stored.get(op_id)
        if stored is not None:
            return _fixed(_replayed(stored, raw["op"], body))

        if raw["op"] in REFER_TO_A_FINDING and str(payload["finding"]) in self.reported:
            db.session.flush()  # reported earlier in this batch: in order, it exists by now
        savepoint = db.session.begin_nested() if isolated else None
        try:
            outcome = APPLY[raw["op"]](self.user, payload, self.registry, self)
        except ApiError as error:
            if savepoint is not None:
                savepoint.rollback()
            return _fixed(_refused(op_id, error))
        operation = SyncOperation(id=op_id, op=raw["op"], user_id=self.user.id, body=body,
                                  device_id=str(self.device_id) if self.device_id else None,
                                  result={})
        db.session.add(operation)
        if savepoint is not None:
            try:
                savepoint.commit()
            except IntegrityError:  # its twin committed while we worked
                savepoint.rollback()
                return _fixed(_replayed(db.session.get(SyncOperation, op_id), raw["op"], body))
        self.stored[op_id] = operation  # the same id again in this batch is a replay
        if raw["op"] == "finding.report":
            self.reported.add(op_id)
        self.photo_hashes += outcome.photos

        def answer(missing: set[str]) -> dict:
            operation.result = outcome.describe(missing)
            return {"id": op_id, "status": "applied", "result": operation.result}
        return answer


REFER_TO_A_FINDING = frozenset({"finding.update", "rectification.report"})


def _fixed(answer: dict):
    return lambda missing: answer


def _replayed(stored: SyncOperation, op: str, body: dict) -> dict:
    differences = differing_fields({**stored.body, "op": stored.op}, {**body, "op": op})
    if differences:
        return _refused(stored.id, ApiError(
            "sync.conflict", f"操作 {stored.id} 已提交过不同内容（{'、'.join(differences)} 不同）",
            details={"differing_fields": differences}))
    return {"id": stored.id, "status": "already_applied", "result": stored.result}


def _refused(op_id: str, error: ApiError) -> dict:
    status = "conflict" if error.code == "sync.conflict" else "rejected"
    return {"id": op_id, "status": status,
            "error": {"code": error.code, "message": error.message, "details": error.details}}


class Outcome:
    """What an applied operation produced: the photos it refers to, and its answer once the
    photos the server still lacks are known."""

    def __init__(self, photos: list[str], describe):
        self.photos, self.describe = photos, describe


def _create_submission(user, payload, registry, batch) -> Outcome:
    submission = surveys.record_submission(user, payload, registry, batch.round(payload["round"]))
    return Outcome(_photos_of(*submission.findings), lambda missing: {
        "submission": submission.uuid, "counts": submission.counts,
        "findings": [_finding_result(f, missing) for f in submission.findings]})


def _report_finding(user, payload, registry, batch) -> Outcome:
    finding = finding_operations.report_finding(user, payload, registry,
                                                batch.round(payload["round"]))
    return Outcome(_photos_of(finding),
                   lambda missing: {"finding": _finding_result(finding, missing)})


def _update_finding(user, payload, registry, batch) -> Outcome:
    finding = finding_operations.update_finding(user, str(payload["finding"]), payload["changes"])
    return Outcome(_photos_of(finding),
                   lambda missing: {"finding": _finding_result(finding, missing)})


def _report_rectification(user, payload, registry, batch) -> Outcome:
    rectification = finding_operations.report_rectification(user, payload)
    after = [p.sha256 for p in rectification.photos]
    return Outcome(_photos_of(rectification.finding) + after, lambda missing: {
        "rectification": rectification.uuid,
        "finding": _finding_result(rectification.finding, missing),
        "missing_photos": [sha256 for sha256 in after if sha256 in missing]})


def _photos_of(*findings) -> list[str]:
    return [photo.sha256 for finding in findings for photo in finding.photos]


def _finding_result(finding, missing: set[str]) -> dict:
    finding.missing_photos = [p.sha256 for p in finding.photos if p.sha256 in missing]
    return FINDING_RESULT.dump(finding)


# Schema instances are reused: building one copies every declared field, which costs more than
# loading a small operation with it.
FINDING_RESULT = FindingResultSchema()
APPLY = {
    "submission.create": _create_submission,
    "finding.report": _report_finding,
    "finding.update": _update_finding,
    "rectification.report": _report_rectification,
}


def pull(user: User, cursor: int, limit: int, device_id=None, scope: int | None = None,
         seen: dict | None = None) -> dict:
    """A page of the feed in the user's scope. A device that says it pulled under another scope
    epoch than the user's (`scope`) is answered `reset`: it drops what it pulled and starts
    again from 0, so nothing that left its scope stays on it (sync/PROTOCOL.md §3)."""
    if device_id is not None:  # written after the pull (server/touches.py): a pull only reads
        touch(Device, str(device_id), create=True, on_create={"first_seen_at": utcnow()},
              user_id=user.id, last_pull_at=utcnow(), **(seen or {}))
    if scope is not None and scope != user.scope_epoch:
        return {"changes": [], "more": True, "cursor": "0", "reset": True,
                "scope": user.scope_epoch}
    visible = select(Building.id).where(buildings_visible_to(user))
    rows = db.session.scalars(
        select(Change).where(Change.seq > cursor, Change.building_id.in_(visible))
        .order_by(Change.seq).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    return {"changes": hydrate(page), "more": more, "reset": False, "scope": user.scope_epoch,
            "cursor": str(page[-1].seq if page else cursor)}


def _device(user: User, device_id) -> Device:
    device = db.session.get(Device, str(device_id))
    if device is None or device.user_id != user.id:
        device = device or Device(id=str(device_id), user_id=user.id, first_seen_at=utcnow())
        device.user_id = user.id
        db.session.add(device)
    return device
