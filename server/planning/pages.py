"""The desk's planning pages (bureau only): the 责任单位 by name, and per 社区 the 整治优先级 and
是否纳入下一年度计划 of each item of its 整治建议清单."""
from flask import flash, g, redirect, render_template, request, url_for

from server.accounts.scopes import visible_communities
from server.catalog import indicator_list, round_by_code
from server.exports.problems import community_blocks
from server.pages import page, page_blueprint
from server.planning import operations
from server.planning.models import PRIORITIES
from server.planning.schemas import DeleteUnitSchema, PlanSchema, PlansQuery, UnitSchema
from sync import lifecycle

blueprint = page_blueprint("planning_pages", __name__, url_prefix="/desk/planning")
PLANNERS = lifecycle.DECIDING_ROLES  # the bureau: reviewers and administrators


def _units_again(error, **_path):
    flash(error.message, "error")
    return _units_page(error.status)


@blueprint.get("/units")
@page(roles=PLANNERS, writes=False)
def units():
    return _units_page()


def _units_page(status: int = 200):
    return render_template("desk/planning_units.html",
                           registry=operations.registry(g.user)), status


@blueprint.post("/units/<kind>")
@page(roles=PLANNERS, form=UnitSchema, writes=True, refused=_units_again)
def save_unit(kind, form):
    unit = operations.save_unit(g.user, kind, form["name"], form.get("contact"))
    flash(f"已保存：{kind} — {unit.name}", "success")
    return redirect(url_for(".units"))


@blueprint.post("/units/<kind>/delete")
@page(roles=PLANNERS, form=DeleteUnitSchema, writes=True, refused=_units_again)
def delete_unit(kind, form):
    operations.delete_unit(g.user, kind)
    flash(f"已删除“{kind}”的单位名称，清单中将只写“{kind}”", "success")
    return redirect(url_for(".units"))


@blueprint.get("/plans")
@page(roles=PLANNERS, query=PlansQuery, writes=False)
def plans(query):
    return _plans_page(query.get("round"), query.get("community"))


def _plans_again(error, **_path):
    flash(error.message, "error")
    return _plans_page(request.form.get("round") or None,
                       _int(request.form.get("community")), error.status)


@blueprint.post("/plans")
@page(roles=PLANNERS, form=PlanSchema, writes=True, refused=_plans_again)
def save_plan(form):
    survey_round = round_by_code(form.get("round"))
    operations.save_plan(g.user, survey_round, form["community"], form["indicator"],
                         form["check_item"], form["priority"], form["next_year_plan"])
    flash(f"已保存：{form['check_item']} — 优先级{form['priority']}，"
          f"{'纳入' if form['next_year_plan'] else '不纳入'}下一年度计划", "success")
    return redirect(url_for(".plans", round=survey_round.code, community=form["community"]))


def _plans_page(round_code, community_id, status: int = 200):
    survey_round = round_by_code(round_code)
    communities = visible_communities(g.user)
    if community_id is None and communities:
        community_id = communities[0].id
    if community_id is not None and community_id not in {c.id for c in communities}:
        community_id = None
        flash("找不到该社区，或不在您负责的范围内", "error")
    planning = operations.planning_of(g.user, survey_round)
    blocks = [] if community_id is None else next(
        (b for _, b in community_blocks(g.user, survey_round, community_id=community_id,
                                        units=planning.units)), [])
    names = {i["number"]: i["name"] for i in indicator_list(survey_round.system)}
    return render_template("desk/planning_plans.html", survey_round=survey_round,
                           communities=communities, community_id=community_id, blocks=blocks,
                           names=names, plans=planning.plans, priorities=PRIORITIES), status


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None
