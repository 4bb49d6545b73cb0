"""The problem list (问题清单) and the rectification-suggestion list (整治建议清单): one row per
estate, indicator and check item, naming the buildings — e.g. "共3栋，为1号楼、4号楼、7号楼".

The database does the grouping and the rows stream in batches, so a county's list holds one
batch in memory at a time."""
import re

from sqlalchemy import case, func, select

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.models import Finding
from server.ledger.tables import natural_key
from server.surveys.models import SurveyRound
from sync import lifecycle

PROBLEM_HEADER = ["序号", "指标项", "体检结果(栋)", "存在问题", "问题程度", "治理难度", "问题分类"]
SUGGESTION_HEADER = ["序号", "问题涉及的指标项", "指标结果(栋)", "存在问题", "整治建议", "整治区域",
                     "整治类型", "责任单位"]
SEVERITY_ORDER = ("非常严重", "严重", "一般")
BATCH = 2000
SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a building number or a text


def problem_groups(user: User, survey_round: SurveyRound, *, community_id=None,
                   include_pending=False):
    """Yields one dict per (estate, indicator, check item) with the findings' buildings.
    The database groups (first per building, then per estate and check item); Python only
    sorts each row's building numbers and drops repeated texts."""
    statuses = lifecycle.IN_PROBLEM_LISTS + ((lifecycle.PENDING,) if include_pending else ())
    severity_rank = case(*[(Finding.severity == s, rank) for rank, s in enumerate(SEVERITY_ORDER)],
                         else_=len(SEVERITY_ORDER))
    per_building = (
        select(Finding.indicator, Finding.check_item, Building.estate_id, Building.number,
               func.min(severity_rank).label("severity_rank"),
               func.max(case((Finding.problem_class == "限时解决", 1), else_=0)).label("urgent"),
               func.min(Finding.difficulty).label("difficulty"),
               func.min(Finding.suggestion).label("suggestion"),
               func.min(Finding.responsible_unit).label("responsible_unit"))
        .join(Building, Finding.building_id == Building.id)
        .where(buildings_visible_to(user), Finding.round_id == survey_round.id,
               Finding.status.in_(statuses))
        .group_by(Finding.indicator, Finding.check_item, Building.estate_id, Building.id,
                  Building.number))
    if community_id is not None:
        per_building = per_building.join(Estate).where(Estate.community_id == community_id)
    b = per_building.subquery()
    stmt = (select(b.c.indicator, b.c.check_item, Estate.name.label("estate"),
                   Community.name.label("community"), func.count().label("buildings"),
                   func.aggregate_strings(b.c.number, SEPARATOR).label("numbers"),
                   func.min(b.c.severity_rank).label("severity_rank"),
                   func.max(b.c.urgent).label("urgent"),
                   func.aggregate_strings(b.c.difficulty, SEPARATOR).label("difficulty"),
                   func.aggregate_strings(b.c.suggestion, SEPARATOR).label("suggestion"),
                   func.aggregate_strings(b.c.responsible_unit, SEPARATOR)
                   .label("responsible_unit"))
            .join(Estate, Estate.id == b.c.estate_id).join(Community).join(Town)
            .group_by(b.c.indicator, b.c.check_item, Estate.id, Estate.name, Community.name,
                      Town.name)
            .order_by(b.c.indicator, Town.name, Community.name, Estate.name, Estate.id,
                      b.c.check_item)
            .execution_options(yield_per=BATCH))
    for row in db.session.execute(stmt):
        yield {
            "indicator": row.indicator, "check_item": row.check_item, "estate": row.estate,
            "community": row.community, "buildings": row.buildings,
            "numbers": sorted(row.numbers.split(SEPARATOR), key=natural_key),
            "severity": SEVERITY_ORDER[min(row.severity_rank, len(SEVERITY_ORDER) - 1)],
            "difficulty": _distinct(row.difficulty),
            "problem_class": "限时解决" if row.urgent else "尽力解决",
            "suggestion": _distinct(row.suggestion, "；"),
            "responsible_unit": _distinct(row.responsible_unit),
        }


def describe(group: dict) -> str:
    names = "、".join(building_name(n) for n in group["numbers"])
    return f"{group['estate']}{group['check_item']}，共{group['buildings']}栋，为{names}"


def building_name(number: str) -> str:
    """'3#' or '3' → '3号楼'; other numbers as they are written."""
    match = re.fullmatch(r"(\d+)\s*[#＃号]?", number.strip())
    return f"{match.group(1)}号楼" if match else number


def problem_rows(groups, indicator_names: dict[int, str]):
    for serial, group in enumerate(groups, 1):
        yield [serial, indicator_names.get(group["indicator"], group["indicator"]),
               group["buildings"], describe(group), group["severity"], group["difficulty"],
               group["problem_class"]]


def suggestion_rows(groups, indicator_names: dict[int, str]):
    for serial, group in enumerate(groups, 1):
        yield [serial, indicator_names.get(group["indicator"], group["indicator"]),
               group["buildings"], describe(group), group["suggestion"],
               f"{group['community']}{group['estate']}", group["problem_class"],
               group["responsible_unit"]]


def _distinct(joined: str | None, separator: str = "、") -> str:
    return separator.join(dict.fromkeys(v for v in (joined or "").split(SEPARATOR) if v))

