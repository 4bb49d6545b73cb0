"""Loujian survey forms: forms as data, their loader and validator, and the JSON rule evaluator.

Plain Python: nothing here imports Flask or the server.
"""
from pathlib import Path

from forms.answers import relevance, validate_answers
from forms.errors import (FormDefinitionError, FormLookupError, RetiredFormError, RuleError, UnknownFormError,
                          UnknownSystemError)
from forms.facts import FACTS, build_era, validate_facts
from forms.findings import (applies, check_item_question, counts, derive_defects, follow_ups, measure_value,
                            prescreen, prescreen_uncertain, reported_defect)
from forms.loader import load_all, load_system
from forms.registry import Form, Registry, System
from forms.rules import check_rule, evaluate, rule_context

FORMS_ROOT = Path(__file__).parent  # holds one directory per survey round, e.g. 2024/

__all__ = [
    "FACTS", "FORMS_ROOT", "Form", "FormDefinitionError", "FormLookupError", "Registry", "RetiredFormError",
    "RuleError", "System", "UnknownFormError", "UnknownSystemError", "applies", "build_era", "check_rule",
    "check_item_question", "counts", "derive_defects", "evaluate", "follow_ups", "load_all", "load_system",
    "measure_value", "prescreen", "prescreen_uncertain", "relevance", "reported_defect", "rule_context",
    "validate_answers", "validate_facts",
]
