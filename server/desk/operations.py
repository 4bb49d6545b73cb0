"""Figures for the desk's pages, always within the viewer's scope."""
from sqlalchemy import Integer, cast, func, select

from server.accounts.models import User
from server.accounts.scopes import visible_estate_ids
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db


def community_overview(user: User) -> list[dict]:
    """Per community: estates, buildings, and buildings pre-screened for indicator 1."""
    rows = select(
        Town.name.label("town"), Community.id, Community.name.label("community"),
        func.count(func.distinct(Estate.id)).label("estates"),
        func.count(Building.id).label("buildings"),
        func.coalesce(func.sum(cast(Building.prescreened, Integer)), 0).label("prescreened"),
    ).select_from(Building).join(Estate).join(Community).join(Town) \
        .where(Estate.id.in_(visible_estate_ids(user))) \
        .group_by(Town.name, Community.id, Community.name) \
        .order_by(Town.name, Community.name)
    return [row._asdict() for row in db.session.execute(rows)]
