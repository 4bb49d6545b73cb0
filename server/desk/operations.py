"""Figures for the desk's pages, always within the viewer's scope."""
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to, visible_estate_ids
from server.appraisals.disagreement import disagreeing_findings
from server.buildings.models import Building, Community, Estate, Town
from server.extensions import db
from server.findings.completion import Tally, completion_table, overdue_count
from server.findings.models import Finding
from server.findings.queue import backlog_by_community
from server.ledger.models import BuildingStatus
from server.surveys.models import SurveyRound
from sync import lifecycle
from sync.china_time import china_today


def community_overview(user: User) -> list[dict]:
    """Per community: estates, buildings, and buildings pre-screened for indicator 1 (flagged,
    and 待核实)."""
    rows = select(
        Town.name.label("town"), Community.id, Community.name.label("community"),
        func.count(func.distinct(Estate.id)).label("estates"),
        func.count(Building.id).label("buildings"),
        func.coalesce(func.sum(cast(Building.prescreened, Integer)), 0).label("prescreened"),
        func.coalesce(func.sum(cast(Building.prescreen_uncertain, Integer)), 0)
        .label("prescreen_uncertain"),
    ).select_from(Building).join(Estate).join(Community).join(Town) \
        .where(Estate.id.in_(visible_estate_ids(user))) \
        .group_by(Town.name, Community.id, Community.name) \
        .order_by(Town.name, Community.name)
    return [row._asdict() for row in db.session.execute(rows)]


@dataclass(frozen=True)
class RoundSummary:
    """The current round at a glance, each figure a link to the page behind it. `overdue` counts
    every round (a deadline is a deadline); `previous_by_class` is the previous round's
    completion (None when there is no previous round)."""

    surveyed_buildings: int
    awaiting_review: int
    disagreeing: int
    by_class: dict[str, Tally]
    overdue: int
    previous_by_class: dict[str, Tally] | None


def round_summary(user: User, survey_round: SurveyRound) -> RoundSummary:
    surveyed = db.session.scalar(
        select(func.count(func.distinct(BuildingStatus.building_id)))
        .join(Building, Building.id == BuildingStatus.building_id).join(Estate)
        .where(BuildingStatus.round_id == survey_round.id, buildings_visible_to(user)))
    pending_disagreeing = (disagreeing_findings(user, survey_round.id)
                           .where(Finding.status == lifecycle.PENDING).order_by(None))
    disagreeing = db.session.scalar(select(func.count()).select_from(
        pending_disagreeing.subquery()))
    today = china_today()
    previous = survey_round.previous_round
    return RoundSummary(
        surveyed_buildings=surveyed, awaiting_review=sum(backlog_by_community(user).values()),
        disagreeing=disagreeing, by_class=completion_table(user, survey_round, today)["county"],
        overdue=overdue_count(user, today),
        previous_by_class=None if previous is None
        else completion_table(user, previous, today)["county"])
