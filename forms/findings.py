"""What a survey means for its building: is the form in scope, is the building flagged by census data,
which defects were found, does the building count for the indicator."""
from forms.answers import relevance
from forms.rules import evaluate


def applies(form, facts):
    """Whether the building is in the form's scope at all (no applies_if: every building)."""
    return evaluate(form.applies_if if form.applies_if is not None else True, {}, facts) is True


def prescreen(form, facts):
    """Whether census facts flag the building for this form (e.g. pre-1981 unreinforced for indicator 1).

    False when the form has no prescreen rule: nothing is flagged, every building in scope is surveyed alike.
    """
    rule = form.prescreen_rule
    return rule is not None and applies(form, facts) and evaluate(rule, {}, facts) is True


def prescreen_uncertain(form, facts):
    """Whether census facts leave the building 待核实 for this form: not flagged, but it would be if an
    unknown fact turned out badly (e.g. a 1981–1990 masonry building whose precast slabs are unknown).

    Never true for a building prescreen() flags, nor for a form without a prescreen_uncertain rule.
    """
    rule = form.prescreen_uncertain_rule
    return (rule is not None and not prescreen(form, facts) and applies(form, facts)
            and evaluate(rule, {}, facts) is True)


def derive_defects(form, answers, facts):
    """The defects the answers reveal, in form order; [] when the form does not apply to the building.

    Each is a dict: check_item, question_id, severity, class, responsible_unit, suggestion, difficulty
    (None if the form gives none), location (the answer to the defect's location question, or None) and
    photos (the hashes from its photos question, or []). Validate the answers first: values are copied as is.
    """
    if not applies(form, facts):
        return []
    relevant = relevance(form, answers, facts)
    found = []
    for question in form.defect_questions:
        defect = question["defect"]
        if relevant.defects[question["id"]] is False or evaluate(defect["when"], relevant.answers, facts) is not True:
            continue
        found.append({
            "check_item": defect["check_item"],
            "question_id": question["id"],
            "severity": _resolve(defect["severity"], relevant.answers, facts),
            "class": _resolve(defect["class"], relevant.answers, facts),
            "responsible_unit": _resolve(defect["responsible_unit"], relevant.answers, facts),
            "suggestion": defect["suggestion"],
            "difficulty": _resolve(defect.get("difficulty"), relevant.answers, facts),
            "location": relevant.answers.get(defect["location"]) if "location" in defect else None,
            "photos": (relevant.answers.get(defect["photos"]) or []) if "photos" in defect else [],
        })
    return found


def counts(form, answers, facts):
    """Whether the building counts for the form's indicator (its counts_if holds and the form applies)."""
    if not applies(form, facts):
        return False
    relevant = relevance(form, answers, facts)
    return evaluate(form.counts_if, relevant.answers, facts, relevant.defects) is True


def _resolve(graded, answers, facts):
    """A graded value: a fixed value, or the first case whose `when` holds (the last case is the default)."""
    if not isinstance(graded, list):
        return graded
    for case in graded[:-1]:
        if evaluate(case["when"], answers, facts) is True:
            return case["value"]
    return graded[-1]["value"]


def check_item_question(form, *, question_id=None, check_item=None):
    """The defect question of a form named by its id or by its check item's text; None if absent."""
    for question in form.defect_questions:
        if question["id"] == question_id or question["defect"]["check_item"] == check_item:
            return question
    return None


def reported_defect(form, question, facts):
    """The defect a check item stands for when it is reported on its own, outside a full form:
    graded values resolve against the building's facts alone, so they take their default
    unless a fact decides them (e.g. who is responsible where there is no property company)."""
    defect = question["defect"]
    return {
        "check_item": defect["check_item"],
        "question_id": question["id"],
        "severity": _resolve(defect["severity"], {}, facts),
        "class": _resolve(defect["class"], {}, facts),
        "responsible_unit": _resolve(defect["responsible_unit"], {}, facts),
        "suggestion": defect["suggestion"],
        "difficulty": _resolve(defect.get("difficulty"), {}, facts),
    }


def counting_question_ids(form):
    """The defect questions whose finding, confirmed, makes its building count for the indicator:
    those whose defect alone makes counts_if hold (any_defect: every one; for 5, 非成套, only the
    missing kitchen or toilet, not poor daylight). A building counts on its confirmed problems,
    each judged on its own, so a rule that needs two defects together counts neither alone."""
    defect_ids = [q["id"] for q in form.defect_questions]
    return frozenset(
        qid for qid in defect_ids
        if evaluate(form.counts_if, {}, {}, {other: other == qid for other in defect_ids}) is True)
