"""What the bureau downloads and opens, read back per community and indicator: the 1表's count,
the two lists' results, the ledger's 是 and the drill-down's buildings. For the tests that hold
them to one count."""
import csv
import io
import re

from openpyxl import load_workbook

from server.catalog import indicator_list


def workbook(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    return load_workbook(io.BytesIO(response.data))


def table_counts(client, community) -> dict[int, int]:
    """The 1表's 合计 row of the community: indicator → its count (未调查/不适用: 0)."""
    sheet = workbook(client, f"/desk/exports/estate-indicators.xlsx?community={community.id}")
    rows = list(sheet["指标调查表"].iter_rows(values_only=True))
    header, total = rows[1], next(r for r in rows[2:] if r[3] == "合计")
    values = {i["number"]: total[header.index(i["name"])] for i in indicator_list("2024")}
    return {n: value if isinstance(value, int) else 0 for n, value in values.items()}


def list_results(client, community, kind: str) -> dict[int, int]:
    """The result column of each indicator block of the community's sheet."""
    sheet = workbook(client, f"/desk/exports/{kind}.xlsx?community={community.id}").active
    names = {i["name"]: i["number"] for i in indicator_list("2024")}
    return {names[row[1]]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True)
            if row[1] is not None}


def numbers():
    return [i["number"] for i in indicator_list("2024")]


def ledger_buildings(client, community) -> dict[int, set[str]]:
    """indicator → the buildings (小区 + 楼号) the ledger says 是 for."""
    response = client.get(f"/desk/exports/building-ledger.csv?community={community.id}")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = rows[0]
    return {i["number"]: {row[3] + row[4] for row in rows[1:]
                          if row[header.index(f"{i['number']}.{i['short_name']}")] == "是"}
            for i in indicator_list("2024")}


def drill_down_buildings(client, community, indicator: int) -> set[str]:
    text = client.get(f"/desk/ledger/indicators/{indicator}/buildings?level=community"
                      f"&id={community.id}").get_data(as_text=True)
    return {estate + number for estate, number in re.findall(
        r"<td>[^<]*</td><td>([^<]+)</td>\s*<td><a href=\"/desk/buildings/\d+[^\"]*\">([^<]+)</a>",
        text)}


def disagreements(client, community) -> list[str]:
    """Where one community's outputs disagree, per indicator: the 1表's count, the two lists'
    results, and the buildings the ledger says 是 for against those the drill-down lists."""
    table = table_counts(client, community)
    problems = list_results(client, community, "problems")
    suggestions = list_results(client, community, "suggestions")
    ledger = ledger_buildings(client, community)
    found = []
    for n in numbers():
        behind = drill_down_buildings(client, community, n)
        counts = (table[n], problems.get(n, 0), suggestions.get(n, 0), len(ledger[n]), len(behind))
        if len(set(counts)) > 1 or behind != ledger[n]:
            found.append(f"{community.name} 指标{n}: 1表/问题清单/整治建议清单/台账/下钻 = {counts}"
                         f"; 台账与下钻不同的楼栋 {sorted(ledger[n] ^ behind)}")
    return found
