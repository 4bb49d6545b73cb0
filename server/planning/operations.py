"""Naming the 责任单位 and planning the list's items, as the bureau does on the desk."""
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to, visible_communities
from server.audit.operations import record
from server.buildings.models import Building, Estate
from server.errors import ApiError
from server.extensions import db
from server.findings.models import Finding
from server.ledger.counting import counting_finding
from server.planning.models import NAMED_KINDS, ProblemPlan, ResponsibleUnit
from server.surveys.models import SurveyRound
from sync import lifecycle


@dataclass
class Planning:
    """What the lists need of the bureau's planning: the units by name, the items' plans."""

    units: dict[str, str] = field(default_factory=dict)  # kind → name
    plans: dict[tuple, ProblemPlan] = field(default_factory=dict)  # (社区, indicator, item)


def planning_of(user: User, survey_round: SurveyRound) -> Planning:
    units = dict(db.session.execute(select(ResponsibleUnit.kind, ResponsibleUnit.name)
                                    .where(ResponsibleUnit.county_id == user.county_id)).all())
    plans = {(p.community_id, p.indicator, p.check_item): p for p in db.session.scalars(
        select(ProblemPlan).where(ProblemPlan.round_id == survey_round.id)
        .options(selectinload(ProblemPlan.updated_by)))}  # the plans page names who set each
    return Planning(units, plans)


def registry(user: User) -> list[dict]:
    """Every kind a county names, with its name (None until named) and how many problems not
    yet 销项 it answers for."""
    kept = {u.kind: u for u in db.session.scalars(
        select(ResponsibleUnit).where(ResponsibleUnit.county_id == user.county_id))}
    return [{"kind": kind, "unit": kept.get(kind), "open": _open_problems(user, kind)}
            for kind in NAMED_KINDS]


def save_unit(user: User, kind: str, name: str, contact: str | None) -> ResponsibleUnit:
    _require_kind(kind)
    unit = db.session.scalar(select(ResponsibleUnit).where(
        ResponsibleUnit.county_id == user.county_id, ResponsibleUnit.kind == kind))
    before = None if unit is None else {"name": unit.name, "contact": unit.contact}
    if unit is None:
        unit = ResponsibleUnit(county_id=user.county_id, kind=kind)
        db.session.add(unit)
    unit.name, unit.contact = name, contact
    record(user, "responsible_unit.saved", "responsible_unit", kind, before=before,
           after={"name": name, "contact": contact})
    return unit


def delete_unit(user: User, kind: str) -> None:
    """Refused while problems not yet 销项 answer to the unit: the lists would lose its name."""
    _require_kind(kind)
    unit = db.session.scalar(select(ResponsibleUnit).where(
        ResponsibleUnit.county_id == user.county_id, ResponsibleUnit.kind == kind))
    if unit is None:
        raise ApiError("resource.not_found", f"尚未登记“{kind}”的单位名称")
    still_open = _open_problems(user, kind)
    if still_open:
        raise ApiError("unit.in_use",
                       f"还有 {still_open} 个未销项的问题由“{kind}”（{unit.name}）负责，不能删除；"
                       f"可以修改名称")
    record(user, "responsible_unit.deleted", "responsible_unit", kind, name=unit.name)
    db.session.delete(unit)


def save_plan(user: User, survey_round: SurveyRound, community_id: int, indicator: int,
              check_item: str, priority: str, next_year_plan: bool) -> ProblemPlan:
    if community_id not in {c.id for c in visible_communities(user)}:
        raise ApiError("resource.not_found", "找不到该社区，或不在您负责的范围内")
    if not _item_listed(user, survey_round, community_id, indicator, check_item):
        raise ApiError("resource.not_found", "该社区本轮清单中没有这一问题")
    plan = db.session.scalar(select(ProblemPlan).where(
        ProblemPlan.round_id == survey_round.id, ProblemPlan.community_id == community_id,
        ProblemPlan.indicator == indicator, ProblemPlan.check_item == check_item))
    if plan is None:
        plan = ProblemPlan(round_id=survey_round.id, community_id=community_id,
                           indicator=indicator, check_item=check_item)
        db.session.add(plan)
    plan.priority, plan.next_year_plan, plan.updated_by_id = priority, next_year_plan, user.id
    record(user, "problem_plan.saved", "problem_plan",
           f"{survey_round.code}/{community_id}/{indicator}/{check_item}",
           priority=priority, next_year_plan=next_year_plan)
    return plan


def _require_kind(kind: str) -> None:
    if kind not in NAMED_KINDS:
        raise ApiError("resource.not_found", "没有这类责任单位")


def _open_problems(user: User, kind: str) -> int:
    return db.session.scalar(
        select(func.count(Finding.id)).join(Building, Building.id == Finding.building_id)
        .where(buildings_visible_to(user), Finding.responsible_unit == kind,
               Finding.status.in_(lifecycle.IN_FINDING_LEDGER),
               Finding.status.not_in(lifecycle.COMPLETED)))


def _item_listed(user, survey_round, community_id, indicator, check_item) -> bool:
    return db.session.scalar(
        select(func.count(Finding.id)).join(Building, Building.id == Finding.building_id)
        .join(Estate).where(buildings_visible_to(user), Estate.community_id == community_id,
                            Finding.round_id == survey_round.id,
                            Finding.indicator == indicator, Finding.check_item == check_item,
                            Finding.status.in_(lifecycle.CONFIRMED),
                            counting_finding(survey_round.system))) > 0
