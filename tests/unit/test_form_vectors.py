"""The shared form-logic vectors (forms/form_vectors.json): Python must reproduce every expected value, as the
PWA port (pwa/js/formlogic.js, checked by tests/js/formlogic.test.mjs) does. If a form changed on purpose,
regenerate with `.venv/bin/python -m forms.tools.make_form_vectors` and review the diff."""
import json

import pytest

from forms import FORMS_ROOT, load_all
from forms.schema import QUESTION_TYPES
from forms.tools.form_vector_cases import CASES, INLINE_FORMS
from forms.tools.make_form_vectors import dumps, form_lookup, outcome
from tests.unit.json_equality import same_json

VECTORS = json.loads((FORMS_ROOT / "form_vectors.json").read_text(encoding="utf-8"))
EXPECTED_KEYS = {"applies", "prescreen", "prescreen_uncertain", "asked", "kept", "in_play", "errors", "defects",
                 "findings", "counts", "measure", "follow_ups"}


@pytest.fixture(scope="module")
def lookup():
    return form_lookup(load_all(FORMS_ROOT))


@pytest.mark.parametrize("vector", VECTORS["cases"], ids=[v["name"] for v in VECTORS["cases"]])
def test_python_reproduces_the_form_vector(lookup, vector):
    got = outcome(lookup(vector["form"]), vector["facts"], vector["answers"], vector.get("context"))
    for key, expected in vector["expected"].items():
        assert same_json(got[key], expected), f"{key}: expected {expected!r}, got {got[key]!r}"


def test_vectors_file_matches_the_generator_inputs():
    """The file is generated, not hand-edited: its inputs are those of forms/tools/form_vector_cases.py."""
    inputs = [{k: v for k, v in case.items() if k != "expected"} for case in VECTORS["cases"]]
    assert json.loads(json.dumps(CASES)) == inputs
    assert json.loads(json.dumps(INLINE_FORMS)) == VECTORS["inline_forms"]


def test_vectors_file_is_in_generated_form():
    assert dumps(VECTORS) == (FORMS_ROOT / "form_vectors.json").read_text(encoding="utf-8")


def test_every_case_expects_every_key():
    assert all(set(case["expected"]) == EXPECTED_KEYS for case in VECTORS["cases"])


def test_there_are_enough_cases_with_unique_names():
    names = [case["name"] for case in VECTORS["cases"]]
    assert len(names) >= 60
    assert len(names) == len(set(names))


def test_cases_cover_every_current_form(lookup):
    registry = load_all(FORMS_ROOT)
    current = {form.id for code in registry.systems for form in registry.forms(code)}
    assert current <= {case["form"] for case in VECTORS["cases"]}


def test_cases_cover_every_question_type(lookup):
    used = {question["type"] for form_id in {case["form"] for case in VECTORS["cases"]}
            for question in lookup(form_id).questions}
    assert used == set(QUESTION_TYPES)


def test_cases_cover_defects_counting_scope_and_prescreen():
    expected = [case["expected"] for case in VECTORS["cases"]]
    for key in ("applies", "prescreen", "prescreen_uncertain", "counts"):
        assert {e[key] for e in expected} == {True, False}, key
    severities = {finding["severity"] for e in expected for finding in e["findings"]}
    assert severities == {"非常严重", "严重", "一般"}
