"""What each role may see and change, as SQL clauses and plain checks.

worker    → the estates of their communities
property  → the estates their company manages
agency, reviewer, admin → every estate of their county
Field submissions may be made by workers, property companies, agencies and admins, each within
what they can see; reviewers decide, they do not survey.
"""
from sqlalchemy import Select, false, select

from server.accounts.models import Role, User, user_communities
from server.buildings.models import Building, Community, Estate, Town
from server.errors import ApiError
from server.extensions import db

SURVEYING_ROLES = frozenset({Role.WORKER, Role.PROPERTY, Role.AGENCY, Role.ADMIN})
COUNTY_WIDE_ROLES = frozenset({Role.AGENCY, Role.REVIEWER, Role.ADMIN})


def visible_estate_ids(user: User) -> Select:
    if user.role == Role.WORKER:
        mine = select(user_communities.c.community_id).where(user_communities.c.user_id == user.id)
        return select(Estate.id).where(Estate.community_id.in_(mine))
    if user.role == Role.PROPERTY:
        return select(Estate.id).where(Estate.property_company_id == user.property_company_id)
    if user.role in COUNTY_WIDE_ROLES:
        return (select(Estate.id).join(Community).join(Town)
                .where(Town.county_id == user.county_id))
    return select(Estate.id).where(false())


def visible_community_ids(user: User) -> Select:
    return select(Estate.community_id).where(Estate.id.in_(visible_estate_ids(user))).distinct()


def visible_communities(user: User) -> list:
    """(id, name) of the communities the user sees an estate of, by name: what a community
    filter offers, and the test of whether a community may be shown."""
    return db.session.execute(
        select(Community.id, Community.name).where(Community.id.in_(visible_community_ids(user)))
        .order_by(Community.name, Community.id)).all()


def buildings_visible_to(user: User):
    """A WHERE clause on Building."""
    return Building.estate_id.in_(visible_estate_ids(user))


def can_see_estate(user: User, estate: Estate) -> bool:
    if user.role == Role.WORKER:
        return any(c.id == estate.community_id for c in user.communities)
    if user.role == Role.PROPERTY:
        return estate.property_company_id == user.property_company_id
    if user.role in COUNTY_WIDE_ROLES:
        return estate.community.town.county_id == user.county_id
    return False


def not_found_or_not_yours(what: str) -> ApiError:
    """The one refusal for an object that does not exist and one the user may not see: it
    names nothing, so walking ids reveals nothing."""
    return ApiError("resource.not_found", f"找不到{what}，或不在您负责的范围内")


def require_visible(user: User, building: Building | None, what: str = "该楼栋") -> None:
    """`what` names the object asked for (a finding, a photo…), never the building it is in."""
    if building is None or not can_see_estate(user, building.estate):
        raise not_found_or_not_yours(what)


def require_can_survey(user: User, building: Building) -> None:
    if user.role not in SURVEYING_ROLES:
        raise ApiError("auth.forbidden", "审核员不能提交现场调查表")
    require_visible(user, building)
