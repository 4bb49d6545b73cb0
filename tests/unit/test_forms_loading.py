"""The 2024 forms shipped in forms/2024 load, and cover what attachment 2 asks for."""
import json

import pytest

from forms import FORMS_ROOT, load_system

# Words from attachment 2's "what to check" (indicators-2024.csv) that must each appear in a check item.
ATTACHMENT_2_TERMS = {
    1: ["贯通裂缝", "承重构件", "酥碱", "窗间墙", "倾斜"],
    2: ["橡胶软管", "立管", "切断阀", "报警器"],
    3: ["楼梯踏步", "扶手", "照明", "安全护栏", "通风井道", "排风烟道", "倒风串味", "消防门", "无法关闭", "消火栓无水",
        "灭火器缺失", "安全出口", "疏散", "消防楼梯", "楼道", "管道井"],
    4: ["外墙保温材料", "装饰材料", "悬挂设施", "门窗玻璃", "脱落", "屋顶渗漏", "外墙渗漏", "地下室渗漏"],
    5: ["厨房", "卫生间", "采光", "通风"],
    6: ["给水", "排水", "供热", "供电", "通信", "老化破损", "跑冒滴漏", "不足", "堵塞"],
    7: ["加装电梯", "出入口", "门厅", "户内"],
    8: ["生活饮用水卫生标准", "水压不足"],
    9: ["节能改造"],
    10: ["网络基础设施", "安防监测", "烟雾报警器", "健康管理", "紧急呼叫"],
}


@pytest.fixture(scope="module")
def system(registry):
    return registry.system("2024")


def test_ten_forms_load_for_2024(registry):
    assert len(registry.forms("2024")) == 10


def test_each_indicator_has_exactly_one_current_form_in_order(registry):
    assert [form.indicator for form in registry.forms("2024")] == list(range(1, 11))


def test_load_system_reads_one_directory(registry):
    single = load_system(FORMS_ROOT / "2024")
    assert list(single.systems) == ["2024"]
    assert [f.id for f in single.forms("2024")] == [f.id for f in registry.forms("2024")]


def test_indicators_one_to_four_are_one_vote_veto(system):
    assert [i["number"] for i in system.indicators if i["kind"] == "safety"] == [1, 2, 3, 4]


def test_indicator_groups_follow_attachment_2(system):
    groups = {i["number"]: i["group"] for i in system.indicators}
    assert groups == {**dict.fromkeys(range(1, 5), "安全耐久"), **dict.fromkeys(range(5, 9), "功能完善"),
                      9: "绿色智能", 10: "绿色智能"}


def test_indicator_names_are_counted_in_buildings(system):
    assert all(i["name"].endswith("（栋）") and i["unit"] == "栋" for i in system.indicators)


def test_every_listed_check_item_is_a_defect_of_its_indicator_form(registry, system):
    for indicator in system.indicators:
        form = next(f for f in registry.forms("2024") if f.indicator == indicator["number"])
        assert set(indicator["check_items"]) <= set(form.check_items), form.id


@pytest.mark.parametrize("number, terms", ATTACHMENT_2_TERMS.items())
def test_attachment_2_terms_appear_in_check_items(registry, number, terms):
    form = registry.forms("2024")[number - 1]
    text = " ".join(form.check_items)
    assert [t for t in terms if t not in text] == []


def test_check_items_are_unique_within_the_system(registry):
    items = [item for form in registry.forms("2024") for item in form.check_items]
    assert len(items) == len(set(items))


def test_safety_forms_count_any_defect(registry, system):
    safety = {i["number"] for i in system.indicators if i["kind"] == "safety"}
    assert all(f.counts_if == {"any_defect": True} for f in registry.forms("2024") if f.indicator in safety)


def test_safety_defects_require_located_photographed_evidence(registry):
    for form in registry.forms("2024")[:4]:
        for question in form.defect_questions:
            photos = form.question(question["defect"]["photos"])
            assert photos["required"] is True and photos["min_count"] >= 1, question["id"]


def test_evidence_questions_are_asked_only_when_their_defect_is_present(registry):
    for form in registry.forms("2024"):
        for question in form.defect_questions:
            for key in ("photos", "location"):
                if key in question["defect"]:
                    evidence = form.question(question["defect"][key])
                    assert evidence["relevant"] == {"defect": question["id"]}, evidence["id"]


def test_indicator_1_has_a_prescreen_rule(registry):
    assert registry.forms("2024")[0].prescreen_rule is not None


def test_document_is_the_json_as_written(registry):
    form = registry.get("2024-gas-safety", 1)
    assert form.document == json.loads((FORMS_ROOT / "2024" / "gas-safety.json").read_text(encoding="utf-8"))


def test_user_facing_strings_are_chinese(registry):
    for form in registry.forms("2024"):
        labels = [form.title] + [q["label"] for q in form.questions]
        labels += [c["label"] for q in form.questions for c in q.get("choices", [])]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels), form.id
