"""The life of a finding (问题): its states, who moves it where, and what a state means for the
counts, the lists and the deadlines.

This is the one place a status string is written. The server consults it wherever a status
matters (decisions, corrections from the field, the counting rule, the lists, overdue); the app
gets the same table as generated data (`pwa/js/lifecycle-data.js`, made by
`python -m sync.tools.make_lifecycle_files`) and is checked against vectors made from here.

    待审核 ──确认──▶ 已确认 ──下达整改──▶ 整改中 ──上报整改(现场)──▶ 已整改 ──销项──▶ 已销项
      │  ╲                 │    ▲                      ╲               │
     退回  需复查 ◀─────────┘    └───────上报整改(现场)   ╲──整改不合格──▶ 整改中
      ▼     ▼
    已退回 需复查 ──(作者更正)──▶ 待审核
"""
from dataclasses import dataclass
from datetime import date

PENDING = "pending"
ACCEPTED = "accepted"
RETURNED = "returned"
RESURVEY = "resurvey"
RECTIFYING = "rectifying"
RECTIFIED = "rectified"
VERIFIED = "verified"

# Every state, in the order people read them, with its label.
STATES = {
    PENDING: "待审核",
    ACCEPTED: "已确认",
    RETURNED: "已退回",
    RESURVEY: "需复查",
    RECTIFYING: "整改中",
    RECTIFIED: "已整改",
    VERIFIED: "已销项",
}
INITIAL = PENDING


def _in_order(*states: str) -> tuple[str, ...]:
    return tuple(s for s in STATES if s in states)


# What a state means. Tuples in STATES order, so a table's columns come out in a stable order.
CONFIRMED = _in_order(ACCEPTED, RECTIFYING, RECTIFIED, VERIFIED)  # a problem the bureau confirmed
COMPLETED = _in_order(VERIFIED)  # 销项: the problem is closed (问题整治完成率's numerator)
SENT_BACK = _in_order(RETURNED, RESURVEY)  # the author is asked to look again
# Awaiting the bureau: never counted, shown as 待审核 beside a count (sync/counting.py).
UNDECIDED = _in_order(PENDING, RESURVEY)
EDITABLE = _in_order(PENDING, RETURNED, RESURVEY)  # the author may still correct it
AWAITING_RECTIFICATION = _in_order(ACCEPTED, RECTIFYING)  # may be reported fixed; may run late
OPEN = tuple(s for s in STATES if s not in COMPLETED)
# A new round carries last round's open problems over, except those sent back as no problem.
CARRIED_OVER = tuple(s for s in OPEN if s != RETURNED)
# The 问题清单 / 整治建议清单: confirmed problems not yet closed.
IN_PROBLEM_LISTS = tuple(s for s in CONFIRMED if s not in COMPLETED)
# The 问题台账 lists every finding but those sent back as no problem.
IN_FINDING_LEDGER = tuple(s for s in STATES if s != RETURNED)
# Reported fixed in the field (and perhaps closed since): nothing left for the field to do.
REPORTED_FIXED = _in_order(RECTIFIED, VERIFIED)

DECIDING_ROLES = frozenset({"reviewer", "admin"})
DEADLINE_REQUIRED_CLASS = "限时解决"


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision: the states it may be made on, where it leads (None: the state
    stays), whether it needs a reason and whether it carries the 整改完成时限."""

    label: str
    allowed_from: tuple[str, ...]
    leads_to: str | None
    needs_reason: bool = False
    sets_deadline: bool = False


DECISIONS = {
    "accept": Decision("确认", _in_order(PENDING), ACCEPTED),
    "return": Decision("退回", _in_order(PENDING), RETURNED, needs_reason=True),
    "resurvey": Decision("需复查", _in_order(PENDING, ACCEPTED), RESURVEY, needs_reason=True),
    # On the way to 销项: start the rectification with its deadline (下达整改), move the deadline,
    # send a reported rectification back (整改不合格; the after-photos stay).
    "rectify": Decision("下达整改", _in_order(ACCEPTED), RECTIFYING, sets_deadline=True),
    "deadline": Decision("调整整改时限", AWAITING_RECTIFICATION, None, needs_reason=True,
                         sets_deadline=True),
    "reject_rectification": Decision("整改不合格", _in_order(RECTIFIED), RECTIFYING,
                                     needs_reason=True, sets_deadline=True),
    "verify": Decision("销项", _in_order(RECTIFIED), VERIFIED),
}
DEADLINE_DECISIONS = tuple(name for name, d in DECISIONS.items() if d.sets_deadline)


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; `code` is the server's error code for it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def label(status: str) -> str:
    return STATES[status]


def can_decide(role: str) -> bool:
    return role in DECIDING_ROLES


def decidable(status: str, decision: str) -> bool:
    return decision in DECISIONS and status in DECISIONS[decision].allowed_from


def after_decision(status: str, decision: str, role: str) -> str:
    """The state a decision leads to, or TransitionRefused."""
    if not can_decide(role):
        raise TransitionRefused("auth.forbidden", "只有住建局审核员或管理员可以审核")
    if decision not in DECISIONS:
        raise TransitionRefused("request.invalid", f"未知的审核结论 {decision}")
    rule = DECISIONS[decision]
    if status not in rule.allowed_from:
        raise TransitionRefused("review.not_decidable",
                                f"该问题状态为“{STATES[status]}”，不能{rule.label}")
    return rule.leads_to or status


def after_correction(status: str) -> str:
    """The author corrects a finding from the field: allowed until it is confirmed; one sent
    back goes to review again."""
    if status not in EDITABLE:
        raise TransitionRefused("finding.not_editable",
                                f"该问题状态为“{STATES[status]}”，不能再修改")
    return PENDING


def after_rectification_report(status: str) -> str:
    """The field reports a confirmed problem fixed (上报整改), awaiting 销项."""
    if status not in AWAITING_RECTIFICATION:
        raise TransitionRefused("finding.not_editable",
                                f"该问题状态为“{STATES[status]}”，确认后才能上报整改")
    return RECTIFIED


def days_overdue(status: str, deadline: date | None, today: date) -> int:
    """Days past the deadline (0 when not overdue). The deadline day itself is not late; only a
    problem still awaiting its rectification can run late."""
    if status not in AWAITING_RECTIFICATION or deadline is None or deadline >= today:
        return 0
    return (today - deadline).days


def deadline_problem(problem_class: str, deadline: date | None, today: date) -> str | None:
    """Why this 整改完成时限 cannot be set, or None when it can."""
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


NAMED_SETS = {
    "confirmed": CONFIRMED, "completed": COMPLETED, "sent_back": SENT_BACK,
    "editable": EDITABLE, "awaiting_rectification": AWAITING_RECTIFICATION, "open": OPEN,
    "carried_over": CARRIED_OVER, "in_problem_lists": IN_PROBLEM_LISTS,
    "in_finding_ledger": IN_FINDING_LEDGER, "reported_fixed": REPORTED_FIXED,
}


def as_data() -> dict:
    """The whole table as JSON-able data: what the app is given."""
    return {
        "states": STATES,
        "initial": INITIAL,
        "sets": {name: list(states) for name, states in NAMED_SETS.items()},
        "decisions": {name: {"label": d.label, "allowed_from": list(d.allowed_from),
                             "leads_to": d.leads_to, "needs_reason": d.needs_reason,
                             "sets_deadline": d.sets_deadline}
                      for name, d in DECISIONS.items()},
        "deciding_roles": sorted(DECIDING_ROLES),
        "after_correction": PENDING,
        "after_rectification_report": RECTIFIED,
        "deadline_required_class": DEADLINE_REQUIRED_CLASS,
    }
