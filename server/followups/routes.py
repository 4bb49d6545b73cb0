"""Follow-up endpoints: the list the bureau and agencies work from, one follow-up, assigning it."""
from flask import Blueprint, g

from server.endpoints import endpoint, page_of, paginate
from server.followups import operations
from server.followups.schemas import AssignmentSchema, FollowUpQuery, FollowUpSchema

blueprint = Blueprint("follow_ups_api", __name__, url_prefix="/api")


@blueprint.get("/follow-ups")
@endpoint(summary="待专业机构评估（住建局：全县；专业机构：本县未指派给他人的）", tags=["follow-ups"],
          roles=operations.DESK_ROLES, writes=False, query=FollowUpQuery,
          response=page_of(FollowUpSchema))
def list_follow_ups(query):
    page = {k: query.pop(k) for k in ("page", "per_page")}
    return paginate(operations.listed_follow_ups(g.user, query), page)


@blueprint.get("/follow-ups/<int:follow_up_id>")
@endpoint(summary="一项待专业机构评估", tags=["follow-ups"], roles=operations.DESK_ROLES,
          writes=False, response=FollowUpSchema, errors=["resource.not_found"])
def get_follow_up(follow_up_id):
    return operations.get_follow_up(g.user, follow_up_id)


@blueprint.post("/follow-ups/<int:follow_up_id>/assignment")
@endpoint(summary="指派专业机构（住建局；agency_id 为空则不指派）", tags=["follow-ups"],
          roles=operations.ASSIGNING_ROLES, writes=True, body=AssignmentSchema,
          response=FollowUpSchema, errors=["resource.not_found", "follow_up.closed"])
def assign_follow_up(follow_up_id, body):
    return operations.assign(g.user, follow_up_id, body["agency_id"])
