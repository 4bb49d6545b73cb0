"""The estate-level indicator survey table (小区指标调查表) and the county indicator table."""
from server.accounts.models import User
from server.ledger.tables import indicator_table
from server.surveys.models import SurveyRound


def estate_table(user: User, survey_round: SurveyRound, indicators: list[dict]):
    header = ["序号", "街道/镇", "社区", "小区", "楼栋总数"] + [i["name"] for i in indicators]
    def rows():
        for serial, row in enumerate(indicator_table(user, survey_round, "estate"), 1):
            yield [serial, *row["parents"], row["name"], row["buildings"],
                   *[row["values"].get(i["number"], 0) for i in indicators]]
    return header, rows()


def county_table(user: User, survey_round: SurveyRound, indicators: list[dict]):
    towns = indicator_table(user, survey_round, "town")
    county = indicator_table(user, survey_round, "county")
    header = ["序号", "分类", "指标", "单位", "全县合计"] + [t["name"] for t in towns]
    def rows():
        for i in indicators:
            n = i["number"]
            yield [n, i.get("group", ""), i["name"], i.get("unit", "栋"),
                   sum(row["values"].get(n, 0) for row in county),
                   *[t["values"].get(n, 0) for t in towns]]
    return header, rows()
