from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from server.endpoints import PUBLIC, endpoint
from server.errors import CATALOGUE
from server.extensions import db
from server.meta.openapi import build_spec

blueprint = Blueprint("meta", __name__)


@blueprint.get("/healthz")
@endpoint(summary="健康检查：进程与数据库是否可用", tags=["meta"], roles=PUBLIC, writes=False)
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@blueprint.get("/api/openapi.json")
def openapi_document():
    return jsonify(build_spec(current_app))


@blueprint.get("/api/errors")
@endpoint(summary="错误代码目录", tags=["meta"], roles=PUBLIC, writes=False)
def error_catalogue():
    return [{"code": code, "status": status, "message": message}
            for code, (status, message) in CATALOGUE.items()]
