"""The review queue: findings awaiting a decision, filtered, within the viewer's scope."""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import (
    buildings_visible_to,
    visible_communities,
    visible_estate_ids,
)
from server.appraisals.disagreement import contradicts_appraisal
from server.buildings.models import Building, Estate
from server.extensions import db
from server.findings.models import Finding
from sync import lifecycle
from sync.china_time import china_midnight

PER_PAGE = 50


def queue_query(user: User, filters: dict):
    stmt = (select(Finding).join(Finding.building).join(Building.estate).join(Estate.community)
            .where(buildings_visible_to(user), Finding.status == filters["status"])
            .options(contains_eager(Finding.building).contains_eager(Building.estate)
                     .contains_eager(Estate.community), selectinload(Finding.photos)))
    if "community" in filters:
        stmt = stmt.where(Estate.community_id == filters["community"])
    if "estate" in filters:
        stmt = stmt.where(Building.estate_id == filters["estate"])
    if "indicator" in filters:
        stmt = stmt.where(Finding.indicator == filters["indicator"])
    if "submitter" in filters:
        stmt = stmt.where(Finding.author_id == filters["submitter"])
    if filters.get("disagreeing"):
        stmt = stmt.where(contradicts_appraisal())
    if "date_from" in filters:
        stmt = stmt.where(Finding.created_at >= china_midnight(filters["date_from"]))
    if "date_to" in filters:
        stmt = stmt.where(Finding.created_at
                          < china_midnight(filters["date_to"]) + timedelta(days=1))
    return stmt.order_by(Finding.created_at, Finding.id)


def queue_page(user: User, filters: dict):
    return db.paginate(queue_query(user, filters), page=filters["page"], per_page=PER_PAGE,
                       error_out=False)


def filter_choices(user: User) -> dict:
    """What the filter drop-downs offer: the viewer's communities, estates and submitters."""
    communities = visible_communities(user)
    estates = db.session.execute(
        select(Estate.id, Estate.name, Estate.community_id)
        .where(Estate.id.in_(visible_estate_ids(user))).order_by(Estate.name)).all()
    submitters = db.session.execute(
        select(User.id, User.display_name, User.username).where(
            User.id.in_(select(Finding.author_id).join(Finding.building)
                        .where(buildings_visible_to(user)).distinct()))
        .order_by(User.display_name)).all()
    return {"communities": communities, "estates": estates, "submitters": submitters}


def backlog_by_community(user: User) -> dict[int, int]:
    """Findings awaiting review, per community id."""
    rows = db.session.execute(
        select(Estate.community_id, func.count(Finding.id)).select_from(Finding)
        .join(Finding.building).join(Building.estate)
        .where(buildings_visible_to(user), Finding.status == lifecycle.PENDING)
        .group_by(Estate.community_id))
    return dict(rows.all())
