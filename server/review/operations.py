"""The bureau's decisions on findings. Each writes a Review row (or the audit log alone for a
class change), changes the finding, and so reaches the worker's phone through pull: the change
feed picks up any changed Finding row by itself (server/syncing/feed.py).

A decision names the version of the finding it was made on (its updated_at, as the page showed
it); if the finding changed since, the decision is refused rather than applied blind."""
from dataclasses import dataclass

from sqlalchemy import select

from server.accounts.models import Role, User
from server.accounts.scopes import require_visible
from server.audit.operations import record
from server.errors import ApiError
from server.extensions import db
from server.review.models import DECISIONS, Review
from server.surveys.models import PROBLEM_CLASSES, Finding

DECIDING_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
# decision -> (statuses it may be made on, the status it leads to)
TRANSITIONS = {
    "accept": (frozenset({"pending"}), "accepted"),
    "return": (frozenset({"pending"}), "returned"),
    "resurvey": (frozenset({"pending", "accepted"}), "resurvey"),
    "verify": (frozenset({"rectified"}), "verified"),
}
NEEDS_REASON = frozenset({"return", "resurvey"})


def version_of(finding: Finding) -> str:
    """The optimistic-concurrency token a page carries in a hidden field."""
    return finding.updated_at.isoformat()


def require_decider(user: User) -> None:
    if user.role not in DECIDING_ROLES:
        raise ApiError("auth.forbidden", "只有住建局审核员或管理员可以审核")


def finding_for_decision(user: User, finding_uuid: str) -> Finding:
    require_decider(user)
    finding = db.session.scalar(select(Finding).where(Finding.uuid == finding_uuid))
    if finding is None:
        raise ApiError("resource.not_found", f"找不到问题 {finding_uuid}")
    require_visible(user, finding.building)
    return finding


def decide(user: User, finding_uuid: str, decision: str, reason: str | None,
           version: str | None) -> Review:
    finding = finding_for_decision(user, finding_uuid)
    if decision not in DECISIONS:
        raise ApiError("request.invalid", f"未知的审核结论 {decision}")
    reason = (reason or "").strip() or None
    if decision in NEEDS_REASON and reason is None:
        raise ApiError("request.invalid", f"“{DECISIONS[decision]}”须填写原因",
                       details={"fields": {"reason": ["请填写原因"]}})
    _require_unchanged(finding, version)
    allowed_from, new_status = TRANSITIONS[decision]
    if finding.status not in allowed_from:
        raise ApiError("review.not_decidable",
                       f"该问题状态为“{finding.status_label}”，不能{DECISIONS[decision]}")
    before = finding.status
    finding.status = new_status
    review = Review(finding_id=finding.id, reviewer_id=user.id, decision=decision, reason=reason)
    db.session.add(review)
    record(user, f"finding.{decision}", "finding", finding.uuid, decision=decision,
           reason=reason, status=[before, new_status])
    return review


@dataclass(frozen=True)
class BulkOutcome:
    finding: str
    accepted: bool
    message: str | None = None


def bulk_accept(user: User, items: list[tuple[str, str]]) -> list[BulkOutcome]:
    """Accept many findings, each with its version; one stale or undecidable item is reported
    and skipped, never sinking the rest."""
    require_decider(user)
    outcomes = []
    for finding_uuid, version in items:
        try:
            with db.session.begin_nested():
                decide(user, finding_uuid, "accept", None, version)
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


def _require_unchanged(finding: Finding, version: str | None) -> None:
    if version is None or version != version_of(finding):
        raise ApiError("review.stale", details={"finding": finding.uuid,
                                                "current_status": finding.status})
