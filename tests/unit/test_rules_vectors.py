"""The shared rule vectors (forms/rule_vectors.json): Python must pass all of them, as the PWA port will."""
import json

import pytest

from forms import FORMS_ROOT, check_rule, evaluate
from forms.rules import OPERATORS
from tests.unit.json_equality import same_json

VECTORS = json.loads((FORMS_ROOT / "rule_vectors.json").read_text(encoding="utf-8"))
SOURCED = [v for v in VECTORS if "source" in v]
VECTOR_KEYS = {"name", "rule", "answers", "facts", "defects", "context", "source", "result"}


def operators_in(rule):
    if isinstance(rule, dict):
        for op, arg in rule.items():
            yield op
            yield from operators_in(arg)
    elif isinstance(rule, list):
        for item in rule:
            yield from operators_in(item)


def names_in(rule, wanted):
    if isinstance(rule, dict):
        for op, arg in rule.items():
            if op in wanted:
                yield arg
            else:
                yield from names_in(arg, wanted)
    elif isinstance(rule, list):
        for item in rule:
            yield from names_in(item, wanted)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_python_evaluator_gives_the_vector_result(vector):
    result = evaluate(vector["rule"], vector["answers"], vector["facts"], vector.get("defects"), vector.get("context"))
    assert same_json(result, vector["result"])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_rule_is_well_formed(vector):
    rule = vector["rule"]
    questions = set(names_in(rule, {"answer", "answered"})) | set(vector["answers"])
    defects = set(names_in(rule, {"defect"})) | set(vector.get("defects") or {})
    settings = set(names_in(rule, {"setting"}))
    check_rule(rule, questions, "rule", defect_ids=defects, condition=False, settings=settings)


def test_there_are_enough_vectors():
    assert len(VECTORS) >= 60


def test_vector_names_are_unique():
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names))


def test_vectors_use_only_the_documented_keys():
    assert all(set(v) <= VECTOR_KEYS and {"name", "rule", "answers", "facts", "result"} <= set(v) for v in VECTORS)


def test_vectors_exercise_every_operator():
    used = {op for v in VECTORS for op in operators_in(v["rule"])}
    assert set(OPERATORS) <= used


def test_vectors_cover_the_round_year_and_the_settings_in_the_2025_forms():
    sources = {v["source"].split(".")[0] for v in SOURCED if v["source"].startswith("2025-")}
    assert {"2025-gas-safety#riser_assessment", "2025-incomplete-dwellings#measure",
            "2025-aging-friendly#home_retrofit_households"} <= sources


def test_vectors_cover_the_structural_prescreen():
    assert sum(v["source"] == "2024-structural-safety#prescreen" for v in SOURCED) >= 10


def test_vectors_cover_the_structural_uncertain_prescreen():
    assert sum(v["source"] == "2024-structural-safety#prescreen_uncertain" for v in SOURCED) >= 6


def resolve_source(registry, source):
    form_id, _, path = source.partition("#")
    document = registry.get(form_id).document
    if path in ("prescreen", "prescreen_uncertain", "applies_if", "counts_if", "measure"):
        return document[path]
    element_id, *keys = path.split(".")
    elements = [s for s in document["sections"]] + [q for s in document["sections"] for q in s["questions"]]
    node = next(e for e in elements if e["id"] == element_id)
    for key in keys:
        node = node[key]
    return node


@pytest.mark.parametrize("vector", SOURCED, ids=[v["name"] for v in SOURCED])
def test_sourced_vector_rule_is_the_rule_in_the_form(registry, vector):
    assert resolve_source(registry, vector["source"]) == vector["rule"]
