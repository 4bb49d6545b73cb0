"""Survey progress: buildings surveyed of total per community and indicator, and when each
worker's device last synced. Set-based: one GROUP BY per figure, whatever the county's size."""
from sqlalchemy import func, select

from server.accounts.models import User
from server.accounts.scopes import COUNTY_WIDE_ROLES, buildings_visible_to
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.catalog import current_round
from server.surveys.models import Submission
from server.syncing.models import Device


def survey_progress(user: User) -> list[dict]:
    totals = db.session.execute(
        select(Town.name.label("town"), Community.id, Community.name.label("community"),
               func.count(Building.id).label("buildings"))
        .select_from(Building).join(Estate).join(Community).join(Town)
        .where(buildings_visible_to(user))
        .group_by(Town.name, Community.id, Community.name).order_by(Town.name, Community.name))
    rows = [{**row._asdict(), "surveyed": {}, "any": 0} for row in totals]
    survey_round = current_round()
    if survey_round is None or not rows:
        return rows
    by_id = {row["id"]: row for row in rows}
    visible = (select(Submission.building_id, Submission.indicator, Estate.community_id)
               .join(Building, Submission.building_id == Building.id).join(Estate)
               .where(Submission.round_id == survey_round.id, buildings_visible_to(user)))
    per_indicator = visible.subquery()
    for community_id, indicator, surveyed in db.session.execute(
            select(per_indicator.c.community_id, per_indicator.c.indicator,
                   func.count(func.distinct(per_indicator.c.building_id)))
            .group_by(per_indicator.c.community_id, per_indicator.c.indicator)):
        by_id[community_id]["surveyed"][indicator] = surveyed
    for community_id, surveyed in db.session.execute(
            select(per_indicator.c.community_id,
                   func.count(func.distinct(per_indicator.c.building_id)))
            .group_by(per_indicator.c.community_id)):
        by_id[community_id]["any"] = surveyed
    return rows


def device_sync_times(user: User) -> list:
    """Each device's last push and pull; county-wide roles see everyone's, others their own."""
    stmt = (select(User.display_name, User.username, User.role, Device.id.label("device"),
                   Device.last_push_at, Device.last_pull_at)
            .join(User, Device.user_id == User.id)
            .order_by(func.coalesce(Device.last_push_at, Device.last_pull_at).desc(),
                      User.username))
    if user.role in COUNTY_WIDE_ROLES:
        stmt = stmt.where(User.county_id == user.county_id)
    else:
        stmt = stmt.where(User.id == user.id)
    return db.session.execute(stmt).all()
