"""Loading form directories: broken files are refused naming file and field; versions, retirement, systems."""
import json
import shutil

import pytest

from forms import (FORMS_ROOT, FormDefinitionError, RetiredFormError, UnknownFormError, UnknownSystemError, load_all,
                   load_system)


def indicator(number, check_items=("开裂",)):
    return {"number": number, "name": f"测试指标{number}（栋）", "short_name": f"测试{number}", "group": "安全耐久",
            "unit": "栋", "kind": "safety", "responsible_unit": "住建局", "check_items": list(check_items)}


@pytest.fixture
def make_form():
    """A valid minimal form document; keyword arguments replace top-level keys."""
    def make(form_id="t-cracks", version=1, indicator=1, system="T", **overrides):
        document = {
            "id": form_id, "version": version, "system": system, "indicator": indicator, "title": "测试表",
            "counts_if": {"any_defect": True},
            "sections": [{"id": "main", "title": "检查", "questions": [
                {"id": "cracked", "type": "yes_no", "label": "是否开裂", "required": True,
                 "defect": {"when": {"==": [{"answer": "cracked"}, True]}, "check_item": "开裂", "severity": "严重",
                            "class": "限时解决", "responsible_unit": "住建局", "suggestion": "修复",
                            "photos": "cracked_photos"}},
                {"id": "cracked_photos", "type": "photos", "label": "照片", "required": True, "min_count": 1,
                 "relevant": {"defect": "cracked"}},
            ]}],
        }
        document.update(overrides)
        return document
    return make


@pytest.fixture
def write_system(tmp_path):
    """Write a system directory under tmp_path; forms are dicts (as JSON) or str (raw file text)."""
    def write(*forms, code="T", indicators=None):
        directory = tmp_path / code
        directory.mkdir()
        system = {"code": code, "title": "测试体系", "indicators": indicators or [indicator(1)]}
        (directory / "system.json").write_text(json.dumps(system, ensure_ascii=False), encoding="utf-8")
        for i, form in enumerate(forms):
            text = form if isinstance(form, str) else json.dumps(form, ensure_ascii=False)
            (directory / f"form{i}.json").write_text(text, encoding="utf-8")
        return directory
    return write


@pytest.fixture
def refusal(write_system):
    """Load a system made of the given forms and return the FormDefinitionError message."""
    def refuse(*forms, **kwargs):
        directory = write_system(*forms, **kwargs)
        with pytest.raises(FormDefinitionError) as caught:
            load_system(directory)
        return str(caught.value)
    return refuse


def test_minimal_system_loads(write_system, make_form):
    registry = load_system(write_system(make_form()))
    assert registry.get("t-cracks").title == "测试表"


def test_unknown_question_type_names_file_and_field(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][0]["type"] = "checkbox"
    message = refusal(form)
    assert "form0.json: sections[0].questions[0].type: Must be one of" in message


def test_unknown_operator_names_file_and_field(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][1]["relevant"] = {"eq": [{"answer": "cracked"}, True]}
    assert "form0.json: sections[0].questions[1].relevant: unknown operator 'eq'" in refusal(form)


def test_unknown_fact_is_refused(refusal, make_form):
    message = refusal(make_form(applies_if={">=": [{"fact": "storeys"}, 4]}))
    assert "form0.json: applies_if.>=[0].fact: unknown fact 'storeys'" in message


def test_dangling_answer_reference_is_refused(refusal, make_form):
    form = make_form(counts_if={"==": [{"answer": "leaning"}, True]})
    assert "form0.json: counts_if.==[0].answer: unknown question 'leaning'" in refusal(form)


def test_relevance_on_a_later_question_is_refused(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][0]["relevant"] = {"answered": "cracked_photos"}
    message = refusal(form)
    assert "sections[0].questions[0].relevant.answered: unknown question 'cracked_photos'" in message
    assert "earlier questions" in message


def test_prescreen_may_not_read_answers(refusal, make_form):
    message = refusal(make_form(prescreen={"==": [{"answer": "cracked"}, True]}))
    assert "form0.json: prescreen.==[0].answer: this rule sees building facts only" in message


def test_uncertain_prescreen_may_not_read_answers(refusal, make_form):
    message = refusal(make_form(prescreen_uncertain={"==": [{"answer": "cracked"}, True]}))
    assert ("form0.json: prescreen_uncertain.==[0].answer: this rule sees building facts only"
            in message)


def test_duplicate_question_id_is_refused(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][1]["id"] = "cracked"
    assert "form0.json: sections[0].questions[1].id: duplicate id 'cracked'" in refusal(form)


def test_non_boolean_condition_is_refused(refusal, make_form):
    message = refusal(make_form(counts_if={"answer": "cracked"}))
    assert "form0.json: counts_if: a condition must yield true or false" in message


def test_missing_field_is_refused(refusal, make_form):
    form = make_form()
    del form["title"]
    assert "form0.json: title: Missing data for required field." in refusal(form)


def test_unknown_top_level_key_is_refused(refusal, make_form):
    assert "form0.json: colour: Unknown field." in refusal(make_form(colour="red"))


def test_choice_question_without_choices_is_refused(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][0]["type"] = "single_choice"
    assert "form0.json: sections[0].questions[0].choices: required for type 'single_choice'" in refusal(form)


def test_boolean_version_is_refused(refusal, make_form):
    assert "form0.json: version: Not a valid integer." in refusal(make_form(version=True))


def test_bad_graded_severity_is_refused(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][0]["defect"]["severity"] = [{"when": True, "value": "很严重"}, {"value": "一般"}]
    assert "sections[0].questions[0].defect.severity: [0].value: must be one of" in refusal(form)


def test_defect_photos_must_name_a_photos_question(refusal, make_form):
    form = make_form()
    form["sections"][0]["questions"][0]["defect"]["photos"] = "cracked"
    assert "sections[0].questions[0].defect.photos: question 'cracked' is not of type 'photos'" in refusal(form)


def test_indicator_outside_the_system_is_refused(refusal, make_form):
    assert "form0.json: indicator: system 'T' has no indicator 7" in refusal(make_form(indicator=7))


def test_form_of_another_system_is_refused(refusal, make_form):
    assert "form0.json: system: '2025' does not match" in refusal(make_form(system="2025"))


def test_invalid_json_names_the_file(refusal):
    assert "form0.json: not a readable JSON file" in refusal('{"id": ')


def test_duplicate_json_key_is_refused(refusal, make_form):
    text = json.dumps(make_form())[:-1] + ', "title": "重复"}'
    assert "duplicate key 'title'" in refusal(text)


def test_indicator_without_a_current_form_is_refused(refusal, make_form):
    message = refusal(make_form(), indicators=[indicator(1), indicator(2)])
    assert "system.json: indicators[1]: needs exactly one current form, found: none" in message


def test_two_current_forms_for_one_indicator_are_refused(refusal, make_form):
    assert "system.json: indicators[0]: needs exactly one current form" in refusal(make_form(), make_form("t-other"))


def test_listed_check_item_without_a_defect_is_refused(refusal, make_form):
    message = refusal(make_form(), indicators=[indicator(1, ["开裂", "倾斜"])])
    assert "system.json: indicators[0].check_items[1]: no defect in" in message


def test_same_version_twice_is_refused(refusal, make_form):
    assert "form1.json: version: t-cracks v1 is also defined in" in refusal(make_form(), make_form())


def test_versions_of_one_id_must_share_the_indicator(refusal, make_form):
    message = refusal(make_form(), make_form(version=2, indicator=2), indicators=[indicator(1), indicator(2)])
    assert "indicator: other versions of 't-cracks' are for indicator" in message


def test_highest_non_retired_version_is_current(write_system, make_form):
    registry = load_system(write_system(make_form(), make_form(version=2), make_form(version=3, retired=True)))
    assert registry.get("t-cracks").version == 2
    assert [f.version for f in registry.forms("T")] == [2]


def test_superseded_version_is_still_available(write_system, make_form):
    registry = load_system(write_system(make_form(), make_form(version=2)))
    assert registry.get("t-cracks", 1).version == 1


def test_retired_version_is_distinguished_from_unknown(write_system, make_form):
    registry = load_system(write_system(make_form(), make_form(version=2, retired=True)))
    with pytest.raises(RetiredFormError):
        registry.get("t-cracks", 2)
    with pytest.raises(UnknownFormError):
        registry.get("t-cracks", 3)


def test_retired_version_can_be_read_on_request(write_system, make_form):
    registry = load_system(write_system(make_form(), make_form(version=2, retired=True)))
    assert registry.get("t-cracks", 2, include_retired=True).retired is True


def test_form_with_every_version_retired_is_retired_not_unknown(write_system, make_form):
    registry = load_system(write_system(make_form(retired=True), make_form("t-new")))
    with pytest.raises(RetiredFormError):
        registry.get("t-cracks")
    assert registry.get("t-new").indicator == 1


def test_unknown_form_id_is_unknown(write_system, make_form):
    with pytest.raises(UnknownFormError) as caught:
        load_system(write_system(make_form())).get("t-nothing")
    assert caught.value.code == "form.unknown"


def test_versions_are_listed_oldest_first(write_system, make_form):
    registry = load_system(write_system(make_form(version=2), make_form(), make_form(version=3, retired=True)))
    assert [f.version for f in registry.versions("t-cracks")] == [1, 2, 3]


def test_unknown_system_is_reported(write_system, make_form):
    with pytest.raises(UnknownSystemError):
        load_system(write_system(make_form())).forms("2099")


def test_second_system_loads_beside_2024(tmp_path, write_system, make_form):
    shutil.copytree(FORMS_ROOT / "2024", tmp_path / "2024")
    write_system(make_form("2025-structural-safety", system="2025"), code="2025")
    registry = load_all(tmp_path)
    assert sorted(registry.systems) == ["2024", "2025"]
    assert [f.id for f in registry.forms("2025")] == ["2025-structural-safety"]
    assert len(registry.forms("2024")) == 10


def test_form_id_used_by_two_systems_is_refused(tmp_path, write_system, make_form):
    write_system(make_form(), code="T")
    write_system(make_form(system="U"), code="U")
    with pytest.raises(FormDefinitionError) as caught:
        load_all(tmp_path)
    assert "id: form id 't-cracks' is already used in" in str(caught.value)


def test_load_all_ignores_folders_without_a_system_file(tmp_path, write_system, make_form):
    write_system(make_form())
    (tmp_path / "drafts").mkdir()
    assert list(load_all(tmp_path).systems) == ["T"]
