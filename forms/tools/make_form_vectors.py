"""Write forms/form_vectors.json: the form-logic vectors the PWA port (pwa/js/formlogic.js) must reproduce.

Run from the repository root:  .venv/bin/python -m forms.tools.make_form_vectors
Expected values come from the Python implementation (forms.answers, forms.findings); the output is
deterministic. tests/unit/test_form_vectors.py checks that Python still reproduces the file, and
tests/js/formlogic.test.mjs that JavaScript does. Case inputs live in forms/tools/form_vector_cases.py.
"""
import json

from forms import (FORMS_ROOT, applies, counts, derive_defects, follow_ups, load_all, measure_value, prescreen,
                   prescreen_uncertain,
                   relevance, validate_answers)
from forms.consistency import form_problems
from forms.registry import Form
from forms.schema import FormSchema, schema_problems
from forms.tools.form_vector_cases import CASES, INLINE_FORMS

VECTORS_PATH = FORMS_ROOT / "form_vectors.json"


def inline_form(document):
    """A Form from an inline document, refused unless the loader would accept it."""
    problems = schema_problems(FormSchema(), document) or form_problems(document)
    if problems:
        raise ValueError(f"inline form {document.get('id')!r} is invalid: {problems}")
    return Form(document, f"<inline {document['id']}>")


def form_lookup(registry):
    inline = {document["id"]: inline_form(document) for document in INLINE_FORMS}
    return lambda form_id: inline[form_id] if form_id in inline else registry.get(form_id)


def outcome(form, facts, answers, context=None):
    """Everything a port must reproduce for one case, as JSON."""
    relevant = relevance(form, answers, facts, context)
    ordered = [q["id"] for q in form.questions]
    found = derive_defects(form, answers, facts, context)
    return {
        "applies": applies(form, facts),
        "prescreen": prescreen(form, facts),
        "prescreen_uncertain": prescreen_uncertain(form, facts),
        "asked": [qid for qid in ordered if qid in relevant.question_ids],
        "kept": [qid for qid in ordered if qid in relevant.answers],
        "in_play": [qid for qid in ordered if relevant.defects.get(qid, False) is not False],
        "errors": validate_answers(form, answers, facts, context),
        "defects": [d["check_item"] for d in found],
        "findings": found,
        "counts": counts(form, answers, facts, context),
        "measure": measure_value(form, answers, facts, context),
        "follow_ups": follow_ups(form, answers, facts, context),
    }


def build_vectors():
    lookup = form_lookup(load_all(FORMS_ROOT))
    cases = [{**case, "expected": outcome(lookup(case["form"]), case["facts"], case["answers"], case.get("context"))}
             for case in CASES]
    return {"inline_forms": INLINE_FORMS, "cases": cases}


def dumps(vectors):
    """One case per line, so a change shows as a readable diff."""
    def line(value):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    forms = ",\n".join(f"    {line(document)}" for document in vectors["inline_forms"])
    cases = ",\n".join(f"    {line(case)}" for case in vectors["cases"])
    return f'{{\n  "inline_forms": [\n{forms}\n  ],\n  "cases": [\n{cases}\n  ]\n}}\n'


def main():
    vectors = build_vectors()
    VECTORS_PATH.write_text(dumps(vectors), encoding="utf-8")
    print(f"wrote {len(vectors['cases'])} cases and {len(vectors['inline_forms'])} inline forms to {VECTORS_PATH}")


if __name__ == "__main__":
    main()
