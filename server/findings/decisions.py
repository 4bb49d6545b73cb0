"""The bureau's decisions on findings. Each writes a Review row and the audit log (a class change
the audit log alone), changes the finding, and so reaches the worker's phone through pull: the
change feed picks up any changed Finding row by itself (server/syncing/feed.py).

A decision names the version of the finding it was made on (its updated_at, as the page showed
it); if the finding changed since, the decision is refused rather than applied blind."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.accounts.models import User
from server.accounts.scopes import require_visible
from server.audit.models import AuditEntry
from server.audit.operations import record
from server.errors import ApiError
from server.extensions import db
from server.findings.models import PROBLEM_CLASSES, Finding, Review
from server.findings.operations import follow
from sync import lifecycle
from sync.china_time import china_today


def version_of(finding: Finding) -> str:
    """The optimistic-concurrency token a page carries in a hidden field."""
    return finding.updated_at.isoformat()


def require_decider(user: User) -> None:
    if not lifecycle.can_decide(user.role):
        raise ApiError("auth.forbidden", "只有住建局审核员或管理员可以审核")


def finding_for_decision(user: User, finding_uuid: str) -> Finding:
    require_decider(user)
    # Locked until the decision commits: two reviewers deciding on the same version take turns,
    # and the second finds the version changed (PostgreSQL; SQLite writes one at a time anyway).
    finding = db.session.scalar(select(Finding).where(Finding.uuid == finding_uuid)
                                .with_for_update()
                                .execution_options(populate_existing=True))
    require_visible(user, finding.building if finding else None, "该问题")
    return finding


def decide(user: User, finding_uuid: str, decision: str, reason: str | None,
           version: str | None, deadline: date | None = None, *,
           today: date | None = None) -> Review:
    """One decision on the finding as the page showed it (`version`). The rectification
    decisions carry the deadline: required for 限时解决 and never in the past when set (下达整改,
    调整整改时限); 整改不合格 keeps the old one unless given a new one."""
    finding = finding_for_decision(user, finding_uuid)
    rule = lifecycle.DECISIONS.get(decision)
    if rule is None:
        raise ApiError("request.invalid", f"未知的审核结论 {decision}")
    reason = (reason or "").strip() or None
    if rule.needs_reason and reason is None:
        raise ApiError("request.invalid", f"“{rule.label}”须填写原因",
                       details={"fields": {"reason": ["请填写原因"]}})
    _require_unchanged(finding, version)
    new_status = follow(lifecycle.after_decision, finding.status, decision, user.role)
    before_status, before_deadline = finding.status, finding.deadline
    if rule.sets_deadline:
        finding.deadline = _checked_deadline(finding, decision, deadline, today or china_today())
    finding.status = new_status
    review = Review(finding=finding, reviewer_id=user.id, decision=decision, reason=reason,
                    deadline=finding.deadline if rule.sets_deadline else None)
    db.session.add(review)
    changes = {"status": [before_status, finding.status]}
    if finding.deadline != before_deadline:
        changes["deadline"] = [_iso(before_deadline), _iso(finding.deadline)]
    record(user, f"finding.{decision}", "finding", finding.uuid, decision=decision,
           reason=reason, **changes)
    return review


def accept_and_start_rectification(user: User, finding_uuid: str, version: str | None,
                                   deadline: date | None, measure: str | None) -> Review:
    """确认并下达整改: the two decisions one after the other, in one transaction (both or
    neither)."""
    accepted = decide(user, finding_uuid, "accept", None, version)
    db.session.flush()  # the acceptance gives the finding its new version
    return decide(user, finding_uuid, "rectify", measure, version_of(accepted.finding), deadline)


def _checked_deadline(finding: Finding, decision: str, deadline: date | None,
                      today: date) -> date | None:
    if decision == "reject_rectification" and deadline is None:
        return finding.deadline
    problem = lifecycle.deadline_problem(finding.problem_class, deadline, today)
    if problem is not None:
        raise ApiError("request.invalid", problem, details={"fields": {"deadline": [problem]}})
    if decision == "deadline" and deadline == finding.deadline:
        raise ApiError("request.invalid", "新的整改完成时限与原时限相同",
                       details={"fields": {"deadline": ["与原时限相同"]}})
    return deadline


@dataclass(frozen=True)
class BulkOutcome:
    finding: str
    accepted: bool
    message: str | None = None


def bulk_accept(user: User, items: list[tuple[str, str]]) -> list[BulkOutcome]:
    """Accept many findings, each with its version; one stale or undecidable item is reported
    and skipped, never sinking the rest."""
    require_decider(user)
    return _each(items, lambda finding_uuid, version:
                 decide(user, finding_uuid, "accept", None, version))


def bulk_start_rectification(user: User, items: list[tuple[str, str]], deadline: date | None,
                             reason: str | None) -> list[BulkOutcome]:
    """下达整改 for many confirmed findings with one deadline, item by item as bulk_accept."""
    require_decider(user)
    today = china_today()
    if deadline is not None and deadline < today:
        raise ApiError("request.invalid", lifecycle.deadline_problem("", deadline, today),
                       details={"fields": {"deadline": ["不能早于今天"]}})
    return _each(items, lambda finding_uuid, version: decide(
        user, finding_uuid, "rectify", reason, version, deadline, today=today))


def _each(items: list[tuple[str, str]], apply) -> list[BulkOutcome]:
    outcomes = []
    for finding_uuid, version in sorted(items):  # one locking order for every bulk decision
        try:
            with db.session.begin_nested():
                apply(finding_uuid, version)
        except ApiError as error:
            outcomes.append(BulkOutcome(finding_uuid, False, error.message))
        else:
            outcomes.append(BulkOutcome(finding_uuid, True))
    return outcomes


def change_class(user: User, finding_uuid: str, new_class: str, reason: str | None,
                 version: str | None) -> Finding:
    finding = finding_for_decision(user, finding_uuid)
    if new_class not in PROBLEM_CLASSES:
        raise ApiError("request.invalid", "问题分类只能是“限时解决”或“尽力解决”")
    reason = (reason or "").strip()
    if not reason:
        raise ApiError("request.invalid", "调整问题分类须填写原因",
                       details={"fields": {"reason": ["请填写原因"]}})
    _require_unchanged(finding, version)
    if new_class == finding.problem_class:
        return finding
    before = finding.problem_class
    finding.problem_class = new_class
    record(user, "finding.class_changed", "finding", finding.uuid,
           problem_class=[before, new_class], reason=reason)
    return finding


def verify_rectification(user: User, finding_uuid: str, version: str | None,
                         note: str | None = None) -> Review:
    """销项: a reviewer confirms that a rectified problem is fixed."""
    return decide(user, finding_uuid, "verify", note, version)


def decision_history(finding: Finding) -> list[dict]:
    """The finding's decisions and its class changes (kept in the audit log alone), in order."""
    reviews = db.session.scalars(select(Review).where(Review.finding_id == finding.id)
                                 .options(selectinload(Review.reviewer))).all()
    class_changes = db.session.execute(
        select(AuditEntry, User.display_name).join(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity == "finding", AuditEntry.entity_id == finding.uuid,
               AuditEntry.action == "finding.class_changed")).all()
    history = [{"label": lifecycle.DECISIONS[r.decision].label, "by": r.reviewer.display_name,
                "at": r.created_at, "reason": r.reason,
                "reason_label": "整治措施" if r.decision == "rectify" else "原因",
                "deadline": r.deadline} for r in reviews]
    history += [{"label": "调整问题分类", "by": name, "at": entry.at,
                 "reason": entry.details.get("reason"), "reason_label": "原因", "deadline": None,
                 "problem_class": entry.details.get("problem_class")}
                for entry, name in class_changes]
    return sorted(history, key=lambda item: item["at"])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _require_unchanged(finding: Finding, version: str | None) -> None:
    if version is None or version != version_of(finding):
        raise ApiError("review.stale", details={"finding": finding.uuid,
                                                "current_status": finding.status})
