"""validate_answers: types, required, constraints, relevance (answers to questions not asked are dropped)."""
import pytest

from forms import relevance, validate_answers
from forms.consistency import form_problems
from forms.registry import Form

PHOTO = "ab" * 32


@pytest.fixture
def stairwell(registry):
    return registry.get("2024-stairwell-safety")


@pytest.fixture
def all_clear(stairwell, make_facts):
    """Answers reporting nothing wrong in the stairwell form, for a building with the given facts."""
    def answers(facts=None, **overrides):
        facts = facts or make_facts()
        result = {"stairwell_count": 2, "stairwells_lacking_extinguishers": 0, **overrides}
        for question in stairwell.questions:
            asked = question["id"] in relevance(stairwell, result, facts).question_ids
            if asked and question["type"] == "yes_no" and question["id"] not in result:
                result[question["id"]] = False
        return result
    return answers


def test_all_clear_answers_are_valid(stairwell, all_clear, make_facts):
    assert validate_answers(stairwell, all_clear(), make_facts()) == {}


def test_missing_required_answer_is_reported(stairwell, all_clear, make_facts):
    answers = all_clear()
    del answers["handrail_damaged"]
    assert validate_answers(stairwell, answers, make_facts()) == {"handrail_damaged": ["此题为必答题"]}


def test_unknown_question_id_is_rejected(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(colour="red"), make_facts())
    assert errors == {"colour": ["表单中没有这道题"]}


def test_answers_must_be_an_object(stairwell, make_facts):
    assert list(validate_answers(stairwell, ["handrail_damaged"], make_facts())) == ["_answers"]


def test_yes_no_refuses_a_string(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(handrail_damaged="否"), make_facts())
    assert errors == {"handrail_damaged": ["请回答“是”或“否”"]}


def test_integer_accepts_an_integral_float(stairwell, all_clear, make_facts):
    assert validate_answers(stairwell, all_clear(stairwell_count=2.0), make_facts()) == {}


@pytest.mark.parametrize("value", [2.5, True, "2"])
def test_integer_refuses_non_integers(stairwell, all_clear, make_facts, value):
    errors = validate_answers(stairwell, all_clear(stairwell_count=value), make_facts())
    assert errors["stairwell_count"] == ["请填写整数"]


def test_integer_below_minimum_is_refused(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(stairwell_count=0), make_facts())
    assert errors["stairwell_count"] == ["不能小于1"]


def test_failed_constraint_reports_its_message(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(stairwells_lacking_extinguishers=3), make_facts())
    assert errors["stairwells_lacking_extinguishers"] == ["不能超过楼梯间数量"]


def test_constraint_can_use_building_facts(registry, make_facts):
    gas = registry.get("2024-gas-safety")
    answers = {"households_checked": 30}
    assert validate_answers(gas, answers, make_facts(households=24))["households_checked"] == ["入户检查户数不能超过本楼总户数"]
    assert "households_checked" not in validate_answers(gas, answers, make_facts(households=None))


def test_answer_to_a_question_not_asked_is_dropped_not_rejected(stairwell, all_clear, make_facts):
    answers = all_clear(fire_door_faulty=True)
    assert validate_answers(stairwell, answers, make_facts(floors_above=6)) == {}
    assert "fire_door_faulty" not in relevance(stairwell, answers, make_facts(floors_above=6)).answers


def test_question_is_asked_when_the_deciding_fact_is_unknown(stairwell, all_clear, make_facts):
    answers = all_clear(make_facts(floors_above=12))
    del answers["fire_door_faulty"]
    errors = validate_answers(stairwell, answers, make_facts(floors_above=None))
    assert errors == {"fire_door_faulty": ["此题为必答题"]}


def test_defect_requires_its_location_and_photos(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(handrail_damaged=True), make_facts())
    assert errors == {"handrail_damaged_location": ["此题为必答题"], "handrail_damaged_photos": ["此题为必答题"]}


def test_defect_with_location_and_photos_is_valid(stairwell, all_clear, make_facts):
    answers = all_clear(handrail_damaged=True, handrail_damaged_photos=[PHOTO],
                        handrail_damaged_location={"unit": "2单元", "floor": 3, "detail": None})
    assert validate_answers(stairwell, answers, make_facts()) == {}


@pytest.mark.parametrize("photos", [[PHOTO.upper()], ["ab" * 31], [123], PHOTO])
def test_photos_must_be_lowercase_sha256_hashes(stairwell, all_clear, make_facts, photos):
    answers = all_clear(handrail_damaged=True, handrail_damaged_location={"floor": 3}, handrail_damaged_photos=photos)
    assert list(validate_answers(stairwell, answers, make_facts())) == ["handrail_damaged_photos"]


def test_duplicate_photos_are_refused(stairwell, all_clear, make_facts):
    answers = all_clear(handrail_damaged=True, handrail_damaged_location={"floor": 3},
                        handrail_damaged_photos=[PHOTO] * 2)
    assert validate_answers(stairwell, answers, make_facts()) == {"handrail_damaged_photos": ["照片不能重复"]}


def test_too_many_photos_are_refused(stairwell, all_clear, make_facts):
    photos = [f"{i:064x}" for i in range(10)]
    answers = all_clear(handrail_damaged=True, handrail_damaged_location={"floor": 3}, handrail_damaged_photos=photos)
    assert validate_answers(stairwell, answers, make_facts()) == {"handrail_damaged_photos": ["最多9张照片"]}


@pytest.mark.parametrize("location, message", [
    ({"room": "101"}, "位置应包含单元（unit）、楼层（floor）、具体位置（detail）"),
    ({"floor": 0}, "楼层应为非零整数（地下一层填-1）"),
    ({"floor": 7}, "楼层超出本楼地上层数（6层）"),
    ({"floor": -1}, "楼层超出本楼地下层数（0层）"),
    ({"unit": None, "floor": None, "detail": ""}, "请至少填写单元、楼层或具体位置中的一项"),
    ({"detail": "楼" * 201}, "具体位置应为不超过200个字的文字"),
])
def test_bad_location_is_refused(stairwell, all_clear, make_facts, location, message):
    answers = all_clear(handrail_damaged=True, handrail_damaged_photos=[PHOTO], handrail_damaged_location=location)
    assert validate_answers(stairwell, answers, make_facts()) == {"handrail_damaged_location": [message]}


def test_text_over_its_length_limit_is_refused(stairwell, all_clear, make_facts):
    errors = validate_answers(stairwell, all_clear(remarks="字" * 501), make_facts())
    assert errors == {"remarks": ["不能超过500个字"]}


def test_markup_in_text_is_kept_as_plain_text(stairwell, all_clear, make_facts):
    answers = all_clear(remarks="<script>alert(1)</script>")
    assert validate_answers(stairwell, answers, make_facts()) == {}
    assert relevance(stairwell, answers, make_facts()).answers["remarks"] == "<script>alert(1)</script>"


@pytest.mark.parametrize("kinds, message", [(["rope"], "请从选项中选择"), (["canopy", "canopy"], "选项不能重复"),
                                            ("canopy", "请从选项中选择")])
def test_bad_multiple_choice_is_refused(registry, make_facts, kinds, message):
    envelope = registry.get("2024-envelope-safety")
    answers = {"hanging_fixtures_unsafe": True, "hanging_fixture_kinds": kinds}
    assert validate_answers(envelope, answers, make_facts())["hanging_fixture_kinds"] == [message]


def test_unknown_single_choice_value_is_refused(registry, make_facts):
    structural = registry.get("2024-structural-safety")
    errors = validate_answers(structural, {"appraisal_grade": "E"}, make_facts())
    assert errors["appraisal_grade"] == ["请从选项中选择一项"]


@pytest.mark.parametrize("area, message", [("12", "请填写数字"), (0.05, "不能小于0.1"), (float("nan"), "请填写数字")])
def test_bad_decimal_is_refused(registry, make_facts, area, message):
    envelope = registry.get("2024-envelope-safety")
    answers = {"insulation_damaged": True, "insulation_damaged_area": area}
    assert validate_answers(envelope, answers, make_facts())["insulation_damaged_area"] == [message]


@pytest.fixture
def lift_form():
    """A small inline form for what the 2024 forms do not use: dates and rule-based required."""
    document = {
        "id": "t-lift", "version": 1, "system": "T", "indicator": 1, "title": "电梯检查", "counts_if": False,
        "sections": [{"id": "lift", "title": "电梯", "questions": [
            {"id": "lift_checked", "type": "yes_no", "label": "是否检验", "required": True},
            {"id": "lift_checked_on", "type": "date", "label": "检验日期",
             "required": {"==": [{"answer": "lift_checked"}, True]}},
        ]}],
    }
    assert form_problems(document) == []
    return Form(document, "inline")


def test_rule_based_required_applies_when_its_rule_holds(lift_form):
    assert validate_answers(lift_form, {"lift_checked": True}, {}) == {"lift_checked_on": ["此题为必答题"]}
    assert validate_answers(lift_form, {"lift_checked": False}, {}) == {}


@pytest.mark.parametrize("day", ["2024-02-30", "2024-2-3", "2024/02/03", 20240203])
def test_invalid_date_is_refused(lift_form, day):
    errors = validate_answers(lift_form, {"lift_checked": True, "lift_checked_on": day}, {})
    assert errors == {"lift_checked_on": ["请填写有效日期（格式：YYYY-MM-DD）"]}


def test_valid_date_is_accepted(lift_form):
    assert validate_answers(lift_form, {"lift_checked": True, "lift_checked_on": "2024-02-29"}, {}) == {}


def test_an_integer_too_big_for_a_float_is_refused_not_a_crash(registry, make_facts):
    form = registry.get("2024-stairwell-safety")
    question = next(q for q in form.questions if q["type"] == "integer")
    problems = validate_answers(form, {question["id"]: 10 ** 400}, make_facts())
    assert question["id"] in problems


def test_a_photo_hash_with_a_trailing_newline_is_refused(registry, make_facts):
    form = registry.get("2024-gas-safety")
    answers = {"rubber_hose": True, "rubber_hose_photos": ["a" * 64 + "\n"]}
    assert "rubber_hose_photos" in validate_answers(form, answers, make_facts())


def test_a_floor_beyond_any_building_is_refused_even_without_known_storeys(registry, make_facts):
    form = registry.get("2024-gas-safety")
    answers = {"rubber_hose": True, "rubber_hose_location": {"floor": 10 ** 12}}
    problems = validate_answers(form, answers, make_facts(floors_above=None))
    assert "rubber_hose_location" in problems
