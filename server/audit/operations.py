from datetime import date, datetime, time, timedelta

from sqlalchemy import String, and_, cast, or_, select

from server.accounts.models import User
from server.audit.models import AuditEntry
from server.extensions import db
from sync.china_time import CHINA_TIME


def record(actor, action: str, entity: str, entity_id, **details) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor is not None else None, action=action,
                       entity=entity, entity_id=str(entity_id), details=details)
    db.session.add(entry)
    return entry


# What each action is called on the desk's audit page; an action not listed shows as it is.
ACTION_LABELS = {
    "account.created": "新建账号", "account.updated": "修改姓名", "account.scope_changed": "调整角色或范围",
    "account.disabled": "停用账号", "account.enabled": "启用账号", "account.password_reset": "重置密码",
    "account.unlocked": "解除锁定", "device.revoked": "吊销设备", "password.changed": "设置新密码",
    "login.locked": "登录锁定", "token.revoked": "退出登录", "submission.created": "提交调查表",
    "finding.reported": "上报问题", "finding.updated": "修改问题", "finding.rectified": "上报整改",
    "finding.accept": "确认问题", "finding.return": "退回问题", "finding.resurvey": "要求复查",
    "finding.rectify": "下达整改", "finding.verify": "销项", "finding.superseded": "被鉴定取代",
    "finding.class_changed": "改问题分类", "photo.received": "收到照片", "appraisal.created": "上传鉴定",
    "building.facts_corrected": "更正楼栋信息", "building.imported": "导入楼栋",
    "building.import_updated": "导入更新楼栋", "building.import": "导入文件",
    "estate.basics_edited": "编辑小区基本情况", "community.basics_edited": "编辑社区基本情况",
    "estate.basics_imported": "导入小区基本情况", "community.basics_imported": "导入社区基本情况",
    "responsible_unit.saved": "登记责任单位", "responsible_unit.deleted": "删除责任单位",
    "problem_plan.saved": "保存整治计划",
}
ENTITY_LABELS = {"user": "账号", "device": "设备", "api_token": "令牌", "finding": "问题",
                 "submission": "调查表", "photo": "照片", "appraisal": "鉴定报告", "building": "楼栋",
                 "estate": "小区", "community": "社区", "import": "导入", "responsible_unit": "责任单位",
                 "problem_plan": "整治计划"}


def audit_entries(county_id: int, filters: dict):
    """The audit log of a county's people, newest first, narrowed by actor, action, target (the
    object's id as the log keeps it, or an account's username or name) and China dates."""
    from_county = select(User.id).where(User.county_id == county_id)
    stmt = select(AuditEntry).where(AuditEntry.actor_id.in_(from_county))
    if filters.get("actor") is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters["actor"])
    if filters.get("action"):
        stmt = stmt.where(AuditEntry.action == filters["action"])
    if filters.get("target"):
        target = filters["target"]
        named = select(cast(User.id, String)).where(
            User.county_id == county_id, or_(User.username == target, User.display_name == target))
        stmt = stmt.where(or_(AuditEntry.entity_id == target,
                              and_(AuditEntry.entity == "user", AuditEntry.entity_id.in_(named))))
    if filters.get("date_from") is not None:
        stmt = stmt.where(AuditEntry.at >= china_day_start(filters["date_from"]))
    if filters.get("date_to") is not None:
        stmt = stmt.where(AuditEntry.at < china_day_start(filters["date_to"] + timedelta(days=1)))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def china_day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CHINA_TIME)


def describe_details(entry: AuditEntry) -> str:
    """An entry's details in words: a change as 前 → 后, nothing that is only an id."""
    details = dict(entry.details or {})
    if "before" in details and "after" in details:
        return f"{details.pop('before')} → {details.pop('after')}"
    parts = []
    for name, value in details.items():
        if name in ("user", "id"):
            continue
        if isinstance(value, list) and len(value) == 2:
            value = f"{value[0]} → {value[1]}"
        parts.append(f"{DETAIL_LABELS.get(name, name)}：{value}")
    return "；".join(parts)


DETAIL_LABELS = {"username": "用户名", "role": "角色", "scope": "范围", "display_name": "姓名",
                 "expires_at": "有效期至", "label": "设备", "failures": "失败次数",
                 "decision": "审核结论"}
