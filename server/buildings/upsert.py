"""Writing imported building rows: places found or created, each building matched by its code or
by estate + number (never duplicated), pre-screened for indicator 1 and audited.

Each row is all or nothing: it runs in a savepoint, and a row the database refuses is rejected
with its reason while the rows around it go in. Only flushes; the caller commits or rolls back.
A census row names its community by 村居 code alone: a code the system does not have refuses the
whole file before anything is written (a community is never made up from a bare code).
"""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from server.audit.operations import record
from server.buildings.basics import BasicsRefused, company_named, set_property_company
from server.buildings.importing import ParsedFile, ParsedRow, Rejection, refuse_file
from server.buildings.models import Building, Community, County, Estate, Town
from server.buildings.operations import refresh_prescreen
from server.extensions import db

# The Building columns an import may fill; a value absent from the row leaves the column alone.
BUILDING_FIELDS = ("code", "number", "address", "longitude", "latitude", "year_built", "build_era",
                   "structure_type", "structure_subtype", "precast_slabs", "seismic_reinforced",
                   "reinforced_year", "appraisal_grade", "appraisal_year", "floors_above", "floors_below", "units",
                   "households", "has_elevator", "gas_supply", "floor_area", "height", "altered",
                   "visible_damage", "appraised")
TEMPORARY_ESTATE_SUFFIX = "零星楼栋"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    prescreened: int = 0  # of the buildings in the file, how many indicator 1 flags
    prescreen_uncertain: int = 0  # … and how many it leaves 待核实
    rejected: list = field(default_factory=list)
    noted: list = field(default_factory=list)  # ParsedRows imported with notes to check


class RowRejected(Exception):
    """This row cannot be written as it stands; the message (Chinese) says why."""


ROW_REFUSALS = (RowRejected, BasicsRefused, SQLAlchemyError)


def written_rows(rows: list, write_row, rejected: list, forget=lambda: None):
    """Each row in a savepoint, all of it or nothing: yields what `write_row(row)` returns for
    the rows written; a row refused (ROW_REFUSALS) is added to `rejected` with its reason, and
    `forget()` is called, since what the row added is gone. The caller has already added (and
    flushed) a write of its own: pysqlite opens the outer transaction only on a write, and would
    otherwise commit each released savepoint, defeating --dry-run and rollback."""
    for row in rows:
        try:
            with db.session.begin_nested():
                outcome = write_row(row)
        except ROW_REFUSALS as error:
            forget()
            rejected.append(Rejection(row.row_number, [_reason(error)], row.cells))
            continue
        yield outcome


def import_buildings(parsed: ParsedFile, *, structure_form, county: County | None = None,
                     source: str = "", actor=None) -> ImportResult:
    """Write every parsed row; rows rejected on reading are carried into the result."""
    _refuse_unknown_community_codes(parsed)
    result = ImportResult(rejected=list(parsed.rejected))
    record(actor, "building.import", "import", (source or parsed.mapping.name)[:64],
           mapping=parsed.mapping.name, rows=len(parsed.rows) + len(parsed.rejected))
    db.session.flush()  # a write before the first savepoint (see written_rows)
    places = _Places(county)
    for (outcome, building), row in written_rows(
            parsed.rows, lambda row: (_import_row(row, places, structure_form, source, actor), row),
            result.rejected, places.forget):
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.prescreened += building.prescreened
        result.prescreen_uncertain += building.prescreen_uncertain
        if row.notes:
            result.noted.append(row)
    result.rejected.sort(key=lambda rejection: rejection.row_number)
    return result


def _refuse_unknown_community_codes(parsed: ParsedFile) -> None:
    """Every row that names its community by code alone must name one the system has."""
    wanted = {row.row_number: row.values["community_code"] for row in parsed.rows
              if row.values.get("community_code") and not row.values.get("community")}
    if not wanted:
        return
    known = set(db.session.scalars(select(Community.code).where(
        Community.code.in_(set(wanted.values())))))
    header = next(h for h in parsed.headers if parsed.mapping.field_for(h) == "community_code")
    unknown = [(number, f"{header}“{code}”：系统中没有这个村（社区）代码，请先核对代码，"
                        "或在系统中为该社区登记代码")
               for number, code in wanted.items() if code not in known]
    if unknown:
        refuse_file(unknown)


def _reason(error: Exception) -> str:
    if not isinstance(error, SQLAlchemyError):
        return str(error)
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"数据库拒绝写入该行：{detail}"


def _import_row(row: ParsedRow, places: "_Places", structure_form, source: str, actor):
    values = row.values
    county = places.county(values)
    if values.get("community") or not values.get("community_code"):
        community = places.community(county, places.town(county, values), values)
    else:
        community = places.community_by_code(county, values)
    estate, company_change = places.estate(county, community, values)
    building = _matching_building(estate, values)
    before = _snapshot(building) if building is not None else None
    if building is None:
        building = Building(estate=estate, number=values["number"])
        db.session.add(building)
    building.estate = estate
    for name in BUILDING_FIELDS:
        if name in values:
            setattr(building, name, values[name])
    if company_change:
        db.session.flush()  # the pre-screen's facts read the estate's company id
    refresh_prescreen(building, structure_form)
    db.session.flush()
    after = _snapshot(building)
    if before is None:
        record(actor, "building.imported", "building", building.id, source=source,
               row=row.row_number)
        return "created", building
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if company_change:
        changes["property_company"] = company_change
    if not changes:
        return "unchanged", building
    record(actor, "building.import_updated", "building", building.id, source=source,
           row=row.row_number, changes=changes)
    return "updated", building


def _matching_building(estate: Estate, values: dict) -> Building | None:
    """The building this row describes: by code first, else by estate + number."""
    code, number = values.get("code"), values["number"]
    by_code = db.session.scalar(select(Building).where(Building.code == code)) if code else None
    at_place = db.session.scalar(select(Building).where(Building.estate_id == estate.id,
                                                        Building.number == number))
    if by_code is not None:
        if at_place is not None and at_place is not by_code:
            raise RowRejected(f"房屋编号 {code} 对应的楼栋登记在{by_code.label}，"
                              f"而{estate.name}{number}已是另一栋楼，请核对编号或楼号")
        return by_code
    if at_place is not None and code and at_place.code not in (None, code):
        raise RowRejected(f"{estate.name}{number}已登记为房屋编号 {at_place.code}，"
                          f"与本行的 {code} 不符，请核对")
    return at_place


def _snapshot(building: Building) -> dict:
    state = {name: getattr(building, name) for name in BUILDING_FIELDS}
    state["estate"] = building.estate.name
    state["prescreened"] = building.prescreened
    return state


class _Places:
    """Find-or-create for county → town → community → estate, remembering what it found."""

    def __init__(self, county: County | None):
        self.given_county = county
        self.found: dict = {}

    def forget(self) -> None:
        """After a rolled-back row: what it created is gone, so forget everything."""
        self.found.clear()

    def _remember(self, key, find):
        if key not in self.found:
            self.found[key] = find()
        return self.found[key]

    def county(self, values: dict) -> County:
        code = values.get("county_code")
        if self.given_county is not None:
            if code and code != self.given_county.code:
                raise RowRejected(f"县级行政区划代码 {code} 与 --county {self.given_county.code} 不符")
            return self.given_county
        if code:
            return self._remember(("county", code), lambda: self._county_by_code(code, values))
        counties = self._remember(("counties",), lambda: db.session.scalars(select(County)).all())
        if len(counties) != 1:
            raise RowRejected("无法确定所属县（区）：请在表中填写县级行政区划代码，或用 --county 指定")
        return counties[0]

    def _county_by_code(self, code: str, values: dict) -> County:
        county = db.session.scalar(select(County).where(County.code == code))
        if county is None:
            if not values.get("county"):
                raise RowRejected(f"系统中没有县（区）代码 {code}，且本行未填写县（区）名称")
            county = _added(County(code=code, name=values["county"]))
        return county

    def town(self, county: County, values: dict) -> Town | None:
        """None when the row names no town: the community then has to be unique in the county."""
        name, code = values.get("town"), values.get("town_code")
        if not name and not code:
            return None
        return self._remember(("town", county.id, name, code),
                              lambda: self._find_town(county, name, code))

    @staticmethod
    def _find_town(county: County, name: str | None, code: str | None) -> Town:
        town = None
        if code:
            town = db.session.scalar(select(Town).where(Town.county_id == county.id,
                                                        Town.code == code))
        if town is None and name:
            town = db.session.scalar(select(Town).where(Town.county_id == county.id,
                                                        Town.name == name))
        if town is None:
            if not name:
                raise RowRejected(f"系统中没有乡镇（街道）代码 {code}，且本行未填写乡镇（街道）名称")
            kind = "街道" if name.endswith(("街道", "办事处")) else "镇"
            town = _added(Town(county=county, name=name, code=code, kind=kind))
        elif code and town.code is None:
            town.code = code
        return town

    def community(self, county: County, town: Town | None, values: dict) -> Community:
        name, code = values["community"], values.get("community_code")
        if town is None:
            return self._remember(("community", county.id, name),
                                  lambda: self._only_community(county, name))
        return self._remember(("community", town.id, name, code),
                              lambda: self._find_community(town, name, code))

    def community_by_code(self, county: County, values: dict) -> Community:
        """A census row's community, by its 村居 code alone (checked to exist beforehand)."""
        code = values["community_code"]
        community = self._remember(("community code", county.id, code), lambda: db.session.scalar(
            select(Community).join(Town).where(Town.county_id == county.id,
                                               Community.code == code)))
        if community is None:
            raise RowRejected(f"村居行政编码 {code} 的社区不在{county.name}")
        town_code = values.get("town_code")
        if town_code and community.town.code not in (None, town_code):
            raise RowRejected(f"村居行政编码 {code} 属于{community.town.name}（代码 "
                              f"{community.town.code}），与本行的镇街行政编码 {town_code} 不符")
        return community

    @staticmethod
    def _only_community(county: County, name: str) -> Community:
        found = db.session.scalars(select(Community).join(Town).where(
            Town.county_id == county.id, Community.name == name)).all()
        if len(found) != 1:
            state = "尚未登记" if not found else f"有 {len(found)} 个同名社区"
            raise RowRejected(f"缺少乡镇（街道）：社区“{name}”在{county.name}{state}，"
                              "请在表中填写乡镇（街道）或用 --town 指定")
        return found[0]

    @staticmethod
    def _find_community(town: Town, name: str, code: str | None) -> Community:
        community = None
        if code:
            community = db.session.scalar(select(Community).where(Community.town_id == town.id,
                                                                  Community.code == code))
        if community is None:
            community = db.session.scalar(select(Community).where(Community.town_id == town.id,
                                                                  Community.name == name))
        if community is None:
            community = _added(Community(town=town, name=name, code=code))
        elif code and community.code is None:
            community.code = code
        return community

    def estate(self, county: County, community: Community, values: dict):
        """(estate, [old company, new company] if this row changed its property company)."""
        name = values.get("estate") or f"{community.name}{TEMPORARY_ESTATE_SUFFIX}"
        estate = self._remember(("estate", community.id, name), lambda: db.session.scalar(
            select(Estate).where(Estate.community_id == community.id, Estate.name == name)))
        if estate is None:
            estate = _added(Estate(community=community, name=name,
                                   is_temporary=not values.get("estate")))
            self.found[("estate", community.id, name)] = estate
        company_name = values.get("property_company")
        if not company_name:
            return estate, None
        company = self._remember(("company", county.id, company_name),
                                 lambda: company_named(county.id, company_name))
        if values.get("property_phone"):
            company.phone = values["property_phone"]
        return estate, set_property_company(estate, company)


def _added(instance):
    """Add and flush, so the new row has its id for the lookups that follow."""
    db.session.add(instance)
    db.session.flush()
    return instance
