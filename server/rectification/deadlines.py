"""整改完成时限 in plain Python: what "today" is for a Chinese county, when a problem is overdue,
whether a deadline may be set, and the completion rate. No app, no database."""
from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
# A problem can run late only while it still awaits its rectification.
OVERDUE_STATUSES = frozenset({"accepted", "rectifying"})
# The problems 问题整治完成率 counts (the denominator); the completed ones are those 销项 (verified).
CONFIRMED_STATUSES = ("accepted", "rectifying", "rectified", "verified")
DEADLINE_REQUIRED_CLASS = "限时解决"


def china_today(now: datetime | None = None) -> date:
    """The calendar day in China (UTC+8): a deadline is a day there, whatever the server's zone."""
    return (now or datetime.now(UTC)).astimezone(CHINA).date()


def days_overdue(status: str, deadline: date | None, today: date) -> int:
    """Days past the deadline (0 when not overdue). The deadline day itself is not late."""
    if status not in OVERDUE_STATUSES or deadline is None or deadline >= today:
        return 0
    return (today - deadline).days


def deadline_problem(problem_class: str, deadline: date | None, today: date) -> str | None:
    """Why this deadline cannot be set, or None when it can."""
    if deadline is None:
        if problem_class == DEADLINE_REQUIRED_CLASS:
            return "“限时解决”的问题须填写整改完成时限"
        return None
    if deadline < today:
        return f"整改完成时限不能早于今天（{today.isoformat()}）"
    return None


def completion_rate(completed: int, confirmed: int) -> float | None:
    """问题整治完成率 as a percentage; None when there is nothing to complete."""
    if confirmed == 0:
        return None
    return 100.0 * completed / confirmed
