"""The 1表: the estate-level indicator survey table (小区指标调查表), grouped by 社区 with each
estate's basics (the manual's pre-loaded items, server/buildings/basics.py), and the county
indicator table. Every figure is the counting rule's (server/ledger/tables.indicator_table): the
count of buildings that are 是, beside it what is 待审核, and how far the survey has got. A unit
where nothing was surveyed says 未调查, never 0; one the indicator does not apply to, 不适用."""
from itertools import groupby

from sqlalchemy import select

from server.accounts.models import User
from server.buildings.models import Estate, PropertyCompany
from server.extensions import db
from server.exports.manual_terms import in_units
from server.exports.writers import Sheet
from server.ledger.tables import Figures, indicator_table, total_of
from server.surveys.models import SurveyRound

def progress_header(indicators: list[dict]) -> list[str]:
    return ["序号", "街道/镇", "社区", "小区", "指标", in_units(indicators, "体检结果"),
            in_units(indicators, "待审核"), "已调查(栋)", "未调查(栋)", "不适用(栋)", "调查覆盖率"]


def figure_value(figures: Figures, unit: str):
    """What a table cell says: the count in the indicator's unit, or why there is none."""
    if figures.applicable == 0:
        return "不适用"
    if figures.surveyed == 0:
        return "未调查"
    return figures.result(unit)


def coverage_text(figures: Figures) -> str:
    return "—" if figures.coverage is None else f"{figures.coverage:.0%}"


def estate_sheets(user: User, survey_round: SurveyRound, indicators: list[dict], title: str,
                  *, community_id=None) -> list[Sheet]:
    """Two sheets: the table (a row per estate, a 合计 row per 社区 and for the whole), and the
    survey's progress per estate and indicator."""
    numbers = [i["number"] for i in indicators]
    units = {i["number"]: i["unit"] for i in indicators}
    rows = indicator_table(user, survey_round, "estate", community_id=community_id)
    by_community = [(key, list(group)) for key, group in
                    groupby(rows, key=lambda r: tuple(r["parents"]))]
    header = ["序号", "街道/镇", "社区", "小区", *BASICS_HEADER, "楼栋数"] + \
        [i["name"] for i in indicators]
    basics = estate_basics([r["id"] for r in rows])

    def table_rows():
        serial = 0
        for (town, community), estates in by_community:
            for estate in estates:
                serial += 1
                yield [serial, town, community, estate["name"], *basics[estate["id"]],
                       estate["buildings"],
                       *[figure_value(estate["figures"][n], units[n]) for n in numbers]]
            subtotal = total_of(estates, numbers)
            yield [None, town, community, "合计", *_summed(basics, estates),
                   subtotal["buildings"],
                   *[figure_value(subtotal["figures"][n], units[n]) for n in numbers]]
        if len(by_community) > 1:
            total = total_of(rows, numbers)
            yield [None, None, "全部", "合计", *_summed(basics, rows), total["buildings"],
                   *[figure_value(total["figures"][n], units[n]) for n in numbers]]

    def progress_rows():
        serial = 0
        for (town, community), estates in by_community:
            for estate in estates:
                for i in indicators:
                    serial += 1
                    yield [serial, town, community, estate["name"],
                           *_progress(i, estate["figures"][i["number"]])]

    first = 5 + len(BASICS_HEADER)
    widths = {2: 10, 3: 12, 4: 20, 5: 10, 6: 12, 9: 24,
              **{first + k: 12 for k in range(1, len(numbers) + 1)}}
    return [Sheet("指标调查表", title, header, table_rows(), widths),
            Sheet("调查进度", f"{title}（调查进度）", progress_header(indicators), progress_rows(),
                  {2: 10, 3: 12, 4: 20, 5: 34})]


BASICS_HEADER = ["小区类型", "建成年代", "户数", "常住人口", "物业公司"]


def estate_basics(estate_ids: list[int]) -> dict[int, list]:
    """estate id → its basics as the table prints them (blank where not known)."""
    rows = db.session.execute(
        select(Estate.id, Estate.kind, Estate.built_from, Estate.built_to, Estate.households,
               Estate.population, Estate.is_temporary, PropertyCompany.name.label("company"))
        .outerjoin(PropertyCompany, Estate.property_company_id == PropertyCompany.id)
        .where(Estate.id.in_(estate_ids)))
    return {row.id: [row.kind, built_years(row.built_from, row.built_to), row.households,
                     row.population, row.company or ("零星楼栋，无物业" if row.is_temporary
                                                     else "无物业")]
            for row in rows}


def built_years(first: int | None, last: int | None) -> str | None:
    if first is None and last is None:
        return None
    if first == last or last is None:
        return f"{first}年"
    return f"{last}年以前" if first is None else f"{first}—{last}年"


def _summed(basics: dict, estates: list[dict]) -> list:
    """A 合计 row's basics: households and population added up where every estate has them."""
    def total(column):
        values = [basics[e["id"]][column] for e in estates]
        return None if any(v is None for v in values) else sum(values)
    return [None, None, total(2), total(3), None]


def _progress(indicator: dict, figures: Figures) -> list:
    unit = indicator["unit"]
    return [indicator["name"], figure_value(figures, unit), figures.pending_result(unit),
            figures.surveyed, figures.not_surveyed, figures.not_applicable,
            coverage_text(figures)]


def county_table(user: User, survey_round: SurveyRound, indicators: list[dict]):
    towns = indicator_table(user, survey_round, "town")
    numbers = [i["number"] for i in indicators]
    total = total_of(towns, numbers)
    header = ["序号", "分类", "指标", "单位", "指标责任单位", "全县合计",
              in_units(indicators, "待审核"), "已调查(栋)", "未调查(栋)", "不适用(栋)",
              "调查覆盖率"] + [t["name"] for t in towns]

    def rows():
        for i in indicators:
            n, unit = i["number"], i["unit"]
            figures = total["figures"][n]
            yield [n, i.get("group", ""), i["name"], unit, i["responsible_unit"],
                   figure_value(figures, unit),
                   figures.pending_result(unit), figures.surveyed, figures.not_surveyed,
                   figures.not_applicable, coverage_text(figures),
                   *[figure_value(t["figures"][n], unit) for t in towns]]
    return header, rows()
