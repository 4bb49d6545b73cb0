"""The one rule that decides a building's current status for an indicator.

Every observation is kept; none is dropped or overwritten. From them, in this order:
1. a reviewer's decision: any finding the bureau confirmed (accepted, being fixed, fixed,
   verified) makes the building count;
2. for indicators 1 (structure) and 2 (gas), a professional agency's appraisal: the latest
   one governs, as the 2024 plan requires findings there to agree with professional appraisals;
3. the latest observation by capture time on the device, the server's receipt order breaking
   ties (and standing in for a missing capture time).
Disagreements are reported, not resolved silently: observations that differ, and a field
observation that contradicts the governing appraisal, are flagged for review.
"""
from dataclasses import dataclass
from datetime import datetime

from sync import lifecycle

APPRAISAL_GOVERNED_INDICATORS = frozenset({1, 2})


@dataclass(frozen=True)
class Observation:
    submission: str
    counts: bool
    captured_at: datetime | None
    received_order: int
    finding_statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appraisal:
    appraisal_id: int
    hazard: bool
    appraised_on: object
    order: int


@dataclass(frozen=True)
class Status:
    counts: bool | None
    source: str  # "review" | "appraisal" | "observation" | "none"
    basis: str | None
    observations: int
    disagreement: bool
    needs_resurvey: bool

    @property
    def label(self) -> str:
        if self.counts is None:
            return "未调查"
        return "存在问题" if self.counts else "未发现问题"


def current_status(indicator: int, observations: list[Observation],
                   appraisals: list[Appraisal] = ()) -> Status:
    ordered = sorted(observations, key=_observation_order)
    latest = ordered[-1] if ordered else None
    disagreement = len({o.counts for o in ordered}) > 1
    needs_resurvey = latest is not None and any(s in lifecycle.SENT_BACK
                                                for s in latest.finding_statuses)

    confirmed = [o for o in ordered if set(lifecycle.CONFIRMED) & set(o.finding_statuses)]
    if confirmed:
        return Status(True, "review", confirmed[-1].submission, len(ordered), disagreement,
                      needs_resurvey)
    if indicator in APPRAISAL_GOVERNED_INDICATORS and appraisals:
        governing = max(appraisals, key=lambda a: (a.appraised_on, a.order))
        contradicted = any(o.counts != governing.hazard for o in ordered)
        return Status(governing.hazard, "appraisal", str(governing.appraisal_id), len(ordered),
                      disagreement or contradicted, needs_resurvey)
    if latest is None:
        return Status(None, "none", None, 0, False, False)
    return Status(latest.counts, "observation", latest.submission, len(ordered), disagreement,
                  needs_resurvey)


def _observation_order(observation: Observation):
    # Missing capture times sort first; receipt order breaks ties and orders those.
    return (observation.captured_at is not None,
            observation.captured_at or datetime.min, observation.received_order)
