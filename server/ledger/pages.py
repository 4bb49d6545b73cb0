"""The ledgers on the desk: one building's file (一楼一档), the building × indicator matrix of an
estate or community, and the indicator table whose every number opens its buildings."""
from flask import g, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.accounts.scopes import (buildings_visible_to, can_see_estate,
                                    not_found_or_not_yours, visible_communities)
from server.appraisals.disagreement import disagreeing_submission_ids
from server.appraisals.models import Appraisal
from server.appraisals.operations import can_appraise
from server.buildings.models import Building, Community, Estate, Town
from server.buildings.operations import buildings_query, get_building
from server.errors import ApiError
from server.extensions import db
from server.findings.models import Finding
from server.catalog import indicator_list, indicator_system, round_by_code
from server.ledger.operations import indicator_statuses
from server.ledger.schemas import (
    BuildingSearchQuery,
    CountingBuildingsQuery,
    IndicatorTableQuery,
    RoundQuery,
)
from server.ledger.tables import (
    BUILDINGS,
    LEVEL_LABELS,
    LEVELS,
    amounts_behind,
    building_matrix,
    counting_buildings,
    findings_behind,
    indicator_table,
    total_of,
)
from server.pages import SIGNED_IN, page, page_blueprint
from server.surveys.models import Submission, SurveyRound

blueprint = page_blueprint("ledger_pages", __name__, url_prefix="/desk")
SEARCH_PER_PAGE = 50


@blueprint.get("/buildings/")
@page(roles=SIGNED_IN, query=BuildingSearchQuery, writes=False)
def buildings(query):
    """The top bar's building search: straight to the building when only one matches."""
    found = db.paginate(buildings_query(g.user, q=query.get("q")), page=query["page"],
                        per_page=SEARCH_PER_PAGE, error_out=False)
    if query.get("q") and found.total == 1:
        return redirect(url_for(".building", building_id=found.items[0].id))
    return render_template("desk/buildings.html", page=found, q=query.get("q", ""))


@blueprint.get("/buildings/<int:building_id>")
@page(roles=SIGNED_IN, query=RoundQuery, writes=False)
def building(building_id, query):
    building = get_building(g.user, building_id)
    survey_round = round_by_code(query.get("round"))
    submissions = db.session.scalars(
        select(Submission).where(Submission.building_id == building.id)
        .options(selectinload(Submission.author), selectinload(Submission.round))
        .order_by(Submission.round_id.desc(), Submission.indicator, Submission.captured_at)).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.building_id == building.id)
        .options(selectinload(Finding.photos), selectinload(Finding.round))
        .order_by(Finding.round_id.desc(), Finding.indicator, Finding.id)).all()
    appraisals = db.session.scalars(
        select(Appraisal).where(Appraisal.building_id == building.id)
        .options(selectinload(Appraisal.agency))
        .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc())).all()
    rounds = db.session.scalars(select(SurveyRound).order_by(SurveyRound.id.desc())).all()
    return render_template(
        "desk/ledger_building.html", building=building, survey_round=survey_round,
        rounds=rounds, statuses=indicator_statuses(building, survey_round,
                                                   indicator_system(survey_round.system)),
        submissions=submissions, findings=findings, appraisals=appraisals,
        can_appraise=can_appraise(g.user),
        disagreeing_submissions=disagreeing_submission_ids(building.id))


@blueprint.get("/ledger/estates/<int:estate_id>")
@page(roles=SIGNED_IN, query=RoundQuery, writes=False)
def estate_matrix(estate_id, query):
    estate = _visible(Estate, estate_id)
    return _matrix_page(f"{estate.community.name} · {estate.name}", query, estate_id=estate.id)


@blueprint.get("/ledger/communities/<int:community_id>")
@page(roles=SIGNED_IN, query=RoundQuery, writes=False)
def community_matrix(community_id, query):
    community = db.session.get(Community, community_id)
    if community is None or community_id not in dict(visible_communities(g.user)):
        raise not_found_or_not_yours("该社区")
    return _matrix_page(f"{community.town.name} · {community.name}", query,
                        community_id=community.id)


@blueprint.get("/ledger/indicators", endpoint="indicator_table")
@page(roles=SIGNED_IN, query=IndicatorTableQuery, writes=False)
def indicator_table_page(query):
    survey_round = round_by_code(query.get("round"))
    level = query["level"]
    rows = indicator_table(g.user, survey_round, level)
    indicators = indicator_list(survey_round.system)
    total = {"id": g.user.county_id, "name": g.user.county.name,
             **total_of(rows, [i["number"] for i in indicators])}
    # One url_for per indicator, not two per cell: a county's table has thousands of cells.
    counting_links = {i["number"]: url_for(".counting", indicator=i["number"],
                                           round=survey_round.code) for i in indicators}
    return render_template("desk/ledger_indicators.html", rows=rows, total=total, level=level,
                           levels=LEVEL_LABELS, survey_round=survey_round, indicators=indicators,
                           counting_links=counting_links)


@blueprint.get("/ledger/indicators/<int:indicator>/buildings")
@page(roles=SIGNED_IN, query=CountingBuildingsQuery, writes=False)
def counting(indicator, query):
    survey_round = round_by_code(query.get("round"))
    names = {i["number"]: i for i in indicator_list(survey_round.system)}
    if indicator not in names:
        raise ApiError("request.bad_parameter", f"指标应为 {min(names)}—{max(names)}")
    buildings = counting_buildings(g.user, survey_round, indicator, query["level"], query["id"],
                                   query["state"])
    page = db.paginate(buildings, page=query["page"], per_page=100, error_out=False)
    evidence = findings_behind(survey_round, indicator, (b.id for b in page.items))
    # An indicator not counted in 栋 (2025's 非成套住宅, in 套): each building's amount and their sum.
    amounts = (None if names[indicator]["unit"] == BUILDINGS
               else amounts_behind(survey_round, indicator, buildings))
    return render_template("desk/ledger_counting.html", page=page, indicator=names[indicator],
                           evidence=evidence, state=query["state"], amounts=amounts,
                           level_label=LEVEL_LABELS[query["level"]], survey_round=survey_round,
                           unit_name=_unit_name(query["level"], query["id"]))


def _matrix_page(title: str, query: dict, **where):
    survey_round = round_by_code(query.get("round"))
    matrix = building_matrix(g.user, survey_round, **where)
    return render_template("desk/ledger_matrix.html", title=title, matrix=matrix,
                           survey_round=survey_round, by_estate="community_id" in where,
                           indicators=indicator_list(survey_round.system))


def _visible(model, object_id):
    found = db.session.get(model, object_id)
    if found is None or not can_see_estate(g.user, found):
        raise not_found_or_not_yours("该小区")
    return found


def _unit_name(level: str, unit: int) -> str:
    """The name of the estate, community, town or county a drill-down is about, if the viewer
    sees any building in it."""
    unit_id, name = LEVELS[level][:2]
    if level == "county":
        if unit != g.user.county_id:
            raise not_found_or_not_yours("该汇总单位")
        return g.user.county.name
    found = db.session.scalar(
        select(name).select_from(Building).join(Estate).join(Community).join(Town)
        .where(unit_id == unit, buildings_visible_to(g.user)).limit(1))
    if found is None:
        raise not_found_or_not_yours("该汇总单位")
    return found
