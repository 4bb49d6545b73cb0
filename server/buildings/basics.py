"""An estate's and a community's basics (基本情况): the bureau's to read and change, from the desk
or from its own lists (basics_import.py). Every change is audited with what each basic was and
what it became, and counted in the place's basics_version, so that a desk form filled on an older
version is refused rather than applied blind. Operations only flush; the caller commits.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.accounts.models import Role, User
from server.accounts.scopes import not_found_or_not_yours
from server.audit.models import AuditEntry
from server.audit.operations import record
from server.buildings.models import Building, Community, Estate, PropertyCompany, Town
from server.buildings.operations import refresh_prescreen
from server.catalog import current_structure_form
from server.errors import ApiError
from server.extensions import db
from server.signals import estate_company_changed

# The basics, as the models name them (see Estate and Community); the property company apart.
ESTATE_BASICS = ("kind", "built_from", "built_to", "land_area", "floor_area", "households",
                 "population")
COMMUNITY_BASICS = ("households", "population", "area", "contact_name", "contact_phone")
BASICS_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})  # the bureau: county-wide
TEMPORARY_ESTATE_HAS_NO_COMPANY = "零星楼栋组成的临时小区没有物业公司；有物业管理的楼栋请归入其所在的小区"
# How a person reads each basic (the desk's labels, the history of changes).
FIELD_NAMES = {"kind": "小区类型", "built_from": "建成年代（起）", "built_to": "建成年代（止）",
               "land_area": "占地面积（m²）", "floor_area": "建筑面积（m²）", "households": "户数",
               "population": "常住人口", "area": "面积（m²）", "contact_name": "联系人",
               "contact_phone": "联系电话", "property_company": "物业公司"}
HISTORY_SHOWN = 50


class BasicsRefused(ValueError):
    """A change the basics cannot take as asked; the message (Chinese) says why."""


def can_edit_basics(user: User | None) -> bool:
    return user is not None and user.role in BASICS_ROLES


def visible_estate(user: User, estate_id: int) -> Estate:
    """An estate of the bureau user's county; any other is 'not found or not yours'."""
    _require_bureau(user)
    estate = db.session.get(Estate, estate_id)
    if estate is None or estate.community.town.county_id != user.county_id:
        raise not_found_or_not_yours("该小区")
    return estate


def visible_community(user: User, community_id: int) -> Community:
    _require_bureau(user)
    community = db.session.get(Community, community_id)
    if community is None or community.town.county_id != user.county_id:
        raise not_found_or_not_yours("该社区")
    return community


def _require_bureau(user: User) -> None:
    if not can_edit_basics(user):
        raise ApiError("auth.forbidden")


def county_companies(county_id: int) -> list[PropertyCompany]:
    return db.session.scalars(select(PropertyCompany).where(PropertyCompany.county_id == county_id)
                              .order_by(PropertyCompany.name)).all()


# ---- the desk ------------------------------------------------------------------------------

def county_places(user: User) -> list[tuple[Community, list[Estate]]]:
    """Every community of the user's county with its estates, each estate with its
    building_count (counted, never stored) and its property company loaded."""
    counts = dict(db.session.execute(
        select(Building.estate_id, func.count()).join(Estate).join(Community).join(Town)
        .where(Town.county_id == user.county_id).group_by(Building.estate_id)).all())
    communities = db.session.scalars(
        select(Community).join(Town).where(Town.county_id == user.county_id)
        .options(selectinload(Community.town),
                 selectinload(Community.estates).selectinload(Estate.property_company))
        .order_by(Town.name, Community.name)).all()
    for community in communities:
        for estate in community.estates:
            estate.building_count = counts.get(estate.id, 0)
    return [(c, sorted(c.estates, key=lambda e: (e.is_temporary, e.name))) for c in communities]


def building_summary(estate: Estate) -> dict:
    """What the estate's buildings say, beside its basics: how many there are (the 楼栋数 of the
    1表), their households and floor area added up, and the years they were completed."""
    row = db.session.execute(
        select(func.count(Building.id), func.sum(Building.households),
               func.sum(Building.floor_area), func.min(Building.year_built),
               func.max(Building.year_built)).where(Building.estate_id == estate.id)).one()
    return dict(zip(("buildings", "households", "floor_area", "first_year", "last_year"), row))


def history(entity: str, entity_id: int) -> list[dict]:
    """The latest changes of a place's basics, newest first, each with who made it (a name;
    None for a command-line import) and what changed."""
    rows = db.session.execute(
        select(AuditEntry, User.display_name).outerjoin(User, AuditEntry.actor_id == User.id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id),
               AuditEntry.action.in_((f"{entity}.basics_edited", f"{entity}.basics_imported")))
        .order_by(AuditEntry.id.desc()).limit(HISTORY_SHOWN)).all()
    return [{"at": entry.at, "who": name, "imported": entry.action.endswith("imported"),
             "source": entry.details.get("source"), "row": entry.details.get("row"),
             "changes": entry.details.get("changes", {})} for entry, name in rows]


def edit_estate(user: User, estate: Estate, form: dict) -> dict:
    """The desk's form (EstateBasicsSchema): every basic as given, None for not known, and the
    property company by id (None: no company). Returns the changes, audited."""
    _require_version(estate, form["version"])
    company = None
    if form["property_company_id"] is not None:
        company = db.session.get(PropertyCompany, form["property_company_id"])
        if company is None or company.county_id != user.county_id:
            raise ApiError("request.invalid", "请修改后重新提交——物业公司：请从列表中选择")
    changes = apply_basics(estate, form, ESTATE_BASICS)
    try:
        moved = set_property_company(estate, company)
    except BasicsRefused as refusal:
        raise ApiError("request.invalid", f"请修改后重新提交——物业公司：{refusal}") from None
    if moved:
        changes["property_company"] = moved
    if changes:
        record(user, "estate.basics_edited", "estate", estate.id, changes=changes)
    db.session.flush()
    return changes


def edit_community(user: User, community: Community, form: dict) -> dict:
    """The desk's form (CommunityBasicsSchema); returns the changes, audited."""
    _require_version(community, form["version"])
    changes = apply_basics(community, form, COMMUNITY_BASICS)
    if changes:
        record(user, "community.basics_edited", "community", community.id, changes=changes)
    db.session.flush()
    return changes


def _require_version(place, version: int) -> None:
    if place.basics_version != version:
        raise ApiError("basics.stale", details={"version": place.basics_version})


# ---- shared with the imports ---------------------------------------------------------------

def apply_basics(place, values: dict, names: tuple) -> dict:
    """Set those of `names` that `values` holds; {name: [before, after]} of what changed."""
    changes = {}
    for name in names:
        if name in values and getattr(place, name) != values[name]:
            changes[name] = [getattr(place, name), values[name]]
            setattr(place, name, values[name])
    if changes:
        place.basics_version += 1
    return changes


def set_property_company(estate: Estate, company: PropertyCompany | None) -> list | None:
    """Give the estate this company (None: none). [before, after] by name if it changed: the
    pre-screen reads whether a building is managed, and devices hear of each building again."""
    if estate.property_company_id == (company.id if company is not None else None):
        return None
    if company is not None and estate.is_temporary:
        raise BasicsRefused(TEMPORARY_ESTATE_HAS_NO_COMPANY)
    before = estate.property_company.name if estate.property_company is not None else None
    estate.property_company = company
    estate.basics_version += 1
    db.session.flush()  # the buildings' facts read the estate's company id
    structure_form = current_structure_form()
    for building in estate.buildings:
        refresh_prescreen(building, structure_form)
    estate_company_changed.send(estate, session=db.session)
    return [before, company.name if company is not None else None]


def company_named(county_id: int, name: str) -> PropertyCompany:
    """The county's company of that name, added if it is new."""
    company = db.session.scalar(select(PropertyCompany).where(
        PropertyCompany.county_id == county_id, PropertyCompany.name == name))
    if company is None:
        company = PropertyCompany(county_id=county_id, name=name)
        db.session.add(company)
        db.session.flush()
    return company
