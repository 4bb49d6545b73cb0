"""The ledgers for many buildings at once: the building × indicator matrix of an estate or a
community, and the indicator table per estate, community, street/town and county. Every figure
is the counting rule (sync/counting.py) as a GROUP BY (counting.py), never a loop over buildings."""
import re
from dataclasses import dataclass
from functools import reduce

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to, visible_estate_ids
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.models import Finding
from server.catalog import form_registry, indicator_list
from server.ledger.counting import (applies, kept_states, measured_indicators, pivoted_states,
                                   state_of)
from server.ledger.models import BuildingStatus, StatusTally
from server.surveys.models import SurveyRound
from sync import counting, lifecycle

# level -> (its id column, its name column, the columns that name its parents)
LEVELS = {
    "estate": (Estate.id, Estate.name, (Town.name, Community.name)),
    "community": (Community.id, Community.name, (Town.name,)),
    "town": (Town.id, Town.name, ()),
    "county": (Town.county_id, None, ()),
}
LEVEL_LABELS = {"estate": "小区", "community": "社区", "town": "街道/镇", "county": "全县"}


def visible_building_ids(user: User, *, estate_id=None, community_id=None):
    stmt = select(Building.id).join(Estate).where(buildings_visible_to(user))
    if estate_id is not None:
        stmt = stmt.where(Building.estate_id == estate_id)
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    return stmt


@dataclass
class Figures:
    """One indicator of one unit, every building in exactly one state (sync/counting.py)."""

    counts: int = 0
    pending: int = 0
    clear: int = 0
    not_applicable: int = 0
    not_surveyed: int = 0
    # For an indicator not counted in 栋 (e.g. 2025's 非成套住宅, in 套): the amounts of the
    # buildings that are 是, and of those 待审核, added up.
    amount: int = 0
    pending_amount: int = 0

    @property
    def buildings(self) -> int:
        return self.counts + self.pending + self.clear + self.not_applicable + self.not_surveyed

    @property
    def surveyed(self) -> int:
        """已调查: every building whose state is known (是, 待审核, 否)."""
        return self.counts + self.pending + self.clear

    @property
    def applicable(self) -> int:
        return self.buildings - self.not_applicable

    @property
    def coverage(self) -> float | None:
        """The share of the buildings the indicator applies to that were surveyed."""
        return self.surveyed / self.applicable if self.applicable else None

    def result(self, unit: str) -> int:
        """The indicator's figure in its unit: the buildings that are 是, or their amount."""
        return self.counts if unit == BUILDINGS else self.amount

    def pending_result(self, unit: str) -> int:
        return self.pending if unit == BUILDINGS else self.pending_amount

    def add(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f) + getattr(other, f) for f in FIGURE_FIELDS))


BUILDINGS = "栋"  # the unit of every indicator whose form has no measure
FIGURE_FIELDS = ("counts", "pending", "clear", "not_applicable", "not_surveyed", "amount",
                 "pending_amount")


def building_matrix(user: User, survey_round: SurveyRound, *, estate_id=None,
                    community_id=None) -> dict:
    """The buildings of an estate or community, their state per indicator, open findings."""
    ids = visible_building_ids(user, estate_id=estate_id, community_id=community_id)
    numbers = indicator_numbers(survey_round)
    measured = sorted(measured_indicators(survey_round.system))
    kept = pivoted_states(survey_round.id, numbers, ids, measured)
    rows = db.session.execute(
        select(Building.id, Building.number, Building.year_built, Building.floors_above,
               Estate.id.label("estate_id"), Estate.name.label("estate"),
               *[state_of(kept.c[f"s{n}"], survey_round.system, n).label(f"s{n}")
                 for n in numbers], *[kept.c[f"a{n}"] for n in measured])
        .join(Estate).outerjoin(kept, kept.c.building_id == Building.id)
        .where(Building.id.in_(ids))).all()
    rows.sort(key=lambda b: (b.estate, natural_key(b.number)))
    statuses = {row.id: {n: getattr(row, f"s{n}") for n in numbers} for row in rows}
    amounts = {row.id: {n: getattr(row, f"a{n}") for n in measured} for row in rows}
    open_findings = dict(db.session.execute(
        select(Finding.building_id, func.count(Finding.id))
        .where(Finding.building_id.in_(ids), Finding.round_id == survey_round.id,
               Finding.status.in_(lifecycle.OPEN))
        .group_by(Finding.building_id)).all())
    totals = {n: Figures() for n in numbers}
    for building_id, per_building in statuses.items():
        for n, state in per_building.items():
            setattr(totals[n], state, getattr(totals[n], state) + 1)
            amount = amounts[building_id].get(n) or 0
            if state == counting.COUNTS:
                totals[n].amount += amount
            elif state == counting.PENDING:
                totals[n].pending_amount += amount
    return {"buildings": rows, "statuses": statuses, "amounts": amounts,
            "open_findings": open_findings, "totals": totals}


def indicator_numbers(survey_round: SurveyRound) -> list[int]:
    return [i["number"] for i in indicator_list(survey_round.system)]


def indicator_table(user: User, survey_round: SurveyRound, level: str, *,
                    community_id=None) -> list[dict]:
    """Per unit of the level: its buildings and, per indicator, its Figures.

    Three GROUP BYs, none a join of every kept state to its building: the buildings per unit
    and, for the indicators whose form has a rule, how many it does not apply to; the estates'
    tallies of kept states (是, 待审核, 否; status_table.py) per unit; and the kept states of
    buildings an indicator does not apply to, which the rule reads as 不适用 when 否 and as what
    they are when 是 or 待审核 (it tries those first). 未调查 is what is left."""
    unit_id, unit_name, parents = LEVELS[level]
    keys = [unit_id] + ([unit_name] if unit_name is not None else []) + list(parents)
    numbers = indicator_numbers(survey_round)
    conditional = [n for n in numbers if _has_rule(survey_round, n)]
    estates = Estate.id.in_(visible_estate_ids(user))
    if community_id is not None:
        estates = and_(estates, Estate.community_id == community_id)

    rows = {}
    not_applicable = [func.sum(case((~applies(survey_round.system, n), 1), else_=0))
                      .label(f"na{n}") for n in conditional]
    ordering = [*parents, unit_name] if unit_name is not None else []
    places = (select(*keys, func.count(Building.id).label("buildings"), *not_applicable)
              .select_from(Building).join(Estate).join(Community).join(Town).where(estates)
              .group_by(*keys).order_by(*ordering, unit_id))
    for row in db.session.execute(places):
        unit = row[0]
        rows[unit] = {"id": unit, "name": row[1] if unit_name is not None else "全县",
                      "parents": list(row[2:len(keys)]) if unit_name is not None else [],
                      "buildings": row.buildings,
                      "figures": {n: Figures(not_applicable=getattr(row, f"na{n}", 0) or 0)
                                  for n in numbers}}

    def figures_of(unit, indicator):
        return rows.get(unit, {}).get("figures", {}).get(indicator)

    tallied = (select(unit_id, StatusTally.indicator, StatusTally.state,
                      func.sum(StatusTally.buildings), func.sum(StatusTally.amount))
               .select_from(StatusTally).join(Estate, Estate.id == StatusTally.estate_id)
               .join(Community).join(Town)
               .where(StatusTally.round_id == survey_round.id, estates)
               .group_by(unit_id, StatusTally.indicator, StatusTally.state))
    for unit, indicator, state, count, amount in db.session.execute(tallied):
        if (figures := figures_of(unit, indicator)) is not None:
            setattr(figures, state, getattr(figures, state) + count)
            if state == counting.COUNTS:
                figures.amount += amount or 0
            elif state == counting.PENDING:
                figures.pending_amount += amount or 0
    if conditional:
        inapplicable = (select(unit_id, BuildingStatus.indicator, BuildingStatus.state, func.count())
                        .select_from(BuildingStatus)
                        .join(Building, Building.id == BuildingStatus.building_id)
                        .join(Estate, Estate.id == BuildingStatus.estate_id)
                        .join(Community).join(Town)
                        .where(BuildingStatus.round_id == survey_round.id, estates,
                               or_(*[and_(BuildingStatus.indicator == n,
                                          ~applies(survey_round.system, n))
                                     for n in conditional]))
                        .group_by(unit_id, BuildingStatus.indicator, BuildingStatus.state))
        for unit, indicator, state, count in db.session.execute(inapplicable):
            if (figures := figures_of(unit, indicator)) is None:
                continue
            if state == counting.CLEAR:
                figures.clear -= count  # surveyed, but 不适用: counted there already
            else:
                figures.not_applicable -= count
    for row in rows.values():
        for figures in row["figures"].values():
            figures.not_surveyed = row["buildings"] - (figures.counts + figures.pending
                                                       + figures.clear + figures.not_applicable)
    return list(rows.values())


def total_of(rows: list[dict], numbers) -> dict:
    """The sum of an indicator table's rows: what its 合计 line shows."""
    return {"buildings": sum(r["buildings"] for r in rows),
            "figures": {n: reduce(Figures.add, (r["figures"][n] for r in rows), Figures())
                        for n in numbers}}


def _has_rule(survey_round: SurveyRound, indicator: int) -> bool:
    return any(form.indicator == indicator and form.applies_if is not None
               for form in form_registry().forms(survey_round.system))


def counting_buildings(user: User, survey_round: SurveyRound, indicator: int, level: str,
                       unit: int, state: str = counting.COUNTS):
    """The buildings behind one number of the indicator table (是 or 待审核), as a SELECT to
    paginate."""
    unit_id = LEVELS[level][0]
    kept = kept_states(survey_round.id, visible_building_ids(user))
    behind = select(kept.c.building_id).where(kept.c.indicator == indicator,
                                              kept.c.state == state)
    return (select(Building).join(Building.estate).join(Estate.community).join(Community.town)
            .where(Building.id.in_(behind), unit_id == unit)
            .options(contains_eager(Building.estate).contains_eager(Estate.community))
            .order_by(Community.name, Estate.name, Building.number))


def amounts_behind(survey_round: SurveyRound, indicator: int, buildings) -> dict:
    """building id -> its amount (e.g. 套 of 2025's 非成套住宅) for the buildings behind one
    number of the indicator table (`counting_buildings`), for an indicator not counted in 栋:
    what the number adds up, building by building."""
    ids = buildings.with_only_columns(Building.id).order_by(None).subquery()
    return dict(db.session.execute(
        select(BuildingStatus.building_id, func.coalesce(BuildingStatus.amount, 0))
        .where(BuildingStatus.round_id == survey_round.id, BuildingStatus.indicator == indicator,
               BuildingStatus.building_id.in_(select(ids.c.id)))).all())


def findings_behind(survey_round: SurveyRound, indicator: int, building_ids) -> dict:
    """building id -> its findings (with their photos) for the indicator: the evidence behind
    a number of the indicator table, for one page of its buildings."""
    findings = db.session.scalars(
        select(Finding).where(Finding.round_id == survey_round.id, Finding.indicator == indicator,
                              Finding.building_id.in_(list(building_ids)))
        .options(selectinload(Finding.photos)).order_by(Finding.building_id, Finding.id)).all()
    behind = {}
    for finding in findings:
        behind.setdefault(finding.building_id, []).append(finding)
    return behind


def natural_key(number: str) -> list:
    """'2号楼' before '10号楼': digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", number)]
