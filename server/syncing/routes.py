from flask import Blueprint, g, request

from server.accounts.models import Role
from server.db_types import utcnow
from server.endpoints import endpoint
from server.catalog import current_round, current_system_code, form_registry
from server.syncing import operations
from server.syncing.schemas import PullQuery, PullSchema, PushResultSchema, PushSchema

blueprint = Blueprint("syncing_api", __name__, url_prefix="/api/sync")
ALL_ROLES = tuple(Role)


@blueprint.post("/push")
@endpoint(summary="推送一批离线操作（每条按 id 只入账一次）", tags=["sync"], roles=ALL_ROLES, writes=True,
          body=PushSchema, response=PushResultSchema, errors=["sync.batch_too_large"])
def push(body):
    results = operations.push(g.user, body["device_id"], body["operations"], form_registry(),
                              _seen())
    return {"results": results, "server_time": utcnow()}


@blueprint.get("/pull")
@endpoint(summary="拉取游标之后的变更（按服务器提交顺序，分页）", tags=["sync"], roles=ALL_ROLES, writes=False,
          query=PullQuery, response=PullSchema)
def pull(query):
    page = operations.pull(g.user, int(query["cursor"]), query["limit"], query["device_id"],
                           query["scope"], _seen(app_version=query["app_version"]))
    survey_round = current_round()
    page["round"] = survey_round.code if survey_round else None
    page["round_year"] = survey_round.year if survey_round else None
    page["settings"] = form_registry().system(current_system_code()).settings
    page["forms"] = form_registry().forms(current_system_code())
    return page


def _seen(**more) -> dict:
    """What a sync says about the device it comes from: the token it signs in with, its browser
    (the administrator's list names it by that) and, from a pull, the app's release."""
    seen = {"token_id": g.get("token_id"), "user_agent": request.user_agent.string[:300] or None}
    return {**seen, **{name: value for name, value in more.items() if value is not None}}
