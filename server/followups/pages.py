"""The desk's 待专业机构评估: follow-ups to appraise (bureau: the county's, with 指派; agency: those
it may take, with a link to upload the appraisal that closes them)."""
from flask import flash, g, redirect, render_template, url_for

from server.appraisals.operations import can_appraise
from server.catalog import current_round, short_names
from server.extensions import db
from server.followups import operations
from server.followups.models import STATES
from server.followups.schemas import (AssignmentSchema, FollowUpQuery, indicator_name,
                                      question_label, survey_photos)
from server.pages import page, page_blueprint

blueprint = page_blueprint("follow_up_pages", __name__, url_prefix="/desk/follow-ups")
blueprint.add_app_template_global(operations.DESK_ROLES, "follow_up_roles")


@blueprint.get("/")
@page(roles=operations.DESK_ROLES, query=FollowUpQuery, writes=False)
def index(query):
    page_number, per_page = query.pop("page"), query.pop("per_page")
    listed = db.paginate(operations.listed_follow_ups(g.user, query), page=page_number,
                         per_page=per_page, error_out=False)
    survey_round = current_round()
    return render_template(
        "desk/follow_ups.html", page=listed, query=query, states=STATES,
        indicators=short_names(survey_round.system) if survey_round else {},
        can_assign=g.user.role in operations.ASSIGNING_ROLES, can_appraise=can_appraise(g.user),
        agencies=operations.agencies_to_assign(g.user)
        if g.user.role in operations.ASSIGNING_ROLES else [],
        question_label=question_label, indicator_name=indicator_name, photos_of=survey_photos)


@blueprint.post("/<int:follow_up_id>/assignment")
@page(roles=operations.ASSIGNING_ROLES, form=AssignmentSchema, writes=True)
def assign(follow_up_id, form):
    follow_up = operations.assign(g.user, follow_up_id, form["agency_id"])
    flash(f"已指派：{follow_up.agency.name}" if follow_up.agency else "已取消指派，本县任一机构可办",
          "success")
    return redirect(url_for("follow_up_pages.index"))
