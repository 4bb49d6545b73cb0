"""Coded cells of a building list: the census system writes 结构类型 as 1, 2 …, 建造年代 as 1–6,
是/否 as 1/2, 鉴定结论等级 as 1–4. A mapping names its code tables and the fields that use them:

    "code_tables": {"<table>": {"<code>": "<the words the field's parser reads>"}},
    "coded_fields": {"<field>": "<table>"}

A coded field's cell that is a number (1–3 digits, leading zeros ignored) is looked up in its
table and read as the words it stands for; a number the table does not have is an UnknownCode,
and the import refuses the whole file (a file whose codes are not understood is not the file the
bureau thinks it is, so no row of it is trusted). A cell in words (砖混, 是) is read as before.
Which published source each table follows is written in the mapping file beside it
(mappings/census.json, "sources"). Plain Python: no database, no Flask.
"""
import re
import unicodedata
from dataclasses import dataclass

from server.buildings.import_values import CellError

CODE = re.compile(r"\d{1,3}")


class UnknownCode(CellError):
    """A coded cell holds a number outside its table: the whole file is refused."""


@dataclass(frozen=True)
class CodeTable:
    name: str    # as the census names it: 结构类型
    codes: dict  # code ("1") -> words ("砌体结构")

    def decoded(self, text: str) -> str:
        """The words a cell's code stands for; a cell that is not a number, unchanged."""
        compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        if not CODE.fullmatch(compact):
            return text
        code = str(int(compact))
        if code not in self.codes:
            listing = "、".join(f"{key} {words}" for key, words in self.codes.items())
            raise UnknownCode(f"不是普查“{self.name}”代码表中的代码（应为 {listing}）")
        return self.codes[code]


def code_tables(document: dict, fields) -> tuple[dict, list[str]]:
    """({field: CodeTable}, [problems in Chinese]) from a mapping document; `fields` are the
    fields the mapping may name."""
    tables = document.get("code_tables") or {}
    coded = document.get("coded_fields") or {}
    problems = []
    if not isinstance(tables, dict) or not isinstance(coded, dict) or not all(
            isinstance(codes, dict) and all(isinstance(w, str) for w in codes.values())
            and all(CODE.fullmatch(code) for code in codes) for codes in tables.values()):
        return {}, ['code_tables 应为 {"表名": {"代码": "文字"}}，coded_fields 应为 {"字段": "表名"}']
    found = {}
    for name, table in coded.items():
        if name not in fields:
            problems.append(f"coded_fields 中的字段“{name}”未知")
        elif table not in tables:
            problems.append(f"coded_fields 中字段“{name}”所用的代码表“{table}”不在 code_tables 中")
        else:
            found[name] = CodeTable(table, {str(int(code)): words
                                            for code, words in tables[table].items()})
    return found, problems
