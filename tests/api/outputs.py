"""What the bureau downloads and opens, read back per community and indicator: the 1表's figure,
the two lists' results, the ledger's 是 (and, for an indicator not counted in 栋, its amount
column) and the drill-down's buildings. For the tests that hold them to one count. Each reader
takes the round: its code picks the round, its system the indicators' names and units."""
import csv
import io
import re

from openpyxl import load_workbook

from server.catalog import indicator_list
from server.ledger.tables import BUILDINGS


def workbook(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    return load_workbook(io.BytesIO(response.data))


def table_counts(client, community, survey_round) -> dict[int, int]:
    """The 1表's 合计 row of the community: indicator → its figure (未调查/不适用: 0)."""
    sheet = workbook(client, f"/desk/exports/estate-indicators.xlsx?community={community.id}"
                             f"&round={survey_round.code}")
    rows = list(sheet["指标调查表"].iter_rows(values_only=True))
    header, total = rows[1], next(r for r in rows[2:] if r[3] == "合计")
    values = {i["number"]: total[header.index(i["name"])]
              for i in indicator_list(survey_round.system)}
    return {n: value if isinstance(value, int) else 0 for n, value in values.items()}


def list_results(client, community, kind: str, survey_round) -> dict[int, int]:
    """The result column of each indicator block of the community's sheet."""
    sheet = workbook(client, f"/desk/exports/{kind}.xlsx?community={community.id}"
                             f"&round={survey_round.code}").active
    names = {i["name"]: i["number"] for i in indicator_list(survey_round.system)}
    return {names[row[1]]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True)
            if row[1] is not None}


def numbers(survey_round):
    return [i["number"] for i in indicator_list(survey_round.system)]


def ledger_buildings(client, community, survey_round) -> dict[int, dict[str, int | None]]:
    """indicator → the buildings (小区 + 楼号) the ledger says 是 for, each with its amount from
    the indicator's unit column (e.g. "5.非成套住宅(套)"), None for an indicator counted in 栋."""
    response = client.get(f"/desk/exports/building-ledger.csv?community={community.id}"
                          f"&round={survey_round.code}")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, found = rows[0], {}
    for i in indicator_list(survey_round.system):
        column = f"{i['number']}.{i['short_name']}"
        state = header.index(column)
        amount = None if i["unit"] == BUILDINGS else header.index(f"{column}({i['unit']})")
        found[i["number"]] = {row[3] + row[4]: None if amount is None else int(row[amount])
                              for row in rows[1:] if row[state] == "是"}
    return found


def drill_down_buildings(client, community, indicator: int, survey_round) -> dict[str, int | None]:
    """The drill-down's buildings, each with the amount it shows (None when it shows none)."""
    text = client.get(f"/desk/ledger/indicators/{indicator}/buildings?level=community"
                      f"&id={community.id}&round={survey_round.code}").get_data(as_text=True)
    return {estate + number: int(amount) if amount else None for estate, number, amount in
            re.findall(r"<td>[^<]*</td><td>([^<]+)</td>\s*<td><a href=\"/desk/buildings/\d+"
                       r"[^\"]*\">([^<]+)</a>(?:(?!</tr>).)*?(?:data-amount>(\d+)<|</tr>)",
                       text, re.S)}


def disagreements(client, community, survey_round) -> list[str]:
    """Where one community's outputs disagree, per indicator: the 1表's figure, the two lists'
    results, and the buildings the ledger says 是 for against those the drill-down lists.

    An indicator counted in 栋: the figures are the number of those buildings. One that is not
    (2025's 非成套住宅, in 套): the figures are the sum of the ledger's amount column over those
    buildings, and the drill-down shows each of them with the same amount."""
    table = table_counts(client, community, survey_round)
    problems = list_results(client, community, "problems", survey_round)
    suggestions = list_results(client, community, "suggestions", survey_round)
    ledger = ledger_buildings(client, community, survey_round)
    found = []
    for indicator in indicator_list(survey_round.system):
        n = indicator["number"]
        behind = drill_down_buildings(client, community, n, survey_round)
        figure = (len(ledger[n]) if indicator["unit"] == BUILDINGS
                  else sum(ledger[n].values()))
        figures = (table[n], problems.get(n, 0), suggestions.get(n, 0), figure)
        if len(set(figures)) > 1 or behind != ledger[n]:
            found.append(f"{community.name} 指标{n}: 1表/问题清单/整治建议清单/台账 = {figures}"
                         f"; 台账与下钻不同的楼栋 {sorted(set(ledger[n].items()) ^ set(behind.items()))}")
    return found
