"""Finding, reading and correcting buildings within a user's scope."""
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from forms import prescreen, prescreen_uncertain
from server.accounts.models import User
from server.accounts.scopes import (buildings_visible_to, require_can_survey, require_visible,
                                    visible_estate_ids)
from server.audit.operations import record
from server.buildings.models import Building, Community, Estate
from server.extensions import db


def buildings_query(user: User, *, community_id=None, estate_id=None, q=None,
                    prescreened=None) -> Select:
    stmt = (select(Building).join(Estate).where(buildings_visible_to(user))
            .options(selectinload(Building.estate).selectinload(Estate.community),
                     selectinload(Building.estate).selectinload(Estate.property_company)))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    if estate_id is not None:
        stmt = stmt.where(Building.estate_id == estate_id)
    if prescreened is not None:
        stmt = stmt.where(Building.prescreened == prescreened)
    if q:
        stmt = stmt.where(or_(Estate.name.concat(Building.number).contains(q, autoescape=True),
                              Building.address.contains(q, autoescape=True),
                              Building.code.contains(q, autoescape=True)))
    return stmt.order_by(Building.prescreened.desc(), Estate.name, Building.number, Building.id)


def get_building(user: User, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    require_visible(user, building)
    return building


def correct_facts(user: User, building: Building, changes: dict, structure_form) -> Building:
    """A field correction of the building's facts, audited; the pre-screen follows the facts."""
    require_can_survey(user, building)
    before = {name: getattr(building, name) for name in changes}
    for name, value in changes.items():
        setattr(building, name, value)
    refresh_prescreen(building, structure_form)
    changed = {k: [before[k], v] for k, v in changes.items() if before[k] != v}
    if changed:
        record(user, "building.facts_corrected", "building", building.id, changes=changed)
    db.session.flush()
    return building


def refresh_prescreen(building: Building, structure_form) -> None:
    """Indicator 1's pre-screen, from the structural-safety form's own rules: flagged (需优先排查),
    or else perhaps 待核实 (the census facts leave it open)."""
    facts = building.facts()
    building.prescreened = bool(structure_form and prescreen(structure_form, facts))
    building.prescreen_uncertain = bool(structure_form and prescreen_uncertain(structure_form, facts))


@dataclass
class PrescreenTally:
    buildings: int = 0
    flagged: int = 0
    uncertain: int = 0
    changed: int = 0


def refresh_every_prescreen(structure_form, batch: int = 1000) -> PrescreenTally:
    """Indicator 1's pre-screen of every building again, from the current structural-safety
    form: after a form change, a new indicator system, or buildings imported before a rule
    existed. A building whose result changes is written (and so announced to the phones)."""
    tally = PrescreenTally()
    # The estate is read by facts() (has_property_management): loaded with each batch.
    for building in db.session.scalars(select(Building).order_by(Building.id)
                                       .options(selectinload(Building.estate))
                                       .execution_options(yield_per=batch)):
        before = (building.prescreened, building.prescreen_uncertain)
        refresh_prescreen(building, structure_form)
        after = (building.prescreened, building.prescreen_uncertain)
        tally.buildings += 1
        tally.flagged += after[0]
        tally.uncertain += after[1]
        tally.changed += before != after
    db.session.flush()
    return tally


def communities_in_scope(user: User) -> list[Community]:
    """The communities and estates a user works in, each estate with its building count."""
    counts = dict(db.session.execute(
        select(Building.estate_id, func.count()).where(buildings_visible_to(user))
        .group_by(Building.estate_id)).all())
    estates = db.session.scalars(
        select(Estate).where(Estate.id.in_(visible_estate_ids(user)))
        .options(selectinload(Estate.community).selectinload(Community.town),
                 selectinload(Estate.property_company))
        .order_by(Estate.name)).all()
    by_community: dict[int, tuple[Community, list]] = {}
    for estate in estates:
        estate.building_count = counts.get(estate.id, 0)
        community = estate.community
        by_community.setdefault(community.id, (community, []))[1].append(estate)
    tree = []
    for community, its_estates in by_community.values():
        tree.append({"id": community.id, "name": community.name, "town": community.town.name,
                     "estates": its_estates})
    return sorted(tree, key=lambda c: (c["town"], c["name"]))
