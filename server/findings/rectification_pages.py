"""The rectification desk (整改): 问题整治完成率 per class, the overdue problems, and last round's
problems the workers are asked to follow up; every number opens the findings behind it."""
from flask import g, render_template
from sqlalchemy import select

from server.extensions import db
from server.findings.completion import (
    LIST_STATES,
    carried_over_by_status,
    completion_by_class,
    completion_table,
    findings_in_state,
)
from server.accounts.scopes import visible_communities
from server.findings.decisions import version_of
from server.findings.models import PROBLEM_CLASSES
from server.findings.schemas import RectificationListQuery, RectificationQuery
from server.pages import SIGNED_IN, page, page_blueprint
from server.catalog import round_by_code
from server.surveys.models import SurveyRound
from sync import lifecycle
from sync.china_time import china_today

blueprint = page_blueprint("rectification_pages", __name__, url_prefix="/desk")
SHOWN_ON_OVERVIEW = 50
PER_PAGE = 50


@blueprint.get("/rectification")
@page(roles=SIGNED_IN, query=RectificationQuery, writes=False)
def overview(query):
    survey_round = round_by_code(query.get("round"))
    today = china_today()
    narrowed = {"community_id": query.get("community"),
                "problem_class": query.get("problem_class")}
    overdue = findings_in_state(g.user, survey_round, "overdue", today, **narrowed)
    carried = findings_in_state(g.user, survey_round, "carried", today, **narrowed)
    previous = survey_round.previous_round
    previous_rates = None if previous is None else completion_by_class(
        g.user, previous, today, community_id=query.get("community"))
    return render_template(
        "desk/rectification.html", survey_round=survey_round, filters=query, today=today,
        table=completion_table(g.user, survey_round, today), classes=PROBLEM_CLASSES,
        overdue=db.paginate(overdue, page=1, per_page=SHOWN_ON_OVERVIEW, error_out=False),
        carried=db.paginate(carried, page=1, per_page=SHOWN_ON_OVERVIEW, error_out=False),
        carried_statuses=carried_over_by_status(g.user, survey_round, **narrowed),
        previous_rates=previous_rates,
        statuses=lifecycle.STATES, communities=visible_communities(g.user), rounds=_rounds())


@blueprint.get("/rectification/findings")
@page(roles=SIGNED_IN, query=RectificationListQuery, writes=False)
def findings(query):
    survey_round = round_by_code(query.get("round"))
    today = china_today()
    stmt = findings_in_state(g.user, survey_round, query["state"], today,
                             community_id=query.get("community"),
                             problem_class=query.get("problem_class"))
    return render_template(
        "desk/rectification_findings.html", survey_round=survey_round, filters=query,
        page=db.paginate(stmt, page=query["page"], per_page=PER_PAGE, error_out=False),
        state_label=LIST_STATES[query["state"]], states=LIST_STATES,
        communities=visible_communities(g.user), rounds=_rounds(),
        classes=PROBLEM_CLASSES, today=today, version_of=version_of,
        can_rectify=query["state"] == lifecycle.ACCEPTED and lifecycle.can_decide(g.user.role))


def _rounds() -> list:
    return db.session.scalars(select(SurveyRound).order_by(SurveyRound.id.desc())).all()
