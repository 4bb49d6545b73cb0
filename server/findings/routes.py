from flask import Blueprint, g

from server.endpoints import endpoint
from server.findings import decisions
from server.findings.schemas import DecisionSchema
from sync import lifecycle

blueprint = Blueprint("review_api", __name__, url_prefix="/api")


@blueprint.post("/findings/<finding_uuid>/reviews")
@endpoint(summary="审核一条问题：确认、退回、需复查、下达整改、调整整改时限、整改不合格或销项"
                  "（携带读取时的版本）", tags=["review"],
          roles=lifecycle.DECIDING_ROLES, writes=True, body=DecisionSchema, response=DecisionSchema,
          status=201, errors=["resource.not_found", "request.invalid",
                              "review.stale", "review.not_decidable"])
def decide(finding_uuid, body):
    return decisions.decide(g.user, finding_uuid, body["decision"], body.get("reason"),
                             body["version"], body.get("deadline"))
