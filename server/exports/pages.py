"""The desk's downloads: the standard lists, the problem ledger and the two indicator tables,
streamed."""
from urllib.parse import quote

from flask import Response, g, render_template
from marshmallow import fields, validate

from server.endpoints import QuerySchema
from server.errors import ApiError
from server.exports import building_ledger, finding_ledger
from server.exports.building_ledger import ledger_header, ledger_rows
from server.exports.completion import HEADER as COMPLETION_HEADER
from server.exports.completion import completion_rows
from server.exports.indicator_tables import county_table, estate_sheets
from server.exports.photo_zip import community_photos, has_photos, photo_rows, zip_chunks
from server.exports.problems import (
    community_label,
    flat_rows,
    list_header,
    list_sheets,
)
from server.exports.writers import streamed_download, workbook_download
from server.accounts.scopes import visible_communities
from server.catalog import indicator_list, round_by_code
from server.extensions import db
from server.planning.operations import planning_of
from server.pages import SIGNED_IN, page, page_blueprint
from server.photos.operations import evidence_credentials, photo_store
from sync.china_time import china_today

blueprint = page_blueprint("export_pages", __name__, url_prefix="/desk/exports")
EXPORTS = {
    "estate-indicators": "小区指标调查表",
    "building-ledger": "住房楼栋台账",
    "problems": "问题清单",
    "suggestions": "整治建议清单",
    "completion": "问题整治完成率",
    "county-indicators": "县住房指标表",
    "finding-ledger": "问题台账",
}
# What the manual calls them in a file's title: 住房维度体检问题清单 and so on.
TITLES = {"problems": "住房维度体检问题清单", "suggestions": "住房维度体检整治建议清单",
          "estate-indicators": "住房维度体检指标调查表（小区）", "building-ledger": "住房楼栋台账"}

# Columns holding sentences, wider than their headers (XLSX); the rest fit their header.
TEXT_COLUMN_WIDTHS = {"finding-ledger": finding_ledger.WIDTHS,
                      "building-ledger": building_ledger.WIDTHS, "completion": {2: 14}}


class ExportQuery(QuerySchema):
    round = fields.String(validate=validate.Length(1, 20))
    community = fields.Integer(validate=validate.Range(min=1))
    # the problem ledger's own filters
    responsible_unit = fields.String(validate=validate.Length(
        1, 60, error="不能超过 60 个字（须与问题记录中的责任单位完全一致）"))
    state = fields.String(load_default="all", validate=validate.OneOf(
        tuple(finding_ledger.STATES), error="应为 " + "、".join(finding_ledger.STATES)))


@blueprint.get("/")
@page(roles=SIGNED_IN, writes=False)
def index():
    return render_template("desk/exports.html", exports=EXPORTS, states=finding_ledger.STATES,
                           communities=visible_communities(g.user))


@blueprint.get("/<kind>.<file_format>")
@page(roles=SIGNED_IN, query=ExportQuery, writes=False)
def download(kind, file_format, query):
    if kind not in EXPORTS or file_format not in ("xlsx", "csv"):
        raise ApiError("request.bad_parameter", "没有这种导出，格式只能是 xlsx 或 csv")
    survey_round = round_by_code(query.get("round"))
    community_id = query.get("community")
    place = _place_name(community_id)
    indicators = indicator_list(survey_round.system)
    names = {i["number"]: i["name"] for i in indicators}
    name = f"{g.user.county.name}{survey_round.title}{TITLES.get(kind, EXPORTS[kind])}"
    title = name + (f"（{place}）" if place else "")
    filename = f"{g.user.county.name}{place or ''}{survey_round.title}{EXPORTS[kind]}"
    widths = TEXT_COLUMN_WIDTHS.get(kind)
    if kind in ("problems", "suggestions"):
        planning = planning_of(g.user, survey_round)
        sheets = list_sheets(g.user, survey_round, indicators, kind, name, planning,
                             community_id=community_id)  # read as the file is written
        return workbook_download(filename, file_format, sheets, csv_table=(
            ["街道/镇", "社区", *list_header(kind, indicators)],
            flat_rows(g.user, survey_round, indicators, kind, planning,
                      community_id=community_id)))
    if kind == "estate-indicators":
        sheets = estate_sheets(g.user, survey_round, indicators, title, community_id=community_id)
        return workbook_download(filename, file_format, sheets)
    if kind == "building-ledger":
        header = ledger_header(indicators)
        rows = ledger_rows(g.user, survey_round, indicators, community_id=community_id)
    elif kind == "finding-ledger":
        header = finding_ledger.HEADER
        rows = finding_ledger.ledger_rows(
            g.user, survey_round, names, china_today(), community_id=community_id,
            responsible_unit=query.get("responsible_unit"), state=query["state"])
    elif kind == "completion":
        header = COMPLETION_HEADER
        rows = completion_rows(g.user, survey_round, china_today(), community_id=community_id)
    else:
        if community_id is not None:
            raise ApiError("request.bad_parameter", "县住房指标表是全县的表，不能按社区导出")
        header, rows = county_table(g.user, survey_round, indicators)
    return streamed_download(filename, file_format, title, header, rows, widths=widths)


def _place_name(community_id: int | None) -> str | None:
    """The 社区 a file is about, named for its title and file name; an unknown one (or one out of
    the viewer's scope) is refused before a byte is written."""
    if community_id is None:
        return None
    communities = {c.id: c for c in visible_communities(g.user)}
    if community_id not in communities:
        raise ApiError("resource.not_found", "找不到该社区，或不在您负责的范围内")
    return community_label(communities[community_id].name)


@blueprint.get("/photos/<int:community_id>.zip")
@page(roles=SIGNED_IN, writes=False)
def community_photo_zip(community_id):
    communities = dict(visible_communities(g.user))
    if community_id not in communities:
        raise ApiError("resource.not_found", "找不到该社区，或不在您负责的范围内")
    photos = community_photos(g.user, community_id)
    if not has_photos(photos):
        return render_template("desk/no_photos.html", community=communities[community_id]), 404
    # Streamed after the request has ended: what the body needs is handed over here, not looked
    # up in a request context that is gone by then (photo_zip.py).
    chunks = zip_chunks(photo_rows(db.engine, photos), photo_store(), evidence_credentials())
    response = Response(chunks, mimetype="application/zip")
    name = quote(f"{communities[community_id]}问题照片.zip")
    response.headers["Content-Disposition"] = \
        f"attachment; filename=\"photos.zip\"; filename*=UTF-8''{name}"
    return response
