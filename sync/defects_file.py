"""A property company's defects list (CSV in UTF-8 / UTF-8 with BOM / GBK, or XLSX) read into rows,
and each row into one `finding.report` operation (PROTOCOL §1).

Every data row becomes a DefectRow or a RowProblem with its row number as the spreadsheet shows it
(header = row 1 when it is the first row); nothing is silently dropped. Operation ids are derived,
not drawn: uuid5 over the account's scope and the company's own row key (编号) when the file has one,
else over the row's normalised content — so running the same file again makes the same ids and the
outbox and the server recognise every row they already have.
"""
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from forms import FORMS_ROOT, load_system
from sync import spreadsheets
from sync.china_time import CHINA_TIME

# Fixed forever: changing it would give every row already sent a new id, i.e. a duplicate.
DEFECT_ID_NAMESPACE = uuid.UUID("5f0c7a52-3c1e-4f7e-9a47-6b1d2f9e8c31")
HEADER_SEARCH_ROWS = 10

COLUMNS = {  # header (as _header_key makes it) -> field
    "编号": "key", "工单号": "key", "问题编号": "key", "记录编号": "key",
    "楼栋id": "building_id",
    "楼栋编码": "building_code", "楼栋编号": "building_code", "房屋编号": "building_code",
    "小区": "estate", "小区名称": "estate",
    "楼号": "number", "楼栋号": "number",
    "楼栋": "building_label", "楼栋名称": "building_label",
    "指标": "indicator", "指标项": "indicator",
    "检查项": "check_item", "检查项目": "check_item",
    "单元": "unit",
    "楼层": "floor",
    "位置": "location_detail", "具体位置": "location_detail", "部位": "location_detail",
    "问题描述": "description", "描述": "description", "问题说明": "description",
    "照片": "photos", "照片文件": "photos", "现场照片": "photos",
    "发现时间": "captured_at", "检查时间": "captured_at", "上报时间": "captured_at",
}
PHOTO_SEPARATORS = re.compile(r"[;；,，、\n]+")
DATETIME_PATTERN = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
                              r"\s*(Z|[+-]\d{2}:?\d{2})?")
FLOOR_PATTERN = re.compile(r"(地下|负|-|B)?(\d{1,3})(层|楼|F)?", re.IGNORECASE)
NUMBER_SUFFIX = re.compile(r"(号楼|号|栋|幢|座|#)$")
LABEL_PATTERN = re.compile(r"(?P<estate>.{2,}?)\s*(?P<number>[\dA-Za-z一二三四五六七八九十甲乙丙丁东西南北中\-]+"
                           r"(?:号楼|号|栋|幢|座|#))")


class DefectsFileError(ValueError):
    """The file as a whole cannot be read (unreadable, no recognisable header): nothing is sent."""


@dataclass(frozen=True)
class BuildingRef:
    """How a row names its building: by id, by code, by estate + number, or by label (达明新村3#)."""
    building_id: int | None = None
    code: str | None = None
    estate: str | None = None
    number: str | None = None
    label: str | None = None

    def __str__(self):
        if self.building_id is not None:
            return f"楼栋ID {self.building_id}"
        return self.code or self.label or f"{self.estate}{self.number}"


@dataclass(frozen=True)
class DefectRow:
    row_number: int
    key: str | None
    building: BuildingRef
    indicator: int
    check_item: str
    unit: str | None = None
    floor: int | None = None
    location_detail: str | None = None
    description: str | None = None
    photo_names: tuple[str, ...] = ()
    captured_at: str | None = None


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    reasons: list


@dataclass
class DefectsFile:
    path: Path
    header_row: int
    unused_headers: list
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)


class IndicatorCatalogue:
    """An indicator system's numbers, names and check items, to read the 指标 column."""

    def __init__(self, indicators: list[dict]):
        self.indicators = indicators

    @classmethod
    def load(cls, system: str | None = None) -> "IndicatorCatalogue":
        """The system shipped in forms/ (default: the newest)."""
        codes = sorted(p.name for p in FORMS_ROOT.iterdir() if (p / "system.json").is_file())
        code = system or codes[-1]
        if code not in codes:
            raise DefectsFileError(f"没有指标体系“{code}”；可用：{'、'.join(codes)}")
        return cls(load_system(FORMS_ROOT / code).system(code).indicators)

    def number_for(self, text: str) -> int:
        word = _compact(text)
        leading = re.match(r"(?:指标)?(\d{1,2})(?!\d)", word)
        numbers = [i["number"] for i in self.indicators]
        if leading and int(leading[1]) in numbers:
            return int(leading[1])
        for indicator in self.indicators:
            names = {_compact(indicator["short_name"]), _compact(indicator["name"]),
                     _compact(re.sub(r"[（(][^（()）]*[）)]$", "", indicator["name"]))}
            if word in names:
                return indicator["number"]
        containing = [i["number"] for i in self.indicators if _compact(i["short_name"]) in word]
        if len(containing) == 1:
            return containing[0]
        names = "、".join(f"{i['number']} {i['short_name']}" for i in self.indicators)
        raise ValueError(f"无法识别指标“{text}”，应填编号或简称：{names}")

    def for_check_item(self, check_item: str) -> int:
        found = [i["number"] for i in self.indicators if check_item in i["check_items"]]
        if len(found) != 1:
            raise ValueError("缺少指标（检查项不能唯一确定指标，请填写指标列）")
        return found[0]


# ---- reading -------------------------------------------------------------------------------

def read_defects(path, indicators: IndicatorCatalogue, *, sheet: str | None = None) -> DefectsFile:
    path = Path(path)
    table = _read_table(path, sheet)
    header_index = _find_header(table)
    headers = [_cell_text(h) for h in table[header_index]]
    columns = [(i, COLUMNS[_header_key(h)]) for i, h in enumerate(headers)
               if _header_key(h) in COLUMNS]
    fields = {name for _, name in columns}
    _require_columns(fields)
    parsed = DefectsFile(path=path, header_row=header_index + 1,
                         unused_headers=[h for h in headers if h and _header_key(h) not in COLUMNS])
    first_row_with_key: dict[str, int] = {}
    for number, cells in enumerate(table[header_index + 1:], start=header_index + 2):
        values = {}
        for index, name in columns:
            text = _cell_text(cells[index]) if index < len(cells) else ""
            if text and name not in values:
                values[name] = cells[index] if name == "captured_at" else text
        if not values:
            continue
        result = _parse_row(number, values, indicators)
        if isinstance(result, DefectRow) and result.key is not None:
            key = _compact(result.key)
            if key in first_row_with_key:
                result = RowProblem(number, [f"编号“{result.key}”与第 {first_row_with_key[key]} 行重复"])
            else:
                first_row_with_key[key] = number
        (parsed.rows if isinstance(result, DefectRow) else parsed.problems).append(result)
    return parsed


def _read_table(path: Path, sheet: str | None) -> list[list]:
    try:
        return spreadsheets.read_table(path, sheet)[1]
    except spreadsheets.UnreadableTable as error:
        raise DefectsFileError(str(error)) from None


def _find_header(table: list) -> int:
    scores = [len({COLUMNS.get(_header_key(cell)) for cell in row} - {None})
              for row in table[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) < 2:
        raise DefectsFileError(f"前 {HEADER_SEARCH_ROWS} 行中找不到表头；需要的列：楼栋（或楼栋编码、"
                               "小区+楼号、楼栋ID）、指标、检查项，可选：编号、单元、楼层、位置、问题描述、照片、发现时间")
    return scores.index(max(scores))


def _require_columns(fields: set) -> None:
    if not fields & {"building_id", "building_code", "building_label"} and \
            not {"estate", "number"} <= fields:
        raise DefectsFileError("表头中没有确定楼栋的列：楼栋ID、楼栋编码、楼栋（如 达明新村3#）或 小区+楼号")
    if "check_item" not in fields:
        raise DefectsFileError("表头中没有“检查项”列")


def _parse_row(number: int, values: dict, indicators: IndicatorCatalogue):
    reasons = []

    def take(name, parse):
        if name not in values:
            return None
        try:
            return parse(values[name])
        except ValueError as error:
            reasons.append(str(error))

    building = take("building_id", _building_id)
    ref = BuildingRef(building_id=building, code=values.get("building_code"),
                      estate=values.get("estate"), number=values.get("number"),
                      label=values.get("building_label"))
    if building is None and not (ref.code or ref.label or (ref.estate and ref.number)):
        reasons.append("缺少楼栋（楼栋ID、楼栋编码、楼栋，或小区+楼号）")
    check_item = values.get("check_item")
    if not check_item:
        reasons.append("缺少检查项")
    indicator = take("indicator", indicators.number_for)
    if "indicator" not in values and check_item:
        indicator = take("check_item", indicators.for_check_item)
    elif "indicator" not in values:
        reasons.append("缺少指标")
    row = dict(unit=take("unit", _unit), floor=take("floor", _floor),
               captured_at=take("captured_at", _captured_at),
               location_detail=values.get("location_detail"), description=values.get("description"),
               photo_names=tuple(n.strip() for n in PHOTO_SEPARATORS.split(values.get("photos", ""))
                                 if n.strip()))
    if reasons:
        return RowProblem(number, reasons)
    return DefectRow(row_number=number, key=values.get("key"), building=ref, indicator=indicator,
                     check_item=check_item, **row)


def _building_id(text: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text):
        raise ValueError(f"楼栋ID“{text}”应为正整数")
    return int(text)


def _unit(text: str) -> str:
    return f"{int(text)}单元" if re.fullmatch(r"\d{1,3}", text) else text


def _floor(text: str) -> int:
    match = FLOOR_PATTERN.fullmatch(_compact(text))
    if not match or int(match[2]) == 0:
        raise ValueError(f"楼层“{text}”应为整数，如 3、3层、-1、地下1层")
    return -int(match[2]) if match[1] else int(match[2])


def _captured_at(raw) -> str:
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime(raw.year, raw.month, raw.day)
    else:
        text = re.sub(r"[年/.]", "-", unicodedata.normalize("NFKC", str(raw)).strip())
        match = DATETIME_PATTERN.fullmatch(text.replace("月", "-").replace("日", " ").strip())
        if not match:
            raise ValueError(f"发现时间“{raw}”无法识别，应如 2024-07-01 09:30")
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0))
        except ValueError:
            raise ValueError(f"发现时间“{raw}”不是有效的日期") from None
        if zone:
            zone = "+00:00" if zone == "Z" else zone
            moment = moment.replace(tzinfo=datetime.strptime(zone.replace(":", ""), "%z").tzinfo)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)  # a county's times are UTC+8
    return moment.isoformat()


# ---- identity and operations ---------------------------------------------------------------

def operation_id(scope: str, row: DefectRow) -> str:
    """The row's operation id: the same row gives the same id on every run, within one scope."""
    name = f"{scope}\x1f编号\x1f{_compact(row.key)}" if row.key else \
        f"{scope}\x1f内容\x1f" + "\x1f".join(_identity_fields(row))
    return str(uuid.uuid5(DEFECT_ID_NAMESPACE, name))


def row_digest(row: DefectRow, photo_hashes: list[str]) -> str:
    """Changes when anything that would go to the server changes (not the row's position)."""
    parts = [row.key or "", *_identity_fields(row), *photo_hashes]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _identity_fields(row: DefectRow) -> list[str]:
    ref = row.building
    return [_compact(str(v)) if v is not None else "" for v in (
        ref.building_id, ref.code, ref.estate, ref.number, ref.label, row.indicator,
        row.check_item, row.unit, row.floor, row.location_detail, row.description,
        "|".join(row.photo_names), row.captured_at)]


def to_operation(op_id: str, row: DefectRow, building_id: int, photo_hashes: list[str]) -> dict:
    operation = {"op": "finding.report", "id": op_id, "building_id": building_id,
                 "indicator": row.indicator, "check_item": row.check_item,
                 "photos": list(photo_hashes)}
    for name in ("unit", "floor", "location_detail", "description", "captured_at"):
        if getattr(row, name) is not None:
            operation[name] = getattr(row, name)
    return operation


def photo_paths(row: DefectRow, folder: Path) -> tuple[list[Path], list[str]]:
    """(the row's photo files in the folder, problems with the names that are not there)."""
    folder = Path(folder).resolve()
    paths, problems = [], []
    for name in row.photo_names:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder):
            problems.append(f"照片“{name}”不在照片目录内")
        elif not path.is_file():
            problems.append(f"照片目录中没有“{name}”")
        else:
            paths.append(path)
    return paths, problems


def canonical_number(text: str) -> str:
    """楼号 as compared: 3#、3号楼、3栋 and ３＃ are the same building number."""
    return NUMBER_SUFFIX.sub("", _compact(text).upper())


def split_label(label: str) -> tuple[str, str] | None:
    """(estate, number) of a label such as 达明新村3号楼, or None when it does not read as one."""
    match = LABEL_PATTERN.fullmatch(unicodedata.normalize("NFKC", label).strip())
    return (match["estate"], match["number"]) if match else None


def same_text(a: str | None, b: str | None) -> bool:
    return _compact(a or "") == _compact(b or "")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _header_key(header) -> str:
    return re.sub(r"[\s*:：、/,，.·_\-—（）()]", "", _compact(_cell_text(header)))


def _cell_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    return re.sub(r"[ \t\u3000]+", " ", str(raw)).strip()
