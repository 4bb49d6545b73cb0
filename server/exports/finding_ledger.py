"""The problem ledger (问题台账): one row per finding of the round, with where it is, who must fix
it, by when, and how far its rectification has got — the list the bureau hands each responsible
unit and ticks off.

By default every finding of the round except those 已退回 (sent back as not a problem) is listed,
pending ones included: the ledger is the working list, not the confirmed tally of 问题清单.
The database joins, filters and sorts; the rows stream in batches (a server-side cursor on
PostgreSQL), so a county of a million findings holds one batch in memory at a time.
上报时间 is when the server received the finding (the device's clock is data, not order), shown
in China time; 逾期天数 counts from China's today."""
from datetime import date

from sqlalchemy import BigInteger, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.completion import overdue_clause
from server.findings.models import Finding, FindingPhoto, Rectification
from server.surveys.models import SurveyRound
from sync import lifecycle
from sync.china_time import CHINA_TIME

HEADER = ["序号", "街道/镇", "社区", "小区", "楼栋", "指标项", "检查项", "位置", "问题描述", "问题程度",
          "治理难度", "问题分类", "整改责任单位", "整改建议", "状态", "整改完成时限", "逾期天数",
          "整改完成日期", "照片数", "上报人", "上报时间"]
WIDTHS = {6: 36, 7: 20, 8: 24, 9: 50, 13: 20, 14: 40}
# state (the query string's `state`) -> what the ledger then holds
STATES = {
    "all": "全部（已退回的除外）",
    "open": "未销项（已退回的除外）",
    "overdue": "逾期未整改",
    lifecycle.VERIFIED: "已销项",
}
BATCH = 2000


class leading_number(FunctionElement):  # lower case: it reads as the SQL function it is
    """A building number's leading digits as a number ('12#' → 12; none → NULL), so that 2# sorts
    before 10#. SQLite and PostgreSQL spell it differently."""

    type = BigInteger()
    inherit_cache = True


@compiles(leading_number)
def _leading_number_postgresql(element, compiler, **kw):
    return f"CAST(substring({compiler.process(element.clauses, **kw)} FROM '^[0-9]{{1,18}}') " \
           "AS BIGINT)"


@compiles(leading_number, "sqlite")
def _leading_number_sqlite(element, compiler, **kw):
    number = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {number} GLOB '[0-9]*' THEN CAST({number} AS INTEGER) END"


def state_condition(state: str, today: date):
    """A WHERE clause on Finding for one of STATES."""
    if state == "overdue":
        return overdue_clause(today)
    if state == lifecycle.VERIFIED:
        return Finding.status == lifecycle.VERIFIED
    statuses = lifecycle.IN_FINDING_LEDGER if state == "all" else tuple(
        s for s in lifecycle.IN_FINDING_LEDGER if s in lifecycle.OPEN)
    return Finding.status.in_(statuses)


def ledger_rows(user: User, survey_round: SurveyRound, indicator_names: dict[int, str],
                today: date, *, community_id=None, responsible_unit=None, state="all"):
    """Yields the ledger's rows (without the header) in town, community, estate, building
    (natural order), indicator order."""
    photos = (select(func.count(FindingPhoto.id))
              .where(FindingPhoto.finding_id == Finding.id, FindingPhoto.rectification_id.is_(None))
              .correlate(Finding).scalar_subquery())
    rectified_on = (select(Rectification.rectified_on).where(Rectification.finding_id == Finding.id)
                    .order_by(Rectification.id.desc()).limit(1)
                    .correlate(Finding).scalar_subquery())
    stmt = (select(Town.name.label("town"), Community.name.label("community"),
                   Estate.name.label("estate"), Building.number, Finding.indicator,
                   Finding.check_item, Finding.unit, Finding.floor, Finding.location_detail,
                   Finding.description, Finding.severity, Finding.difficulty,
                   Finding.problem_class, Finding.responsible_unit, Finding.suggestion,
                   Finding.status, Finding.deadline, rectified_on.label("rectified_on"),
                   photos.label("photos"), User.display_name.label("author"),
                   Finding.created_at)
            .select_from(Finding).join(Building, Building.id == Finding.building_id)
            .join(Estate, Estate.id == Building.estate_id).join(Community).join(Town)
            .join(User, User.id == Finding.author_id)
            .where(buildings_visible_to(user), Finding.round_id == survey_round.id,
                   state_condition(state, today))
            .order_by(Town.name, Town.id, Community.name, Community.id, Estate.name, Estate.id,
                      leading_number(Building.number).nulls_last(), Building.number,
                      Building.id, Finding.indicator, Finding.id)
            .execution_options(yield_per=BATCH))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    if responsible_unit is not None:
        stmt = stmt.where(Finding.responsible_unit == responsible_unit)
    for serial, row in enumerate(db.session.execute(stmt), 1):
        late = lifecycle.days_overdue(row.status, row.deadline, today)
        yield [serial, row.town, row.community, row.estate, row.number,
               f"{row.indicator}.{indicator_names.get(row.indicator, '')}", row.check_item,
               location(row.unit, row.floor, row.location_detail), row.description,
               row.severity, row.difficulty, row.problem_class, row.responsible_unit,
               row.suggestion, lifecycle.label(row.status), row.deadline, late or None,
               row.rectified_on, row.photos, row.author,
               row.created_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")]


def location(unit: str | None, floor: int | None, detail: str | None) -> str:
    """'2单元 3层 东户门口' from whichever parts were recorded."""
    parts = [unit, None if floor is None else f"{floor}层", detail]
    return " ".join(p for p in parts if p)
