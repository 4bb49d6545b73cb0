"""The ledgers for many buildings at once: the building × indicator matrix of an estate or a
community, and the indicator table per estate, community, street/town and county. Every figure
is the counting rule (sync/counting.py) as a GROUP BY (counting.py), never a loop over buildings."""
import re
from dataclasses import dataclass
from functools import reduce

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.models import Finding
from server.catalog import form_registry, indicator_list
from server.ledger.counting import applies, kept_states, pivoted_states, state_of
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

    def add(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f) + getattr(other, f) for f in FIGURE_FIELDS))


FIGURE_FIELDS = ("counts", "pending", "clear", "not_applicable", "not_surveyed")


def building_matrix(user: User, survey_round: SurveyRound, *, estate_id=None,
                    community_id=None) -> dict:
    """The buildings of an estate or community, their state per indicator, open findings."""
    ids = visible_building_ids(user, estate_id=estate_id, community_id=community_id)
    numbers = indicator_numbers(survey_round)
    kept = pivoted_states(survey_round.id, numbers, ids)
    rows = db.session.execute(
        select(Building.id, Building.number, Building.year_built, Building.floors_above,
               Estate.id.label("estate_id"), Estate.name.label("estate"),
               *[state_of(kept.c[f"s{n}"], survey_round.system, n).label(f"s{n}")
                 for n in numbers])
        .join(Estate).outerjoin(kept, kept.c.building_id == Building.id)
        .where(Building.id.in_(ids))).all()
    rows.sort(key=lambda b: (b.estate, natural_key(b.number)))
    statuses = {row.id: {n: getattr(row, f"s{n}") for n in numbers} for row in rows}
    open_findings = dict(db.session.execute(
        select(Finding.building_id, func.count(Finding.id))
        .where(Finding.building_id.in_(ids), Finding.round_id == survey_round.id,
               Finding.status.in_(lifecycle.OPEN))
        .group_by(Finding.building_id)).all())
    totals = {n: Figures() for n in numbers}
    for per_building in statuses.values():
        for n, state in per_building.items():
            setattr(totals[n], state, getattr(totals[n], state) + 1)
    return {"buildings": rows, "statuses": statuses, "open_findings": open_findings,
            "totals": totals}


def indicator_numbers(survey_round: SurveyRound) -> list[int]:
    return [i["number"] for i in indicator_list(survey_round.system)]


def indicator_table(user: User, survey_round: SurveyRound, level: str, *,
                    community_id=None) -> list[dict]:
    """Per unit of the level: its buildings and, per indicator, its Figures.

    Two GROUP BYs, neither a pass over the buildings per indicator: the kept states (是, 待审核,
    否) per unit, indicator and whether the indicator applies; and the buildings the indicator
    does not apply to, per unit. 不适用 is the second less what the first counts as 是 or 待审核
    there (the rule tries those first); 未调查 is what is left."""
    unit_id, unit_name, parents = LEVELS[level]
    keys = [unit_id] + ([unit_name] if unit_name is not None else []) + list(parents)
    numbers = indicator_numbers(survey_round)
    conditional = [n for n in numbers if _has_rule(survey_round, n)]
    visible = buildings_visible_to(user)
    if community_id is not None:
        visible = and_(visible, Estate.community_id == community_id)

    def places(*columns):
        return select(*keys, *columns).select_from(Building).join(Estate).join(Community) \
            .join(Town).where(visible).group_by(*keys)

    rows = {}
    not_applicable = [func.sum(case((~applies(survey_round.system, n), 1), else_=0))
                      .label(f"na{n}") for n in conditional]
    ordering = [*parents, unit_name] if unit_name is not None else []
    for row in db.session.execute(places(func.count(Building.id).label("buildings"),
                                         *not_applicable).order_by(*ordering, unit_id)):
        unit = row[0]
        rows[unit] = {"id": unit, "name": row[1] if unit_name is not None else "全县",
                      "parents": list(row[2:len(keys)]) if unit_name is not None else [],
                      "buildings": row.buildings,
                      "figures": {n: Figures(not_applicable=getattr(row, f"na{n}", 0) or 0)
                                  for n in numbers}}
    kept = kept_states(survey_round.id)
    applying = case(*[(kept.c.indicator == n, applies(survey_round.system, n))
                      for n in conditional], else_=true()) if conditional else true()
    counted = (select(unit_id, kept.c.indicator, kept.c.state, applying.label("applies"),
                      func.count())
               .select_from(kept).join(Building, Building.id == kept.c.building_id)
               .join(Estate).join(Community).join(Town).where(visible)
               .group_by(unit_id, kept.c.indicator, kept.c.state, applying))
    for unit, indicator, state, applying_there, count in db.session.execute(counted):
        figures = rows.get(unit, {}).get("figures", {}).get(indicator)
        if figures is None:
            continue
        if state == counting.CLEAR and not applying_there:
            continue  # surveyed, but the indicator does not apply: 不适用, counted already
        setattr(figures, state, getattr(figures, state) + count)
        if state != counting.CLEAR and not applying_there:
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
