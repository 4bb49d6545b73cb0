"""The ledgers for many buildings at once: the building × indicator matrix of an estate or a
community, and the indicator table per estate, community, street/town and county. Every figure
is a GROUP BY over the set-based status (matrix.py), never a loop over buildings."""
import re

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.models import Finding
from server.ledger.matrix import current_statuses
from server.surveys.models import SurveyRound
from sync import lifecycle

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


def building_matrix(user: User, survey_round: SurveyRound, *, estate_id=None,
                    community_id=None) -> dict:
    """The buildings of an estate or community, their status per indicator, open findings."""
    ids = visible_building_ids(user, estate_id=estate_id, community_id=community_id)
    buildings = db.session.execute(
        select(Building.id, Building.number, Building.year_built, Building.floors_above,
               Estate.id.label("estate_id"), Estate.name.label("estate"))
        .join(Estate).where(Building.id.in_(ids)).order_by(Estate.name, Building.number)).all()
    buildings.sort(key=lambda b: (b.estate, natural_key(b.number)))
    status = current_statuses(survey_round.id, ids)
    statuses = {}
    for building_id, indicator, counts in db.session.execute(select(status)):
        statuses.setdefault(building_id, {})[indicator] = bool(counts)
    open_findings = dict(db.session.execute(
        select(Finding.building_id, func.count(Finding.id))
        .where(Finding.building_id.in_(ids), Finding.round_id == survey_round.id,
               Finding.status.in_(lifecycle.OPEN))
        .group_by(Finding.building_id)).all())
    totals = {}
    for per_building in statuses.values():
        for indicator, counts in per_building.items():
            totals[indicator] = totals.get(indicator, 0) + counts
    return {"buildings": buildings, "statuses": statuses, "open_findings": open_findings,
            "totals": totals}


def indicator_table(user: User, survey_round: SurveyRound, level: str) -> list[dict]:
    """Per unit of the level: its buildings and, per indicator, the buildings that count."""
    unit_id, unit_name, parents = LEVELS[level]
    keys = [unit_id] + ([unit_name] if unit_name is not None else []) + list(parents)
    places = (select(*keys, func.count(Building.id).label("buildings"))
              .select_from(Building).join(Estate).join(Community).join(Town)
              .where(buildings_visible_to(user)).group_by(*keys).order_by(*keys[1:], unit_id))
    rows = {}
    for row in db.session.execute(places):
        rows[row[0]] = {"id": row[0], "name": row[1] if unit_name is not None else "全县",
                        "parents": list(row[2:-1]) if unit_name is not None else [],
                        "buildings": row[-1], "values": {}}
    status = current_statuses(survey_round.id, visible_building_ids(user))
    counting = (select(unit_id, status.c.indicator, func.count())
                .select_from(status).join(Building, Building.id == status.c.building_id)
                .join(Estate).join(Community).join(Town)
                .where(status.c.counts.is_(True)).group_by(unit_id, status.c.indicator))
    for unit, indicator, count in db.session.execute(counting):
        if unit in rows:
            rows[unit]["values"][indicator] = count
    return list(rows.values())


def counting_buildings(user: User, survey_round: SurveyRound, indicator: int, level: str,
                       unit: int):
    """The buildings behind one number of the indicator table, as a SELECT to paginate."""
    unit_id = LEVELS[level][0]
    status = current_statuses(survey_round.id, visible_building_ids(user))
    counting = select(status.c.building_id).where(status.c.indicator == indicator,
                                                  status.c.counts.is_(True))
    return (select(Building).join(Building.estate).join(Estate.community).join(Community.town)
            .where(Building.id.in_(counting), unit_id == unit)
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
