"""Static checks of rule shape (check_rule) and the evaluator's totality."""
import math

import pytest

from forms import RuleError, check_rule, evaluate
from forms.rules import OPERATORS

QUESTIONS = {"q", "n", "m"}


def problem(rule, question_ids=QUESTIONS, **kwargs):
    with pytest.raises(RuleError) as caught:
        check_rule(rule, question_ids, "relevant", **kwargs)
    return str(caught.value)


def test_well_formed_nested_rule_passes():
    rule = {"all": [{"any": [{"==": [{"answer": "q"}, True]}, {"in": [{"fact": "gas_supply"}, ["pipeline"]]}]},
                    {"not": {"between": [{"count": {"answer": "m"}}, 1, 3]}}, {"contains": [{"answer": "m"}, "a"]},
                    {"answered": "n"}]}
    check_rule(rule, QUESTIONS, "relevant")


def test_unknown_operator_is_named_with_its_path():
    assert problem({"all": [True, {"eq": [1, 1]}]}) == "relevant.all[1]: unknown operator 'eq'"


def test_object_with_two_operators_is_refused():
    assert "exactly one operator" in problem({"==": [1, 1], "!=": [1, 2]})


def test_comparison_needs_two_operands():
    assert problem({"==": [1]}) == "relevant.==: expects a list of 2 operands"


def test_between_needs_three_operands():
    assert "expects a list of 3 operands" in problem({"between": [1, 2]})


def test_in_needs_a_literal_list():
    assert problem({"in": [{"answer": "q"}, {"answer": "m"}]}) == "relevant.in[1]: expects a list of literal values"


def test_in_list_may_not_hold_expressions():
    assert "literal values" in problem({"in": [1, [{"answer": "q"}]]})


def test_list_outside_in_is_refused():
    assert "may only be the second argument of 'in'" in problem({"==": [[1], 1]})


def test_answer_to_unknown_question_is_refused():
    assert problem({"==": [{"answer": "nope"}, 1]}) == "relevant.==[0].answer: unknown question 'nope'"


def test_answered_checks_the_question_id():
    assert "unknown question 'nope'" in problem({"answered": "nope"})


def test_unknown_fact_is_refused():
    assert problem({"<": [{"fact": "storeys"}, 3]}) == "relevant.<[0].fact: unknown fact 'storeys'"


def test_facts_only_rule_refuses_answers():
    assert "building facts only" in problem({"==": [{"answer": "q"}, 1]}, question_ids=None)


NON_BOOLEAN = [{"answer": "q"}, {"fact": "has_elevator"}, 1, "yes", None, {"count": {"answer": "m"}}]


@pytest.mark.parametrize("rule", NON_BOOLEAN)
def test_non_boolean_condition_is_refused(rule):
    assert "a condition must yield true or false" in problem(rule)


def test_non_boolean_inside_not_is_refused():
    assert problem({"not": {"answer": "q"}}).startswith("relevant.not: a condition must yield")


def test_non_boolean_operand_is_fine_when_not_a_condition():
    check_rule({"count": {"answer": "m"}}, QUESTIONS, "x", condition=False)


def test_defect_operators_are_refused_without_defect_context():
    assert "defects cannot be referred to here" in problem({"any_defect": True})


def test_defect_must_name_a_question_with_a_defect():
    assert "'q' is not a question with a defect" in problem({"defect": "q"}, defect_ids={"n"})


def test_any_defect_takes_true():
    assert "expects true" in problem({"any_defect": 1}, defect_ids=set())


def test_non_finite_number_is_refused():
    assert "finite" in problem({"<": [{"answer": "n"}, math.inf]})


def test_evaluating_an_unknown_operator_raises_rule_error():
    with pytest.raises(RuleError):
        evaluate({"eq": [1, 1]}, {}, {})


LOOKUPS = ("answer", "fact", "answered", "defect", "any_defect")
ODD_VALUES = [None, True, 0, -1.5, "", "文字", [], [None, [1]], {}, {"unit": None}, math.nan, 10**400]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
@pytest.mark.parametrize("op", [op for op in OPERATORS if op not in LOOKUPS])
def test_evaluator_never_raises_on_odd_answer_values(op, value):
    x = {"answer": "q"}
    args = {"all": [{"==": [x, 1]}], "any": [{"==": [x, 1]}], "not": {"==": [x, 1]}, "between": [x, x, x],
            "in": [x, [1, "a", None]], "contains": [x, x], "count": x, "round_year": True,
            "setting": "s"}.get(op, [x, x])
    context = {"round_year": value, "settings": {"s": value}}
    result = evaluate({op: args}, {"q": value}, {"floors_above": value}, {"q": {"==": [x, 1]}}, context)
    assert result is None or isinstance(result, (bool, int, float))


@pytest.mark.parametrize("answers, facts", [(None, None), ([], "x"), ({"q": 1}, [1, 2])])
def test_evaluator_tolerates_answers_and_facts_that_are_not_objects(answers, facts):
    assert evaluate({"any": [{"answered": "q"}, {"==": [{"fact": "units"}, None]}]}, answers, facts) is True
