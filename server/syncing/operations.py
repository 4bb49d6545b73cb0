"""Push: apply a device's batch, each operation exactly once; pull: the feed in the user's scope."""
import uuid

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db
from server.photos.operations import missing_photos
from server.surveys import operations as surveys
from server.surveys.catalog import round_by_code
from server.syncing.changes import hydrate
from server.syncing.models import Change, Device, SyncOperation
from server.syncing.schemas import OPERATION_SCHEMAS, FindingResultSchema
from sync.idempotency import differing_fields


def push(user: User, device_id: uuid.UUID | None, operations: list[dict], registry) -> list[dict]:
    results = [apply_operation(user, device_id, raw, registry) for raw in operations]
    if device_id is not None:
        _device(user, device_id).last_push_at = utcnow()
    return results


def apply_operation(user: User, device_id, raw: dict, registry) -> dict:
    """Apply one operation in its own savepoint; the answer is one of the four statuses."""
    op_id = str(raw["id"])
    schema_class = OPERATION_SCHEMAS.get(raw["op"])
    if schema_class is None:
        known = "、".join(OPERATION_SCHEMAS)
        return _refused(op_id, ApiError("request.invalid", f"未知的操作类型 {raw['op']}，可用：{known}"))
    schema = schema_class()
    try:
        payload = schema.load(raw)
    except ValidationError as error:
        return _refused(op_id, ApiError("request.invalid", "操作内容未通过校验",
                                        details={"fields": error.messages}))
    body = schema.dump(payload)

    stored = db.session.get(SyncOperation, op_id)
    if stored is None:
        savepoint = db.session.begin_nested()
        try:
            result = APPLY[raw["op"]](user, payload, registry)
            db.session.add(SyncOperation(id=op_id, op=raw["op"], user_id=user.id,
                                         device_id=str(device_id) if device_id else None,
                                         body=body, result=result))
            db.session.flush()
            savepoint.commit()
            return {"id": op_id, "status": "applied", "result": result}
        except ApiError as error:
            savepoint.rollback()
            return _refused(op_id, error)
        except IntegrityError:
            # A twin of this operation committed first (two tabs, a retried request).
            savepoint.rollback()
            stored = db.session.get(SyncOperation, op_id)
            if stored is None:
                raise
    return _replayed(stored, raw["op"], body)


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


def _create_submission(user, payload, registry) -> dict:
    submission = surveys.record_submission(user, payload, registry,
                                           round_by_code(payload.get("round")))
    return {"submission": submission.uuid, "counts": submission.counts,
            "findings": [_finding_result(f) for f in submission.findings]}


def _report_finding(user, payload, registry) -> dict:
    finding = surveys.report_finding(user, payload, registry, round_by_code(payload.get("round")))
    return {"finding": _finding_result(finding)}


def _update_finding(user, payload, registry) -> dict:
    finding = surveys.update_finding(user, str(payload["finding"]), payload["changes"])
    return {"finding": _finding_result(finding)}


def _report_rectification(user, payload, registry) -> dict:
    rectification = surveys.report_rectification(user, payload)
    return {"rectification": rectification.uuid,
            "finding": _finding_result(rectification.finding)}


def _finding_result(finding) -> dict:
    finding.missing_photos = missing_photos(finding)
    return FindingResultSchema().dump(finding)


APPLY = {
    "submission.create": _create_submission,
    "finding.report": _report_finding,
    "finding.update": _update_finding,
    "rectification.report": _report_rectification,
}


def pull(user: User, cursor: int, limit: int, device_id=None) -> dict:
    visible = select(Building.id).where(buildings_visible_to(user))
    rows = db.session.scalars(
        select(Change).where(Change.seq > cursor, Change.building_id.in_(visible))
        .order_by(Change.seq).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    if device_id is not None:
        _device(user, device_id).last_pull_at = utcnow()
    return {"changes": hydrate(page), "more": more,
            "cursor": str(page[-1].seq if page else cursor)}


def _device(user: User, device_id) -> Device:
    device = db.session.get(Device, str(device_id))
    if device is None or device.user_id != user.id:
        device = device or Device(id=str(device_id), user_id=user.id)
        device.user_id = user.id
        db.session.add(device)
    return device
