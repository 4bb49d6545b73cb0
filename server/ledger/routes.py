from flask import Blueprint, g

from server.accounts.models import Role
from server.buildings.operations import get_building
from server.endpoints import endpoint
from server.ledger.operations import indicator_statuses
from server.ledger.schemas import BuildingStatusSchema, RoundQuery
from server.catalog import form_registry, round_by_code

blueprint = Blueprint("ledger_api", __name__, url_prefix="/api")


@blueprint.get("/buildings/<int:building_id>/status")
@endpoint(summary="一栋楼各指标的当前结论及其依据", tags=["ledger"], roles=tuple(Role), writes=False,
          query=RoundQuery, response=BuildingStatusSchema,
          errors=["resource.not_found", "round.unknown"])
def building_status(building_id, query):
    building = get_building(g.user, building_id)
    survey_round = round_by_code(query.get("round"))
    system = form_registry().system(survey_round.system)
    return {"building_id": building.id, "label": building.label, "round": survey_round.code,
            "indicators": indicator_statuses(building, survey_round, system)}
