"""The counting rule: what a building is, for one indicator in one survey round.

Every table, list, ledger, overview figure and drill-down counts by this rule and nothing else
(server/ledger/counting.py writes the same rule as SQL; a test holds the two to the same answers):

1. **是 (counts)**: the building has a *confirmed* problem of the indicator in the round
   (已确认, 整改中, 已整改 or 已销项: fixed later still counts for the year's check, and the lists
   mark it fixed). A professional appraisal that finds the indicator's problem (any indicator its
   system has agencies appraise: `appraisal` in system.json) is such a problem: recording it
   creates a confirmed finding attributed to the agency.
2. **待审核 (pending)**: otherwise, a problem of the indicator awaits the bureau (待审核, 需复查).
   Never counted, but shown as its own figure beside every count.
3. **不适用 (not applicable)**: otherwise, the indicator's form does not apply to the building
   (its applies_if on the building's facts: 节能改造 asks only of buildings from before 2000).
4. **否 (clear)**: otherwise, the building was surveyed for the indicator in the round (a
   submission or an appraisal) and nothing counts: no problem found, or every problem sent back
   (已退回 counts nowhere).
5. **未调查 (not surveyed)**: nothing is known yet. Never printed as 0.

Only a *counting* problem makes a building 是 or 待审核: one whose defect alone makes the form's
counts_if hold (forms.findings.counting_question_ids; under 非成套住宅 poor daylight is a problem to
fix, but not what the indicator counts). A problem with no form question behind it (an
appraisal's) always counts.
"""
from dataclasses import dataclass

from sync import lifecycle

COUNTS, PENDING, NOT_APPLICABLE, CLEAR, NOT_SURVEYED = (
    "counts", "pending", "not_applicable", "clear", "not_surveyed")
# In the order the rule tries them, with the ledger's words.
STATES = {COUNTS: "是", PENDING: "待审核", NOT_APPLICABLE: "不适用", CLEAR: "否",
          NOT_SURVEYED: "未调查"}
# What the bureau has not decided yet: shown beside a count, never in it.
UNDECIDED = lifecycle.UNDECIDED


@dataclass(frozen=True)
class Evidence:
    """What is kept about one building and indicator in one round."""

    counting_finding_statuses: tuple[str, ...] = ()  # of its counting findings
    surveyed: bool = False  # a submission or an appraisal of the indicator
    applies: bool = True  # the indicator's form applies to the building's facts


def building_state(evidence: Evidence) -> str:
    statuses = set(evidence.counting_finding_statuses)
    if statuses & set(lifecycle.CONFIRMED):
        return COUNTS
    if statuses & set(UNDECIDED):
        return PENDING
    if not evidence.applies:
        return NOT_APPLICABLE
    return CLEAR if evidence.surveyed else NOT_SURVEYED


def label(state: str) -> str:
    return STATES[state]
