"""How one cell of a building list becomes a building value: 是/否, 砖混, 1981-1990年, 管道燃气….
And, below FIELD_PARSERS, how a cell of an estate or community list becomes one of their basics:
房改房, 1985—1992, 12.5亩, 3200人 (ESTATE_PARSERS, COMMUNITY_PARSERS).

Each field parser takes the cell as text (and the raw cell, for what Excel did to it) and returns
{field: value}, or raises CellError saying in Chinese what was expected.
"""
import re
import unicodedata
from datetime import date, datetime

from forms.facts import BUILD_ERAS
from server.buildings.models import ESTATE_KINDS

BLANKS = {"", "-", "--", "—", "/", "\\", "不详", "未知", "不清楚", "待查", "待定",
          "null", "none", "nan", "n/a", "#n/a"}
NONE_WORDS = {"无", "暂无", "没有", "无物业"}
TRUE_WORDS = {"是", "有", "是的", "已", "对", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "没有", "不是", "未", "n", "no", "false", "0", "×", "✗"}

# Checked in order: 底部框架 is a masonry form, 钢筋混凝土 contains 钢, 砖木 contains 木.
STRUCTURE_KEYWORDS = (
    ("底部框架", "masonry"), ("砖混", "masonry"), ("砖木", "masonry"), ("混合", "masonry"),
    ("钢筋混凝土", "concrete"), ("混凝土", "concrete"), ("钢混", "concrete"), ("框架", "concrete"),
    ("剪力墙", "concrete"), ("框剪", "concrete"), ("筒", "concrete"), ("板柱", "concrete"),
    ("砌", "masonry"), ("砖", "masonry"), ("石", "masonry"),
    ("钢", "steel"), ("木", "timber"), ("其他", "other"), ("其它", "other"),
)
STRUCTURE_CLASS_NAMES = {"砌体", "砌体结构", "钢筋混凝土", "钢筋混凝土结构", "混凝土结构", "钢结构",
                         "钢", "木结构", "木", "其他", "其它", "其他结构", "其它结构"}
TEXT_LIMITS = {"county": 60, "town": 60, "community": 60, "estate": 100, "number": 30, "code": 40,
               "name": 100, "address": 200, "property_company": 100, "property_phone": 30,
               "structure_subtype": 30, "contact_name": 30, "contact_phone": 30}


class CellError(ValueError):
    """A cell's value cannot be understood; the message says what was expected."""


def cell_text(raw) -> str:
    """A cell as the text a person sees (6.0 → "6", a date → 2008-05-01)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return format(raw, ".0f") if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def is_blank(text: str) -> bool:
    return text.lower() in BLANKS


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def building_number(text: str) -> str:
    """楼号 as stored: half-width, no spaces, upper case (３＃ → 3#, a座 → A座)."""
    return _limited("number", _compact(text).upper())


def _number(text: str) -> float:
    match = re.fullmatch(r"([+-]?\d[\d,]*(?:\.\d+)?)(层|个|户|套|单元|栋|部|台|年|米|m|平方米|平米|m2)?",
                         _compact(text))
    if not match:
        raise CellError("应为数字")
    return float(match[1].replace(",", ""))


def parse_integer(text: str) -> int:
    number = _number(text)
    if not number.is_integer():
        raise CellError("应为整数")
    return int(number)


def parse_bool(text: str) -> bool:
    word = _compact(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS or word.startswith(("无", "没有", "未", "不", "非", "否")):
        return False
    if word.startswith(("有", "已", "是")):
        return True
    raise CellError("应为是/否或有/无")


def parse_year(text: str) -> int:
    match = re.fullmatch(r"(\d{4})(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|(?:[-./]\d{1,2}){1,2}"
                         r"(?:\d{1,2}:\d{2}(?::\d{2})?)?)?", _compact(text))
    if not match:
        raise CellError("应为四位年份，如 2008")
    return int(match[1])


def parse_built(text: str) -> dict:
    """建成年份 or 建成年代: a year, a census era code 1–6, or an era such as 1981-1990年."""
    word = _compact(text).replace("—", "-").replace("~", "-").replace("至", "-").replace("到", "-")
    if re.fullmatch(r"[1-6]", word):
        return {"build_era": int(word)}
    try:
        return {"year_built": parse_year(word)}
    except CellError:
        pass
    span = re.fullmatch(r"(\d{4})年?-(\d{4})年?", word)
    before = re.fullmatch(r"(?:≤|<=)?(\d{4})年?(?:及|或)?(?:以前|之前|前)?", word)
    after = re.fullmatch(r"(?:≥|>=)?(\d{4})年?(?:及|或)?(?:以后|之后|后)", word)
    if not (span or before or after):
        raise CellError("应为年份（如 1985）、建成年代代码 1–6 或年代区间（如 1981-1990年）")
    first, last = ((int(span[1]), int(span[2])) if span else
                   (None, int(before[1])) if before else (int(after[1]), None))
    eras = {code for code, (lo, hi) in BUILD_ERAS.items()
            if (lo is None or (first is not None and first >= lo))
            and (hi is None or (last is not None and last <= hi))}
    if len(eras) != 1:
        raise CellError("跨越了多个普查建成年代，请填写具体年份或 1–6 的年代代码")
    return {"build_era": eras.pop()}


def structure_class(text: str) -> str | None:
    word = _compact(text)
    if word in ("masonry", "concrete", "steel", "timber", "other"):
        return word
    return next((kind for keyword, kind in STRUCTURE_KEYWORDS if keyword in word), None)


def parse_structure(text: str) -> dict:
    """结构类型 → the structure class, and the words as written as a sub-type hint (砖混, 框架…)."""
    kind = structure_class(text)
    if kind is None:
        raise CellError("无法识别，应为砌体（砖混）、钢筋混凝土（框架、剪力墙）、钢、木或其他结构")
    specific = _compact(text) not in STRUCTURE_CLASS_NAMES | {kind}
    hint = _limited("structure_subtype", text.strip()) if specific else None
    return {"structure_type": kind, "structure_hint": hint}


def parse_gas(text: str) -> str:
    word = _compact(text)
    if word in ("pipeline", "bottled", "none"):
        return word
    if "管道" in word or "天然气" in word:
        return "pipeline"
    if "瓶" in word or "液化" in word:
        return "bottled"
    if word in FALSE_WORDS or word.startswith(("无", "未", "没", "不", "否")) or word in ("电", "用电"):
        return "none"
    raise CellError("无法识别，应为管道燃气、瓶装液化气或无")


def parse_grade(text: str) -> str:
    match = re.fullmatch(r"([abcd])(?:su)?级?", _compact(text))
    if not match:
        raise CellError("应为 A、B、C 或 D 级")
    return match[1].upper()


def _admin_code(name: str, length: int, padded: int):
    """Administrative codes, accepting the zero-padded long form as well (140828000000)."""
    def parse(text, raw):
        code = _compact(text)
        if len(code) == padded and code.endswith("0" * (padded - length)):
            code = code[:length]
        if not re.fullmatch(rf"\d{{{length}}}", code):
            raise CellError(f"应为 {length} 位数字代码")
        return {name: code}
    return parse


def _building_code(text, raw):
    if isinstance(raw, float) and raw >= 1e15:
        raise CellError("编号被 Excel 存成了数字，末几位可能已丢失；请把该列设为文本格式后重新导出")
    return {"code": _limited("code", _compact(text).upper())}


def _limited(name: str, text: str) -> str:
    if len(text) > TEXT_LIMITS[name]:
        raise CellError(f"超过 {TEXT_LIMITS[name]} 个字")
    return text


def _words(name: str):
    def parse(text, raw):
        cleaned = re.sub(r"\s+", " ", text).strip()
        return {name: None if cleaned in NONE_WORDS else _limited(name, cleaned)}
    return parse


def _elevator(text, raw):
    """电梯: 有/无, or how many there are."""
    if re.fullmatch(r"\d+(部|台)?", _compact(text)):
        return {"has_elevator": parse_integer(text) > 0}
    return {"has_elevator": parse_bool(text)}


def _one(name: str, parse):
    return lambda text, raw: {name: parse(text)}


FIELD_PARSERS = {
    "county_code": _admin_code("county_code", 6, 12),
    "town_code": _admin_code("town_code", 9, 12),
    "community_code": _admin_code("community_code", 12, 15),
    **{name: _words(name) for name in ("county", "town", "community", "estate", "name",
                                       "address", "property_company", "property_phone",
                                       "structure_subtype")},
    "number": lambda text, raw: {"number": building_number(text)},
    "code": _building_code,
    "longitude": _one("longitude", _number),
    "latitude": _one("latitude", _number),
    "floor_area": _one("floor_area", _number),
    "height": _one("height", _number),
    **{name: _one(name, parse_integer) for name in ("floors_above", "floors_below", "units",
                                                    "households")},
    "year_built": lambda text, raw: parse_built(text),
    "build_era": lambda text, raw: parse_built(text),
    "reinforced_year": _one("reinforced_year", parse_year),
    "appraisal_year": _one("appraisal_year", parse_year),
    "structure_type": lambda text, raw: parse_structure(text),
    "gas_supply": _one("gas_supply", parse_gas),
    "appraisal_grade": _one("appraisal_grade", parse_grade),
    "has_elevator": _elevator,
    **{name: _one(name, parse_bool) for name in ("precast_slabs", "seismic_reinforced", "altered",
                                                 "visible_damage", "appraised")},
}




# ---- estate and community basics ---------------------------------------------------------

# 小区类型 as lists write it; checked in order after an exact match, the first word found decides.
ESTATE_KIND_WORDS = (
    ("商品", "商品房"), ("房改", "房改房"), ("售后公房", "房改房"), ("公房", "房改房"),
    ("安置", "安置房"), ("回迁", "安置房"), ("还建", "安置房"), ("拆迁", "安置房"),
    ("宿舍", "单位宿舍"), ("家属", "单位宿舍"), ("单位", "单位宿舍"),
    ("自建", "自建房"), ("私房", "自建房"), ("里弄", "里弄"), ("弄堂", "里弄"),
    ("平房", "其他"), ("棚户", "其他"), ("其它", "其他"), ("其他", "其他"),
)
# Square metres per unit, as a cell or its header may give it (after NFKC: ㎡ → m2, ㎢ → km2).
AREA_UNITS = {"平方米": 1, "平米": 1, "m2": 1, "万平方米": 10_000, "万平米": 10_000,
              "万m2": 10_000, "公顷": 10_000, "ha": 10_000, "亩": 10_000 / 15,
              "平方公里": 1_000_000, "平方千米": 1_000_000, "km2": 1_000_000}


def parse_estate_kind(text: str) -> str:
    word = _compact(text)
    if word in ESTATE_KINDS:
        return word
    found = next((kind for keyword, kind in ESTATE_KIND_WORDS if keyword in word), None)
    if found is None:
        raise CellError(f"无法识别，应为{'、'.join(ESTATE_KINDS)}之一")
    return found


def parse_built_years(text: str) -> dict:
    """An estate's 建成年代 as (built_from, built_to): a year (1998, 1998年), a span (1985—1992,
    1985-92年, 1985至1992), a decade (80年代, 1990年代) or an open end (1990年以前, 2000年以后)."""
    word = re.sub(r"[—–~至到]", "-", _compact(text)).removeprefix("约")
    span = re.fullmatch(r"(\d{4})年?-(\d{4}|\d{2})年?", word)
    if span and (len(span[2]) == 4 or int(span[2]) > 12):  # 1985-12 is a month, 1985-92 is not
        first, last = int(span[1]), span[2]
        last = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        if last < first:
            raise CellError(f"起始年份 {first} 晚于截止年份 {last}")
        return {"built_from": first, "built_to": last}
    try:
        year = parse_year(word)
        return {"built_from": year, "built_to": year}
    except CellError:
        pass
    decade = re.fullmatch(r"(上世纪|20世纪)?(\d{2})年代(?:初|中|末|中期|末期)?", word) or \
        re.fullmatch(r"()(\d{3})0年代(?:初|中|末|中期|末期)?", word)
    if decade:
        digits = decade[2]
        start = (int(digits) * 10 if len(digits) == 3 else
                 1900 + int(digits) if decade[1] or int(digits) >= 30 else 2000 + int(digits))
        if start % 10 == 0:
            return {"built_from": start, "built_to": start + 9}
    before = re.fullmatch(r"(\d{4})年?(?:及|或)?(?:以前|之前|前)", word)
    if before:
        return {"built_from": None, "built_to": int(before[1])}
    after = re.fullmatch(r"(\d{4})年?(?:及|或)?(?:以后|之后|后)", word)
    if after:
        return {"built_from": int(after[1]), "built_to": None}
    raise CellError("应为年份（如 1998）、年份区间（如 1985—1992）或年代（如 80年代）")


def parse_square_metres(text: str, unit: float = 1) -> float:
    """An area in m²; a unit written in the cell (12.5亩, 3.2公顷, 1.5万平方米) wins over the one
    the header gives (`unit`, square metres per unit)."""
    match = re.fullmatch(r"约?(\d[\d,]*(?:\.\d+)?)(.*)", _compact(text))
    if not match or (match[2] and match[2] not in AREA_UNITS):
        raise CellError("应为面积数字，可带单位：平方米、万平方米、公顷、亩、平方公里")
    value = float(match[1].replace(",", "")) * (AREA_UNITS[match[2]] if match[2] else unit)
    return round(value, 2)


def parse_count(text: str) -> int:
    """户数, 常住人口: a whole number, perhaps with 户, 人 or 口 after it."""
    word = _compact(text)
    match = re.fullmatch(r"约?(\d[\d,]*)(?:户|人|口|人口)?", word)
    if not match:
        raise CellError("不能为负数" if re.fullmatch(r"-\d[\d,.]*\D*", word) else "应为整数")
    return int(match[1].replace(",", ""))


def _area(name: str, unit: float = 1):
    return lambda text, raw: {name: parse_square_metres(text, unit)}


_PLACE_PARSERS = {name: _words(name) for name in ("town", "community")}
_COUNTS = {name: _one(name, parse_count) for name in ("households", "population")}
ESTATE_PARSERS = {
    **_PLACE_PARSERS,
    **{name: _words(name) for name in ("estate", "property_company", "property_phone")},
    "kind": _one("kind", parse_estate_kind),
    "built": lambda text, raw: parse_built_years(text),
    "built_from": _one("built_from", parse_year),
    "built_to": _one("built_to", parse_year),
    "land_area": _area("land_area"),
    "land_area_mu": _area("land_area", AREA_UNITS["亩"]),
    "land_area_ha": _area("land_area", AREA_UNITS["公顷"]),
    "floor_area": _area("floor_area"),
    "floor_area_10k": _area("floor_area", AREA_UNITS["万平方米"]),
    **_COUNTS,
}
COMMUNITY_PARSERS = {
    **_PLACE_PARSERS,
    **{name: _words(name) for name in ("contact_name", "contact_phone")},
    "area": _area("area"),
    "area_ha": _area("area", AREA_UNITS["公顷"]),
    "area_km2": _area("area", AREA_UNITS["平方公里"]),
    **_COUNTS,
}
