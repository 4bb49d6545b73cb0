"""The problem list (问题清单, the manual's 表3) and the rectification-suggestion list (整治建议清单,
表4), laid out as the manual lays them out: one sheet per 社区, and a county summary sheet.

On a 社区's sheet each indicator with problems is one block: its number, name and result
("体检结果(栋)": the buildings that count, by the counting rule; for an indicator not counted
in 栋, their amounts added up, e.g. 非成套住宅 in 套) span its numbered items, one per
check item: "(1)共3栋住宅存在楼梯踏步损坏，为达明新村1号楼、4号楼、7号楼。" The list holds exactly the
problems that make buildings count (sync/counting.py: confirmed, counting, 销项 or not), so an
indicator's result here is the indicator table's number. A problem closed since (已销项) stays,
marked.

The database groups per building and check item and streams the rows in 社区 order; Python
holds one 社区's items at a time."""
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, PropertyCompany, Town
from server.exports import manual_terms
from server.exports.writers import MergeDown, Sheet
from server.catalog import form_registry
from server.extensions import db
from server.findings.models import Finding
from server.ledger.counting import counting_finding, measured_indicators
from server.ledger.models import BuildingStatus
from server.ledger.tables import natural_key
from server.surveys.models import SurveyRound
from sync import lifecycle

def list_header(kind: str, indicators: list[dict]) -> list[str]:
    """The manual's header of 表3 (problems) or 表4 (suggestions), the result in the units."""
    if kind == "problems":
        return ["序号", "指标项", manual_terms.in_units(indicators, "体检结果"), "存在问题",
                "问题程度", "治理难度", "问题分类"]
    return ["序号", "问题涉及的指标项", manual_terms.in_units(indicators, "指标结果"), "存在问题",
            "整治建议", "整治区域", "整治类型", "责任单位", "整治优先级", "是否纳入下一年度计划"]


def summary_header(indicators: list[dict]) -> list[str]:
    return ["序号", "指标项", manual_terms.in_units(indicators, "体检结果"), "存在问题", "涉及社区"]


PROBLEM_WIDTHS = {2: 22, 3: 10, 4: 70, 5: 10, 6: 10, 7: 10}
SUGGESTION_WIDTHS = {2: 20, 3: 10, 4: 30, 5: 44, 6: 22, 7: 10, 8: 26, 9: 10, 10: 12}
SUMMARY_WIDTHS = {2: 24, 3: 10, 4: 60, 5: 40}
BATCH = 2000
SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a name or a text
CLOSED_MARK = "（已销项）"
NOTHING_LISTED = "本轮尚无经审核确认的问题（待审核的问题确认后列入）"


@dataclass
class Item:
    """One check item of one indicator in one 社区: the buildings with that problem."""

    check_item: str
    buildings: list = field(default_factory=list)  # (estate, number, closed) in order
    severity_rank: int = len(manual_terms.SEVERITY_ORDER)
    difficulty_rank: int = len(manual_terms.DIFFICULTY_ORDER)
    urgent: bool = False
    carried_over: bool = False
    suggestions: dict = field(default_factory=dict)  # an ordered set
    units: dict = field(default_factory=dict)
    building_ids: set = field(default_factory=set)
    amounts: dict = field(default_factory=dict)  # building id → its amount (measured indicators)

    @property
    def severity(self) -> str:
        grades = manual_terms.SEVERITY_ORDER
        return manual_terms.severity_term(grades[min(self.severity_rank, len(grades) - 1)])

    @property
    def difficulty(self) -> str:
        grades = manual_terms.DIFFICULTY_ORDER
        return "" if self.difficulty_rank >= len(grades) \
            else manual_terms.difficulty_term(grades[self.difficulty_rank])

    @property
    def problem_class(self) -> str:
        return manual_terms.URGENT_CLASS if self.urgent else manual_terms.CLASSES[1]

    @property
    def closed(self) -> bool:
        return all(closed for _, _, closed in self.buildings)

    @property
    def estates(self) -> list[str]:
        return list(dict.fromkeys(estate for estate, _, _ in self.buildings))

    @property
    def proposed_for_next_year(self) -> bool:
        return self.problem_class == manual_terms.URGENT_CLASS and not self.closed

    @property
    def priority(self) -> str:
        forms_grade = manual_terms.SEVERITY_ORDER[
            min(self.severity_rank, len(manual_terms.SEVERITY_ORDER) - 1)]
        return manual_terms.proposed_priority(forms_grade, self.problem_class, self.carried_over)


@dataclass
class Block:
    """One indicator in one 社区: its result (buildings that count, or for a measured
    indicator their amounts added up) and its items."""

    community_id: int
    community: str
    town: str
    indicator: int
    items: list[Item]
    measured: bool = False

    @property
    def buildings(self) -> int:
        return len(set().union(*(item.building_ids for item in self.items)))

    @property
    def result(self) -> int:
        if not self.measured:
            return self.buildings
        amounts = {}
        for item in self.items:
            amounts.update(item.amounts)
        return sum(amounts.values())


def community_blocks(user: User, survey_round: SurveyRound, *, community_id=None,
                     units: dict[str, str] | None = None
                     ) -> Iterator[tuple[tuple[int, str, str], list[Block]]]:
    """Yields ((community id, town, community), its blocks) in town and 社区 order. `units`
    names the kinds of 责任单位 the county has named (server/planning)."""
    measured = measured_indicators(survey_round.system)
    rows = db.session.execute(_per_building_items(user, survey_round, community_id))
    for key, community_rows in groupby(rows, key=lambda r: (r.community_id, r.town, r.community)):
        blocks = []
        for indicator, indicator_rows in groupby(community_rows, key=lambda r: r.indicator):
            items = []
            for check_item, item_rows in groupby(indicator_rows, key=lambda r: r.check_item):
                items.append(_item(check_item, list(item_rows), units or {}))
            blocks.append(Block(key[0], key[2], key[1], indicator, items,
                                measured=indicator in measured))
        yield key, blocks


def _per_building_items(user: User, survey_round: SurveyRound, community_id):
    """One row per 社区, indicator, check item and building, with what the list says of it."""
    severity_rank = case(*[(Finding.severity == s, rank)
                           for rank, s in enumerate(manual_terms.SEVERITY_ORDER)],
                         else_=len(manual_terms.SEVERITY_ORDER))
    difficulty_rank = case(*[(Finding.difficulty == d, rank)
                             for rank, d in enumerate(manual_terms.DIFFICULTY_ORDER)],
                           else_=len(manual_terms.DIFFICULTY_ORDER))
    previous = aliased(Finding)
    # Plain columns only: the rows are read while the file streams, after the request's session
    # has ended, so the round is detached and cannot load a relationship.
    carried = (exists().where(previous.round_id == survey_round.previous_round_id,
                              previous.building_id == Finding.building_id,
                              _same_indicator(survey_round, previous),
                              previous.check_item == Finding.check_item,
                              previous.status.in_(lifecycle.CONFIRMED))
               if survey_round.previous_round_id is not None else None)
    stmt = (
        select(Community.id.label("community_id"), Town.name.label("town"),
               Community.name.label("community"), Finding.indicator, Finding.check_item,
               Estate.name.label("estate"), Estate.id.label("estate_id"),
               PropertyCompany.name.label("company"), Building.id.label("building_id"),
               Building.number,
               func.min(severity_rank).label("severity_rank"),
               func.min(difficulty_rank).label("difficulty_rank"),
               func.max(case((Finding.problem_class == manual_terms.URGENT_CLASS, 1), else_=0))
               .label("urgent"),
               func.min(case((Finding.status.in_(lifecycle.COMPLETED), 1), else_=0))
               .label("closed"),
               func.max(case((carried, 1), else_=0) if carried is not None else 0)
               .label("carried_over"),
               func.aggregate_strings(func.coalesce(Finding.suggestion, ""), SEPARATOR)
               .label("suggestions"),
               func.aggregate_strings(func.coalesce(Finding.responsible_unit, ""), SEPARATOR)
               .label("units"), func.max(BuildingStatus.amount).label("amount"))
        .select_from(Finding).join(Building, Finding.building_id == Building.id)
        .outerjoin(BuildingStatus, and_(BuildingStatus.round_id == Finding.round_id,
                                        BuildingStatus.building_id == Finding.building_id,
                                        BuildingStatus.indicator == Finding.indicator))
        .join(Estate).join(Community).join(Town)
        .outerjoin(PropertyCompany, Estate.property_company_id == PropertyCompany.id)
        .where(buildings_visible_to(user), Finding.round_id == survey_round.id,
               Finding.status.in_(lifecycle.CONFIRMED), counting_finding(survey_round.system))
        .group_by(Community.id, Town.name, Community.name, Finding.indicator,
                  Finding.check_item, Estate.name, Estate.id, PropertyCompany.name,
                  Building.id, Building.number)
        .order_by(Town.name, Community.name, Community.id, Finding.indicator,
                  Finding.check_item, Estate.name, Estate.id, Building.number, Building.id)
        .execution_options(yield_per=BATCH))
    if community_id is not None:
        stmt = stmt.where(and_(Estate.community_id == community_id))
    return stmt


def _same_indicator(survey_round: SurveyRound, previous):
    """The previous round's finding is of this finding's indicator: the same number in the same
    system; under another system, one the round's indicator continues (2024's 9 is 2025's 8)."""
    previous_system = db.session.scalar(select(SurveyRound.system).where(
        SurveyRound.id == survey_round.previous_round_id))
    if previous_system == survey_round.system:
        return previous.indicator == Finding.indicator
    continued = [(i["number"], i.get("continues", []))
                 for i in form_registry().system(survey_round.system).indicators]
    return or_(false(), *[and_(Finding.indicator == n, previous.indicator.in_(numbers))
                          for n, numbers in continued if numbers])


def _item(check_item: str, rows: list, units: dict[str, str]) -> Item:
    item = Item(check_item)
    rows.sort(key=lambda r: (r.estate, r.estate_id, natural_key(r.number)))
    for row in rows:
        item.buildings.append((row.estate, row.number, bool(row.closed)))
        item.building_ids.add(row.building_id)
        item.amounts[row.building_id] = row.amount or 0
        item.severity_rank = min(item.severity_rank, row.severity_rank)
        item.difficulty_rank = min(item.difficulty_rank, row.difficulty_rank)
        item.urgent = item.urgent or bool(row.urgent)
        item.carried_over = item.carried_over or bool(row.carried_over)
        for suggestion in row.suggestions.split(SEPARATOR):
            if suggestion:
                item.suggestions[suggestion] = None
        for unit in row.units.split(SEPARATOR):
            if unit:
                item.units[_named_unit(unit, row, units)] = None
    # The manual: the district's departments and the street (town) carry it out together.
    item.units[rows[0].town] = None
    return item


def _named_unit(unit: str, row, units: dict[str, str]) -> str:
    """A form's kind of 责任单位 by name: the estate's property company, the 社区's service
    centre, or the unit the county named for the kind (the kind itself until it does)."""
    if unit == "物业公司":
        return row.company or f"{community_label(row.community)}（{row.estate}无物业服务企业）"
    if unit == "社区服务中心":
        return f"{community_label(row.community)}服务中心"
    return units.get(unit, unit)


# ---- the text of the lists -------------------------------------------------------------

def community_label(name: str) -> str:
    """城东 → 城东社区; a name that already says what it is stays."""
    return name if name.endswith(("社区", "村", "居委会")) else f"{name}社区"


def building_name(number: str) -> str:
    """'3#' or '3' → '3号楼'; other numbers as they are written."""
    match = re.fullmatch(r"(\d+)\s*[#＃号]?", number.strip())
    return f"{match.group(1)}号楼" if match else number


def where_text(item: Item) -> str:
    """达明新村1号楼、4号楼（已销项），南关零星楼栋5号楼"""
    parts = []
    for estate, buildings in groupby(item.buildings, key=lambda b: b[0]):
        names = "、".join(building_name(number) + (CLOSED_MARK if closed else "")
                         for _, number, closed in buildings)
        parts.append(f"{estate}{names}")
    return "，".join(parts)


def problem_text(serial: int, item: Item) -> str:
    text = f"（{serial}）共{len(item.building_ids)}栋住宅存在{item.check_item}，为{where_text(item)}。"
    # one building carries its own mark; several closed ones are said to be closed at once
    return text + ("（均已销项）" if item.closed and len(item.buildings) > 1 else "")


def _indicator_cells(block_serial: int, name: str, result: int, span: int, first: bool):
    if not first:
        return [None, None, None]
    return [MergeDown(block_serial, span), MergeDown(name, span), MergeDown(result, span)]


def problem_rows(blocks: list[Block], names: dict[int, str]):
    for serial, block in enumerate(blocks, 1):
        for n, item in enumerate(block.items, 1):
            yield [*_indicator_cells(serial, names.get(block.indicator, block.indicator),
                                     block.result, len(block.items), n == 1),
                   problem_text(n, item), item.severity, item.difficulty, item.problem_class]


def suggestion_rows(blocks: list[Block], names: dict[int, str], plans: dict | None = None):
    """`plans`: the bureau's (社区, indicator, check item) → ProblemPlan; an item without one
    gets the proposal (Item.priority, and next year's plan for what is urgent and still open)."""
    for serial, block in enumerate(blocks, 1):
        for n, item in enumerate(block.items, 1):
            plan = (plans or {}).get((block.community_id, block.indicator, item.check_item))
            yield [*_indicator_cells(serial, names.get(block.indicator, block.indicator),
                                     block.result, len(block.items), n == 1),
                   f"（{n}）{item.check_item}" + ("（均已销项）" if item.closed else ""),
                   "；".join(item.suggestions), "、".join(item.estates), item.problem_class,
                   "、".join(item.units), plan.priority if plan else item.priority,
                   "是" if (plan.next_year_plan if plan else item.proposed_for_next_year)
                   else "否"]


def flat_rows(user, survey_round, indicators: list[dict], kind: str, planning,
              community_id=None):
    """The CSV: every 社区's rows one after another, the 社区 first, nothing merged."""
    names = {i["number"]: i["name"] for i in indicators}
    for (_, town, community), blocks in community_blocks(
            user, survey_round, community_id=community_id, units=planning.units):
        rows = problem_rows(blocks, names) if kind == "problems" \
            else suggestion_rows(blocks, names, planning.plans)
        for row in _filled_down(rows):
            yield [town, community, *row]


def _filled_down(rows):
    """Rows as a CSV holds them: no merged cells, so an item's row repeats its indicator's."""
    last = []
    for row in rows:
        values = [v.value if isinstance(v, MergeDown) else v for v in row]
        if values[0] is None:
            values[:3] = last[:3]
        last = values
        yield values


def list_sheets(user: User, survey_round: SurveyRound, indicators: list[dict], kind: str,
                title: str, planning, *, community_id=None) -> Iterator[Sheet]:
    """A 社区 sheet each, then (when the list spans several 社区) the county's 汇总: yielded one
    at a time, each 社区's blocks read only when its sheet is written, so a county's list holds
    one 社区 in memory."""
    names = {i["number"]: i["name"] for i in indicators}
    header = list_header(kind, indicators)
    widths = PROBLEM_WIDTHS if kind == "problems" else SUGGESTION_WIDTHS
    summary = Summary()
    for (_, town, community), blocks in community_blocks(
            user, survey_round, community_id=community_id, units=planning.units):
        summary.add(community, blocks)
        rows = problem_rows(blocks, names) if kind == "problems" \
            else suggestion_rows(blocks, names, planning.plans)
        yield Sheet(community, f"{title}（{town}{community_label(community)}）", header, rows,
                    widths)
    if community_id is None:
        yield Sheet("汇总", f"{title}（汇总）", summary_header(indicators), summary.rows(names),
                    SUMMARY_WIDTHS)
    elif not summary.communities:
        yield Sheet("无问题", title, header, [[None, None, None, NOTHING_LISTED]], widths)


class Summary:
    """Per indicator across the 社区: its result and, per check item, where (汇总)."""

    def __init__(self):
        self.by_indicator: dict[int, dict[str, list]] = {}
        self.results: dict[int, int] = {}
        self.communities = 0

    def add(self, community: str, blocks: list[Block]) -> None:
        self.communities += 1
        for block in blocks:
            self.results[block.indicator] = self.results.get(block.indicator, 0) \
                + block.result
            for item in block.items:
                self.by_indicator.setdefault(block.indicator, {}).setdefault(
                    item.check_item, []).append((community, len(item.building_ids)))

    def rows(self, names: dict[int, str]):
        if not self.by_indicator:
            yield [None, None, None, NOTHING_LISTED, None]
        for serial, indicator in enumerate(sorted(self.by_indicator), 1):
            items = self.by_indicator[indicator]
            for n, (check_item, places) in enumerate(items.items(), 1):
                total = sum(count for _, count in places)
                where = "、".join(f"{community_label(community)}{count}栋"
                                  for community, count in places)
                yield [*_indicator_cells(serial, names.get(indicator, indicator),
                                         self.results[indicator], len(items), n == 1),
                       f"（{n}）共{total}栋住宅存在{check_item}", where]
