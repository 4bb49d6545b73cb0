from flask import Blueprint, g

from server.accounts.models import Role
from server.buildings import operations
from server.buildings.schemas import (BuildingFactsSchema, BuildingQuery, BuildingSchema,
                                      CommunityNodeSchema)
from server.endpoints import endpoint, page_of, paginate
from server.catalog import current_structure_form

blueprint = Blueprint("buildings_api", __name__, url_prefix="/api")
ALL_ROLES = tuple(Role)


@blueprint.get("/buildings")
@endpoint(summary="我负责范围内的楼栋（初筛优先）", tags=["buildings"], roles=ALL_ROLES, writes=False,
          query=BuildingQuery, response=page_of(BuildingSchema))
def list_buildings(query):
    page = {k: query.pop(k) for k in ("page", "per_page")}
    return paginate(operations.buildings_query(g.user, **query), page)


@blueprint.get("/buildings/<int:building_id>")
@endpoint(summary="一栋楼的基本信息", tags=["buildings"], roles=ALL_ROLES, writes=False,
          response=BuildingSchema,
          errors=["resource.not_found"])
def get_building(building_id):
    return operations.get_building(g.user, building_id)


@blueprint.patch("/buildings/<int:building_id>")
@endpoint(summary="现场更正楼栋基本信息", tags=["buildings"], roles=ALL_ROLES, writes=True,
          body=BuildingFactsSchema, response=BuildingSchema,
          errors=["resource.not_found", "request.invalid"])
def correct_building(building_id, body):
    building = operations.get_building(g.user, building_id)
    return operations.correct_facts(g.user, building, body, current_structure_form())


@blueprint.get("/communities")
@endpoint(summary="我负责的社区与小区", tags=["buildings"], roles=ALL_ROLES, writes=False,
          response=CommunityNodeSchema, many=True)
def list_communities():
    return operations.communities_in_scope(g.user)
