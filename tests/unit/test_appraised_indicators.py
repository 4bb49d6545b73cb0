"""Which indicators professional agencies appraise is the indicator system's (`appraisal` in
system.json), checked by the loader; the two systems declare what their sources name."""
import pytest

from forms import FORMS_ROOT, load_all
from tests.unit.test_forms_2025 import form, indicator, load, refusal  # noqa: F401 (fixture)

APPRAISAL = {"check_item": "经专业机构检测存在问题", "severity": "严重", "class": "限时解决",
             "responsible_unit": "住建局", "suggestion": "按报告整治", "found": "存在问题",
             "clear": "未发现问题", "source": "测试"}
FOLLOW_UP = {"when": {"==": [{"answer": "cracked"}, True]}, "reason": "需专业机构检测"}


@pytest.fixture(scope="module")
def registry():
    return load_all(FORMS_ROOT)


def with_follow_up(document):
    document["sections"][0]["questions"][0]["follow_up"] = FOLLOW_UP
    return document


def test_2025_agencies_appraise_every_indicator_the_manual_names_them_for_and_7(registry):
    # 数据获取方式 names 专业机构 for 1, 2, 4, 6, 8 and 9; 7's form asks one whether a lift fits.
    assert set(registry.system("2025").appraised) == {1, 2, 4, 6, 7, 8, 9}


def test_2024_agencies_appraise_what_the_plans_attachment_names(registry):
    appraised = registry.system("2024").appraised
    assert set(appraised) == {1, 2, 6, 7, 9}
    assert (appraised[1]["check_item"], appraised[2]["check_item"]) == (
        "结构安全隐患（经专业机构鉴定）", "燃气安全隐患（经专业机构检测）")


def test_every_2025_form_with_a_follow_up_is_of_an_appraised_indicator(registry):
    asking = {f.indicator for f in registry.forms("2025")
              if any("follow_up" in q for q in f.questions)}
    assert asking and asking <= set(registry.system("2025").appraised)


def test_loader_refuses_a_follow_up_on_an_indicator_agencies_do_not_appraise(load):
    message = refusal(load, {"A": ({}, [indicator(1)], [with_follow_up(form("A", 1))])})
    assert "sections[0].questions[0].follow_up" in message and "takes no appraisal" in message


def test_loader_accepts_a_follow_up_on_an_appraised_indicator(load):
    loaded = load({"A": ({}, [indicator(1, appraisal=APPRAISAL)], [with_follow_up(form("A", 1))])})
    assert loaded.system("A").appraised == {1: APPRAISAL}


def test_loader_refuses_an_appraisal_with_an_unknown_severity(load):
    message = refusal(load, {"A": ({}, [indicator(1, appraisal={**APPRAISAL, "severity": "致命"})],
                                   [form("A", 1)])})
    assert "indicators[0].appraisal.severity" in message
