"""Reading building lists (CSV or XLSX) into checked rows: plain Python, no database, no Flask.

A mapping (mappings/*.json, or a file of the same shape) names, for every header a list may use,
the building field it fills: {"title": "...", "columns": {"<header>": "<field>"}}. Several headers
may fill one field (aliases); headers match ignoring spaces, full/half-width forms and a trailing
unit such as （平方米）. Every data row becomes either a ParsedRow of typed values or a Rejection
with its spreadsheet row number (header = row 1 when the header is the first row) and reasons.
A blank cell means "unknown": it never erases what is already known about a building.
A mapping may also say which columns hold codes of a published table (code_tables.py): a code
outside its table refuses the whole file, naming each row and column where one stands.
A row may carry notes: it is imported, and the notes say what the bureau should check (a census
era code the year built contradicts).

What a list describes is a ListKind: BUILDINGS here; the estate and community basics
(basics_import.py) read their lists through the same functions with kinds of their own.
"""
import csv
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from marshmallow import ValidationError, validate

from forms.facts import BUILD_ERAS, build_era
from server.buildings.code_tables import UnknownCode, code_tables
from server.buildings.import_values import (FIELD_PARSERS, TEXT_LIMITS, CellError, building_number,
                                            cell_text, is_blank, structure_class)
from server.buildings.schemas import EARLIEST_YEAR, FACT_VALIDATORS
from sync import spreadsheets

MAPPINGS_DIR = Path(__file__).with_name("mappings")
BUILT_IN_MAPPINGS = ("census", "bureau")
HEADER_SEARCH_ROWS = 10

EXTRA_LIMITS = {
    "floor_area": validate.Range(0, 1_000_000, min_inclusive=False,
                                 error="建筑面积应大于 0 且不超过 100 万平方米"),
    "height": validate.Range(0, 700, min_inclusive=False, error="建筑高度应大于 0 且不超过 700 米"),
    "appraisal_year": validate.Range(EARLIEST_YEAR, date.today().year,
                                     error=f"鉴定年份应在 {EARLIEST_YEAR} 至今之间"),
}
NAME_PATTERN = re.compile(r"^(?P<estate>.{2,}?)\s*(?P<number>[\dA-Za-z０-９Ａ-Ｚａ-ｚ"
                          r"一二三四五六七八九十甲乙丙丁东西南北中\-－]+(?:号楼|栋|幢|座|#|＃))$")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, no header, bad mapping): nothing is."""


@dataclass(frozen=True)
class ListKind:
    """What a list describes (buildings, estates, communities) and how its rows are checked."""
    one: str                  # how a duplicate row is named: 同一栋楼
    parsers: dict             # field a mapping may name -> cell parser (see import_values)
    mappings: tuple           # built-in mapping names, files in MAPPINGS_DIR
    validators: dict          # value name -> marshmallow validator, checked after parsing
    check_columns: Callable   # (fields the header fills, mapping, defaults); raises ImportFileError
    finish_row: Callable      # (values, header_of, columns) -> problems; may fill values in place
    identity: Callable        # values -> (key, label): rows with one key describe one thing
    notes: Callable = lambda values, header_of: []  # -> what to check in a row that is imported


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    columns: dict  # header key (see _header_key) -> field
    codes: dict = field(default_factory=dict)  # field -> CodeTable, for coded columns

    def field_for(self, header) -> str | None:
        key = _header_key(header)
        return self.columns.get(key) or self.columns.get(re.sub(r"\([^()]*\)$", "", key))


@dataclass(frozen=True)
class ParsedRow:
    row_number: int
    values: dict  # field -> typed value; blank cells are absent
    cells: list   # the row as text, for reports
    notes: list = field(default_factory=list)  # imported, but to be checked (Chinese)


@dataclass(frozen=True)
class Rejection:
    row_number: int
    reasons: list
    cells: list
    refuses_file: bool = False  # a code outside its published table: no row of the file is taken


@dataclass
class ParsedFile:
    mapping: Mapping
    sheet: str | None
    headers: list
    header_row: int
    unused_headers: list
    rows: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


# ---- mappings ------------------------------------------------------------------------------

def load_mapping(spec: str, kind: ListKind | None = None) -> Mapping:
    """A built-in mapping by name (census, bureau for buildings) or a mapping JSON file by path."""
    kind = kind or BUILDINGS
    path = MAPPINGS_DIR / f"{spec}.json" if spec in kind.mappings else Path(spec)
    if not path.is_file():
        raise ImportFileError(f"找不到列映射“{spec}”：可用 {'、'.join(kind.mappings)} "
                              "或映射 JSON 文件的路径")
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(f"列映射文件 {path} 不是有效的 UTF-8 JSON：{error}") from None
    columns = document.get("columns") if isinstance(document, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise ImportFileError(f"列映射文件 {path} 应为 {{\"columns\": {{\"表头\": \"字段\"}}}}")
    for header, target in columns.items():
        if target not in kind.parsers:
            raise ImportFileError(f"列映射文件 {path}：表头“{header}”对应的字段“{target}”未知；"
                                  f"可用字段：{', '.join(kind.parsers)}")
    codes, problems = code_tables(document, kind.parsers)
    if problems:
        raise ImportFileError(f"列映射文件 {path}：{'；'.join(problems)}")
    return Mapping(name=spec if spec in kind.mappings else path.stem,
                   title=document.get("title") or path.stem,
                   columns={_header_key(h): target for h, target in columns.items()},
                   codes=codes)


def _header_key(header) -> str:
    text = unicodedata.normalize("NFKC", cell_text(header)).lower()
    return re.sub(r"[\s*:、/,，.·_\-—]", "", text)


# ---- reading -------------------------------------------------------------------------------

def read_table(path: Path, sheet: str | None = None) -> tuple[str | None, list[list]]:
    """(sheet name or None for CSV, every row as a list of cell values from row 1 on)."""
    try:
        return spreadsheets.read_table(path, sheet)
    except spreadsheets.UnreadableTable as error:
        raise ImportFileError(str(error)) from None


# ---- parsing -------------------------------------------------------------------------------

def parse_file(path, mapping: Mapping | None = None, *, sheet=None, defaults=None,
               kind: ListKind | None = None) -> ParsedFile:
    """Read and check a list (of buildings unless `kind` says otherwise). mapping None picks
    the kind's built-in one that fits the header.

    defaults fills blank place cells: {"town": ..., "community": ...}.
    """
    kind = kind or BUILDINGS
    defaults = defaults or {}
    sheet_name, table = read_table(path, sheet)
    header_index, mapping = _find_header(table, [mapping] if mapping else [
        load_mapping(name, kind) for name in kind.mappings])
    headers = [cell_text(h) for h in table[header_index]]
    columns = [(i, h, mapping.field_for(h)) for i, h in enumerate(headers) if mapping.field_for(h)]
    kind.check_columns({f for _, _, f in columns}, mapping, defaults)
    parsed = ParsedFile(mapping=mapping, sheet=sheet_name, headers=headers,
                        header_row=header_index + 1,
                        unused_headers=[h for h in headers if h and not mapping.field_for(h)])
    first_row_of: dict = {}
    for index, cells in enumerate(table[header_index + 1:], start=header_index + 2):
        if all(is_blank(cell_text(cells[i] if i < len(cells) else None)) for i, _, _ in columns):
            continue
        result = parse_row(index, cells, columns, defaults, kind, mapping.codes)
        if isinstance(result, ParsedRow):
            key, label = kind.identity(result.values)
            if key in first_row_of:
                result = Rejection(index, [f"与第 {first_row_of[key]} 行是{kind.one}（{label}）"],
                                   result.cells)
            else:
                first_row_of[key] = index
        (parsed.rows if isinstance(result, ParsedRow) else parsed.rejected).append(result)
    _refuse_unknown_codes(parsed)
    return parsed


SHOWN_FILE_PROBLEMS = 20


def refuse_file(problems: list[tuple[int, str]]) -> None:
    """Raise ImportFileError naming each (row number, Chinese problem): nothing is imported."""
    lines = [f"  第 {row} 行：{problem}" for row, problem in sorted(problems)[:SHOWN_FILE_PROBLEMS]]
    more = (f"\n  ……共 {len(problems)} 处，以上为前 {SHOWN_FILE_PROBLEMS} 处"
            if len(problems) > SHOWN_FILE_PROBLEMS else "")
    raise ImportFileError("整个文件未导入，数据库未作任何改动。请改正以下内容后重新导入：\n"
                          + "\n".join(lines) + more)


def _refuse_unknown_codes(parsed: ParsedFile) -> None:
    problems = [(r.row_number, reason) for r in parsed.rejected if r.refuses_file
                for reason in r.reasons]
    if problems:
        refuse_file(problems)


def _find_header(table: list, candidates: list) -> tuple[int, Mapping]:
    """The first of the top rows naming the most fields of the best-fitting mapping."""
    best_score, best = 0, None
    for mapping in candidates:
        for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
            score = len({mapping.field_for(cell) for cell in row if cell_text(cell)} - {None})
            if score > best_score:
                best_score, best = score, (index, mapping)
    if best_score < 2:
        names = "、".join(m.title for m in candidates)
        raise ImportFileError(f"前 {HEADER_SEARCH_ROWS} 行中找不到与列映射（{names}）相符的表头；"
                              "请检查表头，或用 --mapping 指定映射、用 --sheet 指定工作表")
    return best


def _require_columns(fields: set, mapping: Mapping, defaults: dict) -> None:
    if not fields & {"number", "name"}:
        raise ImportFileError(f"表头中没有楼号或建筑名称列（列映射：{mapping.title}），无法确定楼栋")
    if not fields & {"community", "community_code"} and not defaults.get("community"):
        raise ImportFileError("表中没有社区列（也没有村居行政编码列），"
                              "请用 --community 指定这些楼栋所在的社区")


def _identity(values: dict) -> tuple[tuple, str]:
    if values.get("code"):
        return ("code", values["code"]), f"房屋编号 {values['code']}"
    estate = values.get("estate", "")
    community = values.get("community") or values["community_code"]
    return (("place", values.get("town"), community, estate, values["number"]),
            f"{community}{estate or '（零星楼栋）'} {values['number']}")


def parse_row(row_number: int, cells: list, columns: list, defaults: dict,
              kind: ListKind | None = None, codes: dict | None = None) -> ParsedRow | Rejection:
    """One data row; columns are (cell index, header, field) triples; codes maps a coded
    field to its CodeTable."""
    kind, codes = kind or BUILDINGS, codes or {}
    texts = [cell_text(cell) for cell in cells]
    values, sources, reasons, unknown_codes = {}, {}, [], []
    for index, header, target in columns:
        raw = cells[index] if index < len(cells) else None
        text = cell_text(raw)
        if is_blank(text):
            continue
        try:
            words = codes[target].decoded(text) if target in codes else text
            parsed = kind.parsers[target](words, raw)
        except UnknownCode as problem:
            unknown_codes.append(f"{header}“{text}”{problem}")
            continue
        except CellError as problem:
            reasons.append(f"{header}“{text}”：{problem}")
            continue
        for name, value in parsed.items():
            if value is None:
                continue
            if name not in values:
                values[name], sources[name] = value, (header, text)
            elif isinstance(value, bool):  # e.g. 有无明显裂缝 / 变形 / 倾斜: any yes is a yes
                values[name] = values[name] or value
            elif values[name] != value:
                reasons.append(f"{header}“{text}”与{sources[name][0]}“{sources[name][1]}”不一致")
    for name, validator in kind.validators.items():
        if values.get(name) is not None:
            try:
                validator(values[name])
            except ValidationError as error:
                header, text = sources[name]
                reasons += [f"{header}“{text}”：{message}" for message in error.messages]
    for place in ("town", "community"):
        if not values.get(place) and defaults.get(place):
            values[place] = defaults[place]
    if unknown_codes:
        return Rejection(row_number, unknown_codes, texts, refuses_file=True)
    header_of = {name: header for name, (header, _) in sources.items()}
    reasons += kind.finish_row(values, header_of, columns)
    if reasons:
        return Rejection(row_number, reasons, texts)
    return ParsedRow(row_number, values, texts, kind.notes(values, header_of))


def _row_problems(values: dict, header_of: dict, columns: list) -> list[str]:
    """Fill what one value implies about another, and name the contradictions (in place)."""
    problems = []
    hint = values.pop("structure_hint", None)
    if hint:
        values.setdefault("structure_subtype", hint)
    if "structure_type" not in values and values.get("structure_subtype"):
        derived = structure_class(values["structure_subtype"])
        if derived:
            values["structure_type"] = derived
    year, era = values.get("year_built"), values.get("build_era")
    if year is not None and era is None:
        values["build_era"] = build_era(year)
    if values.get("reinforced_year") is not None:
        if values.get("seismic_reinforced") is False:
            problems.append(f"{header_of['seismic_reinforced']}为“否”，"
                            f"却填写了{header_of['reinforced_year']}")
        values.setdefault("seismic_reinforced", True)
        if year is not None and values["reinforced_year"] < year:
            problems.append(f"{header_of['reinforced_year']} {values['reinforced_year']} "
                            f"早于建成年份 {year}")
    if values.get("appraised") is False and values.get("appraisal_grade"):
        problems.append(f"{header_of['appraised']}为“否”，却填写了{header_of['appraisal_grade']}")
    if not values.get("community") and not values.get("community_code"):
        problems.append("缺少社区名称（或村居行政编码）")
    if values.get("name") and not values.get("estate"):
        match = NAME_PATTERN.match(values["name"])
        if match:
            values["estate"] = match["estate"]
            values.setdefault("number", building_number(match["number"]))
    if not values.get("number"):
        if values.get("name") and len(values["name"]) <= TEXT_LIMITS["number"]:
            values["number"] = values["name"]
        else:
            wanted = "、".join(f"“{h}”" for _, h, f in columns if f in ("number", "name"))
            problems.append(f"缺少楼号：{wanted}为空或过长，无法确定是哪栋楼")
    if values.get("property_company") and not values.get("estate"):
        problems.append(f"填写了{header_of['property_company']}却没有小区名称：有物业管理的楼栋请填写小区")
    return problems


def _row_notes(values: dict, header_of: dict) -> list[str]:
    """What to check in a row that is imported as it stands: a census era code the year built
    contradicts. Both are kept as the file gives them (the era is the census's own finding, the
    year may be the better one; the bureau decides), and the pre-screen reads them cautiously:
    a building the era puts before 1981 is 待核实 whatever the year says."""
    year, era = values.get("year_built"), values.get("build_era")
    if year is None or era is None or build_era(year) == era:
        return []
    first, last = BUILD_ERAS[era]
    span = (f"{last}年及以前" if first is None else f"{first}年及以后" if last is None
            else f"{first}—{last}年")
    return [f"{header_of['year_built']}“{year}”与{header_of['build_era']}“{era}”（{span}）不符："
            "已按表中原值导入，请核实"]


BUILDINGS = ListKind(one="同一栋楼", parsers=FIELD_PARSERS, mappings=BUILT_IN_MAPPINGS,
                     validators={**FACT_VALIDATORS, **EXTRA_LIMITS},
                     check_columns=_require_columns, finish_row=_row_problems,
                     identity=_identity, notes=_row_notes)


def write_report(path, headers: list, rejections: list, noted: list = ()) -> None:
    """The rejected rows, and the rows imported with notes to check, as CSV, UTF-8 with BOM so
    Excel opens it: 行号, 原因, then the row."""
    lines = [(r.row_number, "；".join(r.reasons), r.cells) for r in rejections]
    lines += [(r.row_number, "已导入，需核实：" + "；".join(r.notes), r.cells) for r in noted]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["行号", "原因", *headers])
        for number, reason, cells in sorted(lines, key=lambda line: line[0]):
            writer.writerow([number, reason, *cells])
