"""The building ledger (住房楼栋台账): one row per building, its facts and its ten indicators.
The statuses are pivoted in SQL (one GROUP BY) and the rows streamed in batches."""
from sqlalchemy import Integer, case, cast, func, select

from server.accounts.models import User
from server.accounts.scopes import buildings_visible_to
from server.buildings.models import Building, Community, Estate, PropertyCompany, Town
from server.extensions import db
from server.ledger.matrix import current_statuses
from server.ledger.tables import visible_building_ids
from server.surveys.models import SurveyRound

FACT_HEADER = ["序号", "街道/镇", "社区", "小区", "楼号", "楼栋编码", "地址", "建成年份", "结构类型",
               "地上层数", "单元数", "户数", "电梯", "燃气", "物业公司"]
STRUCTURES = {"masonry": "砖混", "concrete": "钢筋混凝土", "steel": "钢结构", "timber": "木结构",
              "other": "其他"}
GAS = {"pipeline": "管道燃气", "bottled": "瓶装液化气", "none": "无"}
BATCH = 2000


def ledger_header(indicators: list[dict]) -> list[str]:
    return FACT_HEADER + [f"{i['number']}.{i['short_name']}" for i in indicators] + ["计入指标数"]


def ledger_rows(user: User, survey_round: SurveyRound, indicators: list[dict], *,
                community_id=None):
    numbers = [i["number"] for i in indicators]
    status = current_statuses(survey_round.id, visible_building_ids(user, community_id=community_id))
    pivot = select(status.c.building_id, *[
        func.max(case((status.c.indicator == n, cast(status.c.counts, Integer)))).label(f"i{n}")
        for n in numbers]).group_by(status.c.building_id).subquery()
    stmt = (select(Town.name.label("town"), Community.name.label("community"),
                   Estate.name.label("estate"), Building.number, Building.code, Building.address,
                   Building.year_built, Building.structure_type, Building.floors_above,
                   Building.units, Building.households, Building.has_elevator,
                   Building.gas_supply, PropertyCompany.name.label("company"),
                   *[pivot.c[f"i{n}"] for n in numbers])
            .select_from(Building).join(Estate).join(Community).join(Town)
            .outerjoin(PropertyCompany, Estate.property_company_id == PropertyCompany.id)
            .outerjoin(pivot, pivot.c.building_id == Building.id)
            .where(buildings_visible_to(user))
            .order_by(Town.name, Community.name, Estate.name, Building.number, Building.id)
            .execution_options(yield_per=BATCH))
    if community_id is not None:
        stmt = stmt.where(Estate.community_id == community_id)
    for serial, row in enumerate(db.session.execute(stmt), 1):
        b = row
        values = [getattr(row, f"i{n}") for n in numbers]
        yield [serial, row.town, row.community, row.estate, b.number, b.code, b.address,
               b.year_built, STRUCTURES.get(b.structure_type, ""), b.floors_above, b.units,
               b.households, _yes_no(b.has_elevator), GAS.get(b.gas_supply, ""), row.company,
               *[("未调查" if v is None else "是" if v else "否") for v in values],
               sum(1 for v in values if v)]


def _yes_no(value) -> str:
    return "" if value is None else "有" if value else "无"
