"""A bureau's lists of estate and community basics (manual 专栏3, 第一步 提前导入): `flask estates
import` and `flask communities import`.

They are read as building lists are (importing.py: CSV in UTF-8 or GBK, XLSX, the header below a
title, header aliases, every rejected row with its number and reasons), with mappings of their own
(mappings/estates.json, communities.json). They fill in places the building import made: an
estate is found by its community (and town) and name, a community by its town and name; a row
naming one the system does not have is rejected with the reason, never creating it. As in the
building import, each row is all or nothing and the rows around a rejected one go in; a blank
cell never erases a stored value.
"""
import difflib
from dataclasses import dataclass, field

from sqlalchemy import select

from server.audit.operations import record
from server.buildings.basics import (COMMUNITY_BASICS, ESTATE_BASICS, apply_basics, company_named,
                                     set_property_company)
from server.buildings.import_values import COMMUNITY_PARSERS, ESTATE_PARSERS
from server.buildings.importing import ImportFileError, ListKind, ParsedFile, ParsedRow
from server.buildings.models import Community, County, Estate, Town
from server.buildings.schemas import BASICS_VALIDATORS
from server.buildings.upsert import RowRejected, written_rows
from server.extensions import db


@dataclass
class BasicsImportResult:
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)


# ---- reading -------------------------------------------------------------------------------

def _estate_columns(fields: set, mapping, defaults: dict) -> None:
    if "estate" not in fields:
        raise ImportFileError(f"表头中没有小区名称列（列映射：{mapping.title}），无法确定是哪个小区")
    if "community" not in fields and not defaults.get("community"):
        raise ImportFileError("表中没有社区列，请用 --community 指定这些小区所在的社区")


def _community_columns(fields: set, mapping, defaults: dict) -> None:
    if "community" not in fields:
        raise ImportFileError(f"表头中没有社区名称列（列映射：{mapping.title}），无法确定是哪个社区")


def _estate_problems(values: dict, header_of: dict, columns: list) -> list[str]:
    problems = [] if values.get("community") else ["缺少社区名称"]
    if not values.get("estate"):
        problems.append("缺少小区名称")
    first, last = values.get("built_from"), values.get("built_to")
    if first is not None and last is not None and first > last:
        problems.append(f"建成年代的起始年份 {first} 晚于截止年份 {last}")
    if values.get("property_phone") and not values.get("property_company"):
        problems.append(f"填写了{header_of['property_phone']}却没有物业公司名称")
    return problems


def _community_problems(values: dict, header_of: dict, columns: list) -> list[str]:
    return [] if values.get("community") else ["缺少社区名称"]


ESTATES = ListKind(
    one="同一个小区", parsers=ESTATE_PARSERS, mappings=("estates",), validators=BASICS_VALIDATORS,
    check_columns=_estate_columns, finish_row=_estate_problems,
    identity=lambda v: (("estate", v.get("town"), v["community"], v["estate"]),
                        f"{v['community']}{v['estate']}"))
COMMUNITIES = ListKind(
    one="同一个社区", parsers=COMMUNITY_PARSERS, mappings=("communities",),
    validators=BASICS_VALIDATORS, check_columns=_community_columns,
    finish_row=_community_problems,
    identity=lambda v: (("community", v.get("town"), v["community"]), v["community"]))


# ---- writing -------------------------------------------------------------------------------

def import_estate_basics(parsed: ParsedFile, *, county: County, source: str = "",
                         actor=None) -> BasicsImportResult:
    """Each row's basics onto the estate it names; rows rejected on reading are carried over."""
    return _import(parsed, "estate", lambda row: _estate_row(row, county, source, actor),
                   source, actor)


def import_community_basics(parsed: ParsedFile, *, county: County, source: str = "",
                            actor=None) -> BasicsImportResult:
    return _import(parsed, "community", lambda row: _community_row(row, county, source, actor),
                   source, actor)


def _import(parsed: ParsedFile, entity: str, write_row, source: str, actor) -> BasicsImportResult:
    result = BasicsImportResult(rejected=list(parsed.rejected))
    record(actor, f"{entity}.import", "import", (source or parsed.mapping.name)[:64],
           mapping=parsed.mapping.name, rows=len(parsed.rows) + len(parsed.rejected))
    db.session.flush()  # a write before the first savepoint (see written_rows)
    for changed in written_rows(parsed.rows, write_row, result.rejected):
        result.updated += changed
        result.unchanged += not changed
    result.rejected.sort(key=lambda rejection: rejection.row_number)
    return result


def _estate_row(row: ParsedRow, county: County, source: str, actor) -> bool:
    values = row.values
    estate = _estate(_community(county, values), values["estate"])
    changes = apply_basics(estate, values, ESTATE_BASICS)
    if values.get("property_company"):
        company = company_named(county.id, values["property_company"])
        if values.get("property_phone"):
            company.phone = values["property_phone"]
        moved = set_property_company(estate, company)
        if moved:
            changes["property_company"] = moved
    if changes:
        record(actor, "estate.basics_imported", "estate", estate.id, source=source,
               row=row.row_number, changes=changes)
    db.session.flush()
    return bool(changes)


def _community_row(row: ParsedRow, county: County, source: str, actor) -> bool:
    community = _community(county, row.values)
    changes = apply_basics(community, row.values, COMMUNITY_BASICS)
    if changes:
        record(actor, "community.basics_imported", "community", community.id, source=source,
               row=row.row_number, changes=changes)
    db.session.flush()
    return bool(changes)


def _community(county: County, values: dict) -> Community:
    """The community a row names, by town when it names one, else by a name unique in the
    county; a row naming none the system has is rejected, suggesting the nearest name."""
    name, town_name = values["community"], values.get("town")
    where = [Town.county_id == county.id]
    if town_name:
        town = db.session.scalar(select(Town).where(*where, Town.name == town_name))
        if town is None:
            raise RowRejected(f"{county.name}没有乡镇（街道）“{town_name}”"
                              f"{_nearest(town_name, select(Town.name).where(*where))}")
        where.append(Community.town_id == town.id)
    in_place = select(Community).join(Town).where(*where)
    found = db.session.scalars(in_place.where(Community.name == name)).all()
    if len(found) > 1:
        raise RowRejected(f"{county.name}有 {len(found)} 个名为“{name}”的社区，请在表中填写乡镇（街道）")
    if not found:
        raise RowRejected(f"{town_name or county.name}没有社区“{name}”"
                          f"{_nearest(name, in_place.with_only_columns(Community.name))}"
                          "（社区随楼栋导入：请核对名称，或先导入其楼栋）")
    return found[0]


def _estate(community: Community, name: str) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.community_id == community.id,
                                                    Estate.name == name))
    if estate is None:
        names = select(Estate.name).where(Estate.community_id == community.id)
        raise RowRejected(f"{community.name}没有小区“{name}”{_nearest(name, names)}"
                          "（小区随楼栋导入：请核对名称，或先导入其楼栋）")
    return estate


def _nearest(name: str, names) -> str:
    close = difflib.get_close_matches(name, db.session.scalars(names).all(), n=1, cutoff=0.5)
    return f"，是否指“{close[0]}”？" if close else ""
