"""The status rule of sync/status.py as one set-based query, for many buildings at once.

Pages read `current_statuses`, the rows status_table.py keeps from this derivation; the
derivation itself runs when evidence is written.

`indicator_statuses` (operations.py) applies the rule in Python to one building; the matrix, the
indicator table and the exports need it for a whole community or county, so the same rule is
written here in SQL: per (building, indicator) the first of
  1. a confirmed finding of one of its submissions  → counts,
  2. for indicators 1 and 2, the latest appraisal     → its conclusion,
  3. the latest submission by capture time (missing times first, receipt order breaking ties).
A test holds the two versions to the same answers."""
from sqlalchemy import (
    Integer,
    case,
    exists,
    func,
    literal,
    select,
    true,
    type_coerce,
    union_all,
)

from server.appraisals.models import Appraisal
from server.db_types import UTCDateTime
from server.findings.models import Finding
from server.ledger.models import BuildingStatus
from server.surveys.models import Submission
from sync import lifecycle
from sync.status import APPRAISAL_GOVERNED_INDICATORS

REVIEW, APPRAISAL, OBSERVATION = 1, 2, 3


def current_statuses(round_id: int, building_ids=None):
    """Rows (building_id, indicator, counts) as kept for the round; `building_ids` narrows."""
    stmt = select(BuildingStatus.building_id, BuildingStatus.indicator, BuildingStatus.counts
                  ).where(BuildingStatus.round_id == round_id)
    if building_ids is not None:
        stmt = stmt.where(BuildingStatus.building_id.in_(building_ids))
    return stmt.subquery("building_status")


def status_subquery(round_id: int, building_ids=None):
    """Rows (building_id, indicator, counts) for every surveyed or appraised pair;
    `building_ids` (a SELECT of ids) narrows each source before any ranking."""
    def source(priority, building_id, indicator, counts, moment, order, *where):
        stmt = select(building_id.label("building_id"), indicator.label("indicator"),
                      counts.label("counts"), literal(priority, Integer).label("priority"),
                      case((moment.is_(None), 0), else_=1).label("has_time"),
                      moment.label("moment"), order.label("tiebreak")).where(*where)
        return stmt.where(building_id.in_(building_ids)) if building_ids is not None else stmt

    confirmed = source(REVIEW, Submission.building_id, Submission.indicator, true(),
                       Submission.captured_at, Submission.id, Submission.round_id == round_id,
                       exists().where(Finding.submission_id == Submission.id,
                                      Finding.status.in_(lifecycle.CONFIRMED)))
    appraised = source(APPRAISAL, Appraisal.building_id, Appraisal.indicator,
                       Appraisal.conclusion == "hazard",
                       type_coerce(Appraisal.appraised_on, UTCDateTime()), Appraisal.id,
                       Appraisal.round_id == round_id,
                       Appraisal.indicator.in_(APPRAISAL_GOVERNED_INDICATORS))
    observed = source(OBSERVATION, Submission.building_id, Submission.indicator,
                      Submission.counts, Submission.captured_at, Submission.id,
                      Submission.round_id == round_id)
    sources = union_all(confirmed, appraised, observed).subquery()
    ranked = select(
        sources.c.building_id, sources.c.indicator, sources.c.counts,
        func.row_number().over(
            partition_by=(sources.c.building_id, sources.c.indicator),
            order_by=(sources.c.priority, sources.c.has_time.desc(), sources.c.moment.desc(),
                      sources.c.tiebreak.desc())).label("rank")).subquery()
    return (select(ranked.c.building_id, ranked.c.indicator, ranked.c.counts)
            .where(ranked.c.rank == 1).subquery("building_status"))
