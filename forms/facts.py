"""Building facts: the only vocabulary `{"fact": ...}` rules may use.

The server's Building model produces exactly these keys; any value may be None (unknown).
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fact:
    type: str  # "integer" | "boolean" | "string" | "choice"
    label: str
    description: str = ""
    choices: dict = field(default_factory=dict)  # value -> Chinese label, for type "choice"
    min: int | None = None
    max: int | None = None


STRUCTURE_TYPES = {"masonry": "砌体结构", "concrete": "钢筋混凝土结构", "steel": "钢结构", "timber": "木结构", "other": "其他"}
GAS_SUPPLIES = {"pipeline": "管道燃气", "bottled": "瓶装液化石油气", "none": "未使用燃气"}
APPRAISAL_GRADES = {"A": "A级", "B": "B级", "C": "C级", "D": "D级"}

# Census build-era codes (第一次全国自然灾害综合风险普查): code -> (first year, last year), None = open end.
BUILD_ERAS = {1: (None, 1980), 2: (1981, 1990), 3: (1991, 2000), 4: (2001, 2010), 5: (2011, 2015), 6: (2016, None)}

FACTS = {
    "year_built": Fact("integer", "建成年份", min=1800, max=2100),
    "build_era": Fact("integer", "建成年代（普查代码）", "1：1980年及以前；2：1981—1990年；3：1991—2000年；"
                      "4：2001—2010年；5：2011—2015年；6：2016年及以后", min=1, max=6),
    "structure_type": Fact("choice", "结构类型", choices=STRUCTURE_TYPES),
    "structure_subtype": Fact("string", "结构子类型", "如砖混、框架、剪力墙"),
    "precast_slabs": Fact("boolean", "是否采用预制楼板"),
    "seismic_reinforced": Fact("boolean", "是否进行过抗震加固"),
    "reinforced_year": Fact("integer", "加固年份", min=1950, max=2100),
    "appraisal_grade": Fact("choice", "安全鉴定等级", choices=APPRAISAL_GRADES),
    "floors_above": Fact("integer", "地上层数", min=1, max=200),
    "floors_below": Fact("integer", "地下层数", min=0, max=20),
    "units": Fact("integer", "单元数", min=1, max=100),
    "households": Fact("integer", "户数", min=0, max=5000),
    "has_elevator": Fact("boolean", "是否有电梯"),
    "gas_supply": Fact("choice", "燃气供应方式", choices=GAS_SUPPLIES),
    "has_property_management": Fact("boolean", "是否有物业管理"),
    "visible_damage": Fact("boolean", "有无肉眼可见明显裂缝、变形、倾斜", "普查房屋调查的现场观察"),
}


def build_era(year):
    """The census build-era code for a year, or None for None."""
    if year is None:
        return None
    for code, (first, last) in BUILD_ERAS.items():
        if (first is None or year >= first) and (last is None or year <= last):
            return code
    return None


def validate_facts(facts):
    """Problems with a facts dict, as {fact name: [Chinese message]}; {} when it is well-formed."""
    errors = {}
    for name in facts.keys() - FACTS.keys():
        errors[name] = ["未知的楼栋属性"]
    for name, value in facts.items():
        fact = FACTS.get(name)
        if fact is None or value is None:
            continue
        problem = _value_problem(fact, value)
        if problem:
            errors[name] = [problem]
    return errors


def _value_problem(fact, value):
    if fact.type == "boolean":
        return None if isinstance(value, bool) else "应为是或否"
    if fact.type == "string":
        return None if isinstance(value, str) else "应为文字"
    if fact.type == "choice":
        return None if isinstance(value, str) and value in fact.choices else "不是允许的取值"
    if isinstance(value, bool) or not isinstance(value, int):
        return "应为整数"
    if fact.min is not None and value < fact.min or fact.max is not None and value > fact.max:
        return f"应在{fact.min}至{fact.max}之间"
    return None
