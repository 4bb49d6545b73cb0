"""The 2025 indicator system (forms/2025/) and what it needs of the loader: measures for indicators not
counted in 栋, the carry-over mapping from 2024, settings, and rules that read the survey round."""
import json

import pytest

from forms import (FORMS_ROOT, FormDefinitionError, follow_ups, load_all, measure_value, rule_context,
                   validate_answers)

CONTEXT = rule_context(2025, {"aging_home_share_percent": 30})


@pytest.fixture(scope="module")
def registry():
    return load_all(FORMS_ROOT)


def indicator(number, unit="栋", **extra):
    return {"number": number, "name": f"测试指标{number}", "short_name": f"测试{number}", "group": "安全耐久",
            "unit": unit, "kind": "safety", "responsible_unit": "住建局", "check_items": ["开裂"], **extra}


def form(code, number=1, **extra):
    question = {"id": "cracked", "type": "yes_no", "label": "是否开裂", "required": True,
                "defect": {"when": {"==": [{"answer": "cracked"}, True]}, "check_item": "开裂", "severity": "严重",
                           "class": "限时解决", "responsible_unit": "住建局", "suggestion": "修复"}}
    count = {"id": "homes", "type": "integer", "label": "户数", "min": 0}
    return {"id": f"{code.lower()}-f{number}", "version": 1, "system": code, "indicator": number, "title": "测试表",
            "counts_if": {"any_defect": True}, "sections": [{"id": "main", "title": "检查", "questions": [question, count]}],
            **extra}


@pytest.fixture
def load(tmp_path):
    """Write systems {code: (system extras, indicators, forms)} and load them all."""
    def write_and_load(systems):
        for code, (extras, indicators, forms) in systems.items():
            directory = tmp_path / code
            directory.mkdir()
            system = {"code": code, "title": "测试体系", "indicators": indicators, **extras}
            (directory / "system.json").write_text(json.dumps(system, ensure_ascii=False), encoding="utf-8")
            for i, document in enumerate(forms):
                (directory / f"f{i}.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return load_all(tmp_path)
    return write_and_load


def refusal(load, systems):
    with pytest.raises(FormDefinitionError) as caught:
        load(systems)
    return str(caught.value)


def old_and_new(new_extras, new_indicators=None):
    return {"A": ({}, [indicator(1), indicator(2)], [form("A", 1), form("A", 2)]),
            "B": ({"previous": "A", **new_extras}, new_indicators or [indicator(1, continues=[1])], [form("B", 1)])}


def test_2025_system_has_the_manuals_nine_indicators_in_three_groups(registry):
    system = registry.system("2025")
    assert [i["number"] for i in system.indicators] == list(range(1, 10))
    assert {i["group"] for i in system.indicators} == {"安全耐久", "功能完备", "绿色智能"}
    assert system.indicator(1)["name"] == "存在结构安全隐患的住宅数量（栋）"
    assert len(registry.forms("2025")) == 9


def test_2025_non_self_contained_dwellings_are_counted_in_tao(registry):
    assert registry.system("2025").indicator(5)["unit"] == "套"
    assert registry.get("2025-incomplete-dwellings").measure is not None


def test_every_2024_indicator_is_continued_or_discontinued_in_2025(registry):
    system = registry.system("2025")
    continued = {n for i in system.indicators for n in i.get("continues", [])}
    dropped = {entry["number"] for entry in system.discontinued}
    assert continued | dropped == {i["number"] for i in registry.system("2024").indicators}
    assert dropped == {8}


def test_measure_counts_a_household_lacking_both_once(registry):
    answers = {"no_kitchen_households": 12, "no_toilet_households": 30, "lacking_both_households": 10}
    assert measure_value(registry.get("2025-incomplete-dwellings"), answers, {"households": 60}, CONTEXT) == 32


def test_measure_is_none_until_answered(registry):
    assert measure_value(registry.get("2025-incomplete-dwellings"), {}, {}, CONTEXT) is None


def test_measure_is_none_for_a_form_counted_in_buildings(registry):
    assert measure_value(registry.get("2025-gas-safety"), {}, {}, CONTEXT) is None


def test_riser_age_is_counted_from_the_rounds_year(registry):
    gas = registry.get("2025-gas-safety")
    answers = {"riser_service_year": 2006, "riser_assessment": "assess"}
    assert follow_ups(gas, answers, {"gas_supply": "pipeline"}, CONTEXT) == []
    assert follow_ups(gas, answers, {"gas_supply": "pipeline"}, rule_context(2026)) == [
        {"question_id": "riser_assessment", "reason": "燃气立管运行满20年，需燃气公司或专业机构评估是否存在安全隐患"}]


def test_a_riser_year_after_the_round_is_refused(registry):
    errors = validate_answers(registry.get("2025-gas-safety"), {"riser_service_year": 2026}, {}, CONTEXT)
    assert errors == {"riser_service_year": ["投入运行年份不能晚于本轮体检年份"]}


def test_loader_refuses_an_indicator_in_tao_without_a_measure(load):
    message = refusal(load, {"A": ({}, [indicator(1, unit="套")], [form("A")])})
    assert "f0.json: measure: indicator 1 is counted in 套" in message


def test_loader_refuses_a_measure_on_an_indicator_in_buildings(load):
    message = refusal(load, {"A": ({}, [indicator(1)], [form("A", measure={"answer": "homes"})])})
    assert "f0.json: measure:" in message


def test_loader_refuses_a_measure_that_is_a_condition(load):
    measure = {">": [{"answer": "homes"}, 0]}
    message = refusal(load, {"A": ({}, [indicator(1, unit="套")], [form("A", measure=measure)])})
    assert "measure: must yield a number" in message


def test_loader_accepts_an_arithmetic_measure(load):
    measure = {"-": [{"+": [{"answer": "homes"}, 2]}, 1]}
    registry = load({"A": ({}, [indicator(1, unit="套")], [form("A", measure=measure)])})
    assert measure_value(registry.get("a-f1"), {"homes": 3}, {}) == 4


def test_loader_refuses_an_old_indicator_neither_continued_nor_discontinued(load):
    message = refusal(load, old_and_new({}))
    assert "B/system.json: discontinued: indicator 2 of 'A'" in message


def test_loader_accepts_an_old_indicator_discontinued_with_a_reason(load):
    registry = load(old_and_new({"discontinued": [{"number": 2, "reason": "新体系不再设此指标"}]}))
    assert registry.system("B").previous == "A"


def test_loader_refuses_continuing_an_indicator_the_old_system_lacks(load):
    message = refusal(load, old_and_new({"discontinued": [{"number": 2, "reason": "不再设"}]},
                                        [indicator(1, continues=[1, 7])]))
    assert "indicators[0].continues[1]: system 'A' has no indicator 7" in message


def test_loader_refuses_an_indicator_both_continued_and_discontinued(load):
    message = refusal(load, old_and_new({"discontinued": [{"number": 1, "reason": "不再设"}]},
                                        [indicator(1, continues=[1, 2])]))
    assert "discontinued[0].number" in message


def test_loader_refuses_a_previous_system_not_loaded(load):
    message = refusal(load, {"B": ({"previous": "Z"}, [indicator(1, continues=[1])], [form("B")])})
    assert "previous: system 'Z' is not loaded" in message


def test_loader_refuses_continues_without_a_previous_system(load):
    message = refusal(load, {"A": ({}, [indicator(1, continues=[1])], [form("A")])})
    assert "previous" in message


def test_loader_refuses_an_unknown_setting(load):
    rule = {">=": [{"answer": "homes"}, {"setting": "share"}]}
    forms = [form("A", counts_if={"any": [{"any_defect": True}, rule]})]
    assert "unknown setting 'share'" in refusal(load, {"A": ({}, [indicator(1)], forms)})


def test_loader_lets_rules_read_a_declared_setting(load):
    rule = {">=": [{"answer": "homes"}, {"setting": "share"}]}
    settings = {"share": {"value": 30, "label": "比例"}}
    registry = load({"A": ({"settings": settings}, [indicator(1)], [form("A", counts_if={"any": [{"any_defect": True}, rule]})])})
    assert registry.system("A").settings == {"share": 30}


@pytest.mark.parametrize("key", ["applies_if", "prescreen"])
@pytest.mark.parametrize("rule", [{"<": [{"round_year": True}, 2030]}, {"<": [{"+": [{"fact": "floors_above"}, 1]}, 5]}])
def test_facts_only_rules_cannot_read_the_round_or_compute(load, key, rule):
    message = refusal(load, {"A": ({}, [indicator(1)], [form("A", **{key: rule})])})
    assert "cannot use arithmetic, round_year or setting" in message
