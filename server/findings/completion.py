"""The rectification desk's figures and lists: 问题整治完成率 per class for the county and per
community (per round), the overdue problems (of every round: a deadline is a deadline), and last
round's problems carried over. Every figure is one GROUP BY within the viewer's scope, never a
loop over findings (as server/ledger/tables.py)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import contains_eager, selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to, visible_communities
from server.buildings.models import Building, Community, Estate
from server.extensions import db
from server.findings.models import PROBLEM_CLASSES, Finding
from server.surveys.models import SurveyRound
from sync import lifecycle

# state -> what its list holds (the query string's `state` of the list page): a figure of the
# table (one confirmed state, or all of them), the overdue and the carried over.
LIST_STATES = {
    "confirmed": "确认问题",
    lifecycle.ACCEPTED: "已确认待下达整改",
    lifecycle.RECTIFYING: "整改中",
    lifecycle.RECTIFIED: "已整改待销项",
    lifecycle.VERIFIED: "已销项",
    "overdue": "逾期未整改 · 所有轮次",
    "round_overdue": "本轮逾期未整改",
    "carried": "上轮遗留未销项",
}


def _zero_per_state() -> dict[str, int]:
    return dict.fromkeys(lifecycle.CONFIRMED, 0)


@dataclass
class Tally:
    """The figures of one class in one community (or the county): the confirmed problems, how
    many are in each confirmed state, how many are overdue."""

    confirmed: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=_zero_per_state)

    @property
    def completed(self) -> int:
        return sum(self.by_status[s] for s in lifecycle.COMPLETED)

    @property
    def rate(self) -> float | None:
        return lifecycle.completion_rate(self.completed, self.confirmed)

    def add(self, other: "Tally") -> None:
        self.confirmed += other.confirmed
        self.overdue += other.overdue
        for status, count in other.by_status.items():
            self.by_status[status] += count


def overdue_clause(today: date):
    """A WHERE clause on Finding: still to be rectified and past its deadline (China's today)."""
    return and_(Finding.status.in_(lifecycle.AWAITING_RECTIFICATION), Finding.deadline < today)


def completion_table(user: User, survey_round: SurveyRound, today: date) -> dict:
    """{"county": {class: Tally}, "communities": [{"id", "name", "classes": {class: Tally}}]}
    for the round's confirmed problems; every visible community has a row, with zeros if need be."""
    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = (select(Estate.community_id, Finding.problem_class,
                   func.count(Finding.id).label("confirmed"),
                   *[counted(Finding.status == s).label(s) for s in lifecycle.CONFIRMED],
                   counted(overdue_clause(today)).label("overdue"))
            .select_from(Finding).join(Building, Building.id == Finding.building_id)
            .join(Estate, Estate.id == Building.estate_id)
            .where(buildings_visible_to(user), Finding.round_id == survey_round.id,
                   Finding.status.in_(lifecycle.CONFIRMED))
            .group_by(Estate.community_id, Finding.problem_class))
    communities = {row.id: {"id": row.id, "name": row.name,
                            "classes": {c: Tally() for c in PROBLEM_CLASSES}}
                   for row in visible_communities(user)}
    county = {c: Tally() for c in PROBLEM_CLASSES}
    for row in db.session.execute(stmt):
        tally = Tally(int(row.confirmed), int(row.overdue),
                      {s: int(getattr(row, s)) for s in lifecycle.CONFIRMED})
        if row.community_id in communities:
            communities[row.community_id]["classes"][row.problem_class] = tally
        county[row.problem_class].add(tally)
    return {"county": county, "communities": list(communities.values())}


def findings_in_state(user: User, survey_round: SurveyRound, state: str, today: date, *,
                      community_id: int | None = None, problem_class: str | None = None):
    """The findings behind one figure or list of the page, as a SELECT to paginate. "overdue"
    spans every round; the others are the round's (or, "carried", the previous round's)."""
    if state == "carried":
        in_round = Finding.round_id == survey_round.previous_round_id
        condition = Finding.status.in_(lifecycle.CARRIED_OVER)
    elif state == "overdue":
        in_round, condition = true(), overdue_clause(today)
    else:
        in_round = Finding.round_id == survey_round.id
        condition = {"confirmed": Finding.status.in_(lifecycle.CONFIRMED),
                     "round_overdue": overdue_clause(today)}.get(state, Finding.status == state)
    stmt = (select(Finding).join(Finding.building).join(Building.estate).join(Estate.community)
            .where(buildings_visible_to(user), in_round, condition)
            .options(contains_eager(Finding.building).contains_eager(Building.estate)
                     .contains_eager(Estate.community), selectinload(Finding.round)))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    if problem_class is not None:
        stmt = stmt.where(Finding.problem_class == problem_class)
    if state in ("overdue", "round_overdue"):
        return stmt.order_by(Finding.deadline, Community.name, Estate.name, Finding.id)
    return stmt.order_by(Community.name, Estate.name, Building.number, Finding.id)


def carried_over_by_status(user: User, survey_round: SurveyRound, *,
                           community_id: int | None = None,
                           problem_class: str | None = None) -> dict[str, int]:
    """Last round's problems carried over, counted per current status."""
    if survey_round.previous_round_id is None:
        return {}
    stmt = (select(Finding.status, func.count(Finding.id)).join(Finding.building)
            .join(Building.estate)
            .where(buildings_visible_to(user), Finding.round_id == survey_round.previous_round_id,
                   Finding.status.in_(lifecycle.CARRIED_OVER))
            .group_by(Finding.status))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    if problem_class is not None:
        stmt = stmt.where(Finding.problem_class == problem_class)
    return dict(db.session.execute(stmt).all())


def overdue_count(user: User, today: date) -> int:
    """Problems past their deadline in every round, within the viewer's scope."""
    return db.session.scalar(
        select(func.count(Finding.id)).join(Building, Building.id == Finding.building_id)
        .where(buildings_visible_to(user), overdue_clause(today)))


def completion_by_class(user: User, survey_round: SurveyRound, today: date, *,
                        community_id: int | None = None) -> dict[str, Tally]:
    """The round's {class: Tally}, for the county in scope or one community."""
    table = completion_table(user, survey_round, today)
    if community_id is None:
        return table["county"]
    return next((row["classes"] for row in table["communities"] if row["id"] == community_id),
                {c: Tally() for c in PROBLEM_CLASSES})

