"""The 2025 manual's words for the lists (表3 问题清单, 表4 整治建议清单), mapped from the forms'
grades in one table. The forms keep their own three grades; only the lists speak the manual's."""

# 问题程度: the forms' 非常严重 / 严重 / 一般 → the manual's 严重 / 较严重 / 一般.
SEVERITY = {"非常严重": "严重", "严重": "较严重", "一般": "一般"}
SEVERITY_ORDER = ("非常严重", "严重", "一般")  # the forms' grades, gravest first

# 治理难度: the forms' 难 / 较难 / 一般 → the manual's 高 / 中 / 低.
DIFFICULTY = {"难": "高", "较难": "中", "一般": "低"}
DIFFICULTY_ORDER = ("难", "较难", "一般")

URGENT_CLASS = "限时解决"
CLASSES = ("限时解决", "尽力解决")

# 整治优先级 as proposed from the problem itself, until the bureau sets it: a grave problem to
# be solved in limited time first; one carried over from last year's check one step higher
# (the manual: 对于长期未解决的问题，应提高整治优先级).
PRIORITIES = ("高", "中", "低")


def proposed_priority(severity: str, problem_class: str, carried_over: bool) -> str:
    if problem_class == URGENT_CLASS:
        rank = 0 if severity == SEVERITY_ORDER[0] else 1
    else:
        rank = 2
    return PRIORITIES[max(0, rank - 1) if carried_over else rank]


def severity_term(forms_grade: str) -> str:
    return SEVERITY.get(forms_grade, forms_grade)


def difficulty_term(forms_grade: str | None) -> str:
    return DIFFICULTY.get(forms_grade, forms_grade or "")


def in_units(indicators: list[dict], heading: str) -> str:
    """A heading with the unit its figures are in: "(栋)" when every indicator counts buildings
    (as the manual's templates print it); without one when units differ, each indicator's name
    then saying its own ("非成套住宅数量（套）")."""
    units = {i["unit"] for i in indicators}
    return f"{heading}({units.pop()})" if len(units) == 1 else heading
