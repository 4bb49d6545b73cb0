"""Which questions are asked, and whether a set of answers is acceptable.

Answers are {question id: value}. Answers to questions that are not relevant (given the other answers and
the building facts) are DROPPED, not rejected: a surveyor who answers a follow-up and then changes the
answer that led to it should not have the whole survey refused offline. `relevance(...).answers` is what
every derivation (defects, counting) works on. Answers to ids the form does not have are rejected.
"""
import datetime
import math
import re
from typing import NamedTuple

from forms.rules import evaluate, is_answered
from forms.schema import DEFAULT_PHOTOS_MAX_COUNT, DEFAULT_TEXT_MAX_LENGTH

SHA256_HEX = re.compile(r"[0-9a-f]{64}")  # used with fullmatch: "$" would allow a final newline
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HIGHEST_FLOOR = 200  # no building is taller; keeps a floor inside the database's integer range
LOCATION_KEYS = ("unit", "floor", "detail")
LOCATION_TEXT_LIMITS = {"unit": 20, "detail": 200}


def is_sha256(value) -> bool:
    """A content address as Loujian writes it (photos, documents): 64 lowercase hex digits."""
    return isinstance(value, str) and SHA256_HEX.fullmatch(value) is not None
FORM_LEVEL = "_answers"  # key of errors that concern the answers as a whole


class Relevance(NamedTuple):
    question_ids: frozenset  # questions asked, given the answers and facts
    answers: dict            # the answers to those questions only
    defects: dict            # defect question id -> its `when` rule, or False when the question is not asked


def relevance(form, answers, facts, context=None):
    """Walk the form in order, deciding relevance from the answers kept so far (see forms.consistency).

    `context` is the survey round's (forms.rules.rule_context) in every function here and in forms.findings."""
    answers = answers if isinstance(answers, dict) else {}
    asked, kept, defects = set(), {}, {}
    for section in form.sections:
        section_asked = evaluate(section.get("relevant", True), kept, facts, defects, context) is True
        for question in section["questions"]:
            qid = question["id"]
            is_asked = section_asked and evaluate(question.get("relevant", True), kept, facts, defects,
                                                  context) is True
            if is_asked:
                asked.add(qid)
                if qid in answers:
                    kept[qid] = answers[qid]
            if "defect" in question:
                defects[qid] = question["defect"]["when"] if is_asked else False
    return Relevance(frozenset(asked), kept, defects)


def is_required(question, relevant, facts, context=None):
    required = question.get("required", False)
    return evaluate(required, relevant.answers, facts, relevant.defects, context) is True


def validate_answers(form, answers, facts, context=None):
    """{question id: [Chinese message]} for every problem; {} when the answers can be accepted.

    Checks unknown ids, required questions (fixed or rule-based), the value's type and limits, and the
    question's constraint. Text is taken as plain text: no HTML handling here.
    """
    if not isinstance(answers, dict):
        return {FORM_LEVEL: ["答案格式错误：应为以题目编号为键的对象"]}
    facts = facts if isinstance(facts, dict) else {}
    errors = {key: ["表单中没有这道题"] for key in answers if not form.has_question(key)}
    relevant = relevance(form, answers, facts, context)
    for question in form.questions:
        if question["id"] in relevant.question_ids:
            problems = _question_problems(question, relevant, facts, context)
            if problems:
                errors[question["id"]] = problems
    return errors


def _question_problems(question, relevant, facts, context):
    value = relevant.answers.get(question["id"])
    if not is_answered(value):
        return ["此题为必答题"] if is_required(question, relevant, facts, context) else []
    problems = _VALUE_CHECKS[question["type"]](question, value, facts)
    if problems or "constraint" not in question:
        return problems
    if evaluate(question["constraint"], relevant.answers, facts, relevant.defects, context) is not True:
        return [question["constraint_message"]]
    return []


def _is_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)  # a huge int is finite, not a float


def _range_problems(question, value):
    if "min" in question and value < question["min"]:
        return [f"不能小于{question['min']}"]
    if "max" in question and value > question["max"]:
        return [f"不能大于{question['max']}"]
    return []


def _check_yes_no(question, value, facts):
    return [] if isinstance(value, bool) else ["请回答“是”或“否”"]


def _choice_values(question):
    return {choice["value"] for choice in question["choices"]}


def _check_single_choice(question, value, facts):
    return [] if isinstance(value, str) and value in _choice_values(question) else ["请从选项中选择一项"]


def _check_multiple_choice(question, value, facts):
    if not isinstance(value, list) or not all(isinstance(v, str) and v in _choice_values(question) for v in value):
        return ["请从选项中选择"]
    return [] if len(set(value)) == len(value) else ["选项不能重复"]


def _check_integer(question, value, facts):
    # JSON has one number type, so 3.0 is the integer 3 (the PWA cannot tell them apart).
    if not _is_number(value) or value != int(value):
        return ["请填写整数"]
    return _range_problems(question, value)


def _check_decimal(question, value, facts):
    return _range_problems(question, value) if _is_number(value) else ["请填写数字"]


def _check_text(question, value, facts):
    if not isinstance(value, str):
        return ["请填写文字"]
    limit = question.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
    return [f"不能超过{limit}个字"] if len(value) > limit else []


def _check_date(question, value, facts):
    try:
        if isinstance(value, str) and DATE.fullmatch(value):
            datetime.date.fromisoformat(value)
            return []
    except ValueError:
        pass
    return ["请填写有效日期（格式：YYYY-MM-DD）"]


def _check_photos(question, value, facts):
    if not isinstance(value, list) or not all(is_sha256(h) for h in value):
        return ["照片应为SHA-256哈希值（64位小写十六进制）的列表"]
    if len(set(value)) != len(value):
        return ["照片不能重复"]
    low = question.get("min_count", 0)
    high = question.get("max_count", DEFAULT_PHOTOS_MAX_COUNT)
    if len(value) < low:
        return [f"至少需要{low}张照片"]
    return [f"最多{high}张照片"] if len(value) > high else []


def _check_location(question, value, facts):
    if not isinstance(value, dict) or not set(value) <= set(LOCATION_KEYS):
        return ["位置应包含单元（unit）、楼层（floor）、具体位置（detail）"]
    problems = []
    for key, limit in LOCATION_TEXT_LIMITS.items():
        text = value.get(key)
        if text is not None and (not isinstance(text, str) or len(text) > limit):
            problems.append(f"{'单元' if key == 'unit' else '具体位置'}应为不超过{limit}个字的文字")
    floor = value.get("floor")
    if floor is not None:
        problems.extend(_floor_problems(floor, facts))
    if not problems and not any(is_answered(value.get(key)) for key in LOCATION_KEYS):
        problems.append("请至少填写单元、楼层或具体位置中的一项")
    return problems


def _floor_problems(floor, facts):
    if isinstance(floor, bool) or not isinstance(floor, int) or floor == 0 \
            or abs(floor) > HIGHEST_FLOOR:
        return ["楼层应为非零整数（地下一层填-1）"]
    above, below = facts.get("floors_above"), facts.get("floors_below")
    if isinstance(above, int) and floor > above:
        return [f"楼层超出本楼地上层数（{above}层）"]
    if isinstance(below, int) and floor < -below:
        return [f"楼层超出本楼地下层数（{below}层）"]
    return []


_VALUE_CHECKS = {
    "yes_no": _check_yes_no,
    "single_choice": _check_single_choice,
    "multiple_choice": _check_multiple_choice,
    "integer": _check_integer,
    "decimal": _check_decimal,
    "text": _check_text,
    "date": _check_date,
    "photos": _check_photos,
    "location": _check_location,
}
