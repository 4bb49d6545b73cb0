"""The building ledger (住房楼栋台账): one row per building, the facts the manual's ledger
carries, and its state per indicator by the counting rule (是 / 待审核 / 否 / 不适用 / 未调查).
The states are pivoted in SQL (one GROUP BY) and the rows streamed in batches."""
from sqlalchemy import select

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, PropertyCompany, Town
from server.extensions import db
from server.ledger.counting import pivoted_states, state_of
from server.ledger.tables import BUILDINGS, visible_building_ids
from server.surveys.models import SurveyRound
from sync import counting

FACT_HEADER = ["序号", "街道/镇", "社区", "小区", "楼号", "楼栋编码", "地址", "建成年份", "结构类型",
               "地上层数", "地下层数", "单元数", "户数", "建筑面积(㎡)", "电梯", "燃气", "物业公司",
               "抗震加固", "安全鉴定", "指标1初筛", "经度", "纬度"]
STRUCTURES = {"masonry": "砖混", "concrete": "钢筋混凝土", "steel": "钢结构", "timber": "木结构",
              "other": "其他"}
GAS = {"pipeline": "管道燃气", "bottled": "瓶装液化气", "none": "无"}
BATCH = 2000
# XLSX column widths (characters ≈ 2 units each) for the columns that hold names and addresses.
WIDTHS = {2: 10, 3: 12, 4: 18, 5: 8, 6: 16, 7: 26, 17: 20, 19: 12}


def ledger_header(indicators: list[dict]) -> list[str]:
    """The facts, then a column per indicator with the building's state; an indicator not
    counted in 栋 has a second column with the building's amount (e.g. 非成套 套数)."""
    columns = []
    for i in indicators:
        columns.append(f"{i['number']}.{i['short_name']}")
        if _measured(i):
            columns.append(f"{i['number']}.{i['short_name']}({i['unit']})")
    return FACT_HEADER + columns + ["计入指标数"]


def _measured(indicator: dict) -> bool:
    return indicator["unit"] != BUILDINGS


def ledger_rows(user: User, survey_round: SurveyRound, indicators: list[dict], *,
                community_id=None):
    numbers = [i["number"] for i in indicators]
    measured = [i["number"] for i in indicators if _measured(i)]
    kept = pivoted_states(survey_round.id, numbers,
                          visible_building_ids(user, community_id=community_id), measured)
    stmt = (select(Town.name.label("town"), Community.name.label("community"),
                   Estate.name.label("estate"), Building.number, Building.code, Building.address,
                   Building.year_built, Building.structure_type, Building.floors_above,
                   Building.floors_below, Building.units, Building.households,
                   Building.floor_area, Building.has_elevator, Building.gas_supply,
                   PropertyCompany.name.label("company"), Building.seismic_reinforced,
                   Building.reinforced_year, Building.appraisal_grade, Building.appraisal_year,
                   Building.prescreened, Building.prescreen_uncertain, Building.longitude, Building.latitude,
                   *[state_of(kept.c[f"s{n}"], survey_round.system, n).label(f"s{n}")
                     for n in numbers], *[kept.c[f"a{n}"] for n in measured])
            .select_from(Building).join(Estate).join(Community).join(Town)
            .outerjoin(PropertyCompany, Estate.property_company_id == PropertyCompany.id)
            .outerjoin(kept, kept.c.building_id == Building.id)
            .where(buildings_visible_to(user))
            .order_by(Town.name, Community.name, Estate.name, Building.number, Building.id)
            .execution_options(yield_per=BATCH))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    for serial, b in enumerate(db.session.execute(stmt), 1):
        states = [getattr(b, f"s{n}") for n in numbers]
        columns = []
        for n, state in zip(numbers, states):
            columns.append(counting.label(state))
            if n in measured:
                counted = state in (counting.COUNTS, counting.PENDING)
                columns.append(getattr(b, f"a{n}") if counted else None)
        yield [serial, b.town, b.community, b.estate, b.number, b.code, b.address,
               b.year_built, STRUCTURES.get(b.structure_type, ""), b.floors_above,
               b.floors_below, b.units, b.households, b.floor_area, _have(b.has_elevator),
               GAS.get(b.gas_supply, ""), b.company, _reinforced(b), _appraisal(b),
               _prescreen(b), b.longitude, b.latitude, *columns,
               sum(1 for s in states if s == counting.COUNTS)]


def _prescreen(b) -> str:
    return "需优先排查" if b.prescreened else "待核实" if b.prescreen_uncertain else ""


def _have(value) -> str:
    return "" if value is None else "有" if value else "无"


def _reinforced(b) -> str:
    if b.seismic_reinforced is None:
        return ""
    if not b.seismic_reinforced:
        return "否"
    return f"是（{b.reinforced_year}年）" if b.reinforced_year else "是"


def _appraisal(b) -> str:
    if not b.appraisal_grade:
        return ""
    return f"{b.appraisal_grade}级（{b.appraisal_year}年）" if b.appraisal_year \
        else f"{b.appraisal_grade}级"
