"""The review queue: findings awaiting a decision, filtered, within the viewer's scope."""
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import (
    buildings_visible_to,
    visible_communities,
    visible_estate_ids,
)
from server.appraisals.disagreement import contradicts_appraisal
from server.buildings.models import Building, Community, Estate
from server.extensions import db
from server.findings.models import Finding
from server.photos.operations import arrived_links
from sync import lifecycle
from sync.china_time import china_midnight

PER_PAGE = 50
# sort -> (its label, the ORDER BY); the finding's id breaks every tie, so the order is total
SORTS = {
    "oldest": ("提交时间（早的在前）", (Finding.created_at, Finding.id)),
    "newest": ("提交时间（新的在前）", (Finding.created_at.desc(), Finding.id.desc())),
    "building": ("社区、小区、楼栋", (Community.name, Estate.name, Building.number, Finding.id)),
    "indicator": ("指标、检查项", (Finding.indicator, Finding.check_item, Finding.id)),
    "severity": ("问题程度（重的在前）", (Finding.severity.desc(), Finding.created_at, Finding.id)),
}
# The filters that pick the queue (not the page of it): what a finding page carries along so
# that its links, next and previous stay within the same queue.
QUEUE_KEYS = ("status", "community", "estate", "indicator", "submitter", "date_from", "date_to",
              "disagreeing", "q", "sort")


def queue_query(user: User, filters: dict):
    """The filtered queue, in its order, with what a row shows."""
    return _in_queue(select(Finding), user, filters).options(
        contains_eager(Finding.building).contains_eager(Building.estate)
        .contains_eager(Estate.community), selectinload(Finding.photos),
        selectinload(Finding.submission))  # a row links the survey it came from


def _in_queue(stmt, user: User, filters: dict):
    stmt = (stmt.join(Finding.building).join(Building.estate).join(Estate.community)
            .where(buildings_visible_to(user), Finding.status == filters["status"]))
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
    if filters.get("q"):
        words = filters["q"]
        stmt = stmt.where(or_(
            Estate.name.concat(Building.number).contains(words, autoescape=True),
            Community.name.contains(words, autoescape=True),
            Building.code.contains(words, autoescape=True),
            Building.address.contains(words, autoescape=True),
            Finding.check_item.contains(words, autoescape=True),
            Finding.description.contains(words, autoescape=True),
            Finding.location_detail.contains(words, autoescape=True)))
    return stmt.order_by(*SORTS[filters.get("sort", "oldest")][1])


def neighbours(user: User, filters: dict, finding_uuid: str) -> tuple[str | None, str | None]:
    """The findings before and after this one in the filtered queue (None at either end, or
    both when the finding is not in it)."""
    order = db.session.scalars(_in_queue(select(Finding.uuid), user, filters)).all()
    if finding_uuid not in order:
        return None, None
    at = order.index(finding_uuid)
    return (order[at - 1] if at > 0 else None,
            order[at + 1] if at + 1 < len(order) else None)


def arrived_photos(findings) -> dict[int, list[str]]:
    """Finding id → its photos that have arrived from its author, in order (a row shows a
    thumbnail of the first)."""
    arrived = arrived_links((f.author_id, link.sha256) for f in findings for link in f.photos)
    return {f.id: [link.sha256 for link in f.photos if (f.author_id, link.sha256) in arrived]
            for f in findings}


def queue_args(filters: dict) -> dict:
    """The filters as a query string's arguments (what a link keeps to stay in the queue)."""
    return {key: filters[key] for key in QUEUE_KEYS if filters.get(key) not in (None, False)}


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
