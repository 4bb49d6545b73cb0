"""What a survey means for its building: is the form in scope, is the building flagged by census data,
which defects were found, does the building count for the indicator, what it adds to an indicator not
counted in buildings (measure), and which answers need a professional's look (follow-ups).

`context` (forms.rules.rule_context: the survey round's year and its system's settings) goes to every
rule; applies_if and prescreen see facts only and never need it."""
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


def derive_defects(form, answers, facts, context=None):
    """The defects the answers reveal, in form order; [] when the form does not apply to the building.

    Each is a dict: check_item, question_id, severity, class, responsible_unit, suggestion, difficulty
    (None if the form gives none), location (the answer to the defect's location question, or None) and
    photos (the hashes from its photos question, or []). Validate the answers first: values are copied as is.
    """
    if not applies(form, facts):
        return []
    relevant = relevance(form, answers, facts, context)
    found = []
    for question in form.defect_questions:
        defect = question["defect"]
        if relevant.defects[question["id"]] is False \
                or evaluate(defect["when"], relevant.answers, facts, None, context) is not True:
            continue
        found.append({
            "check_item": defect["check_item"],
            "question_id": question["id"],
            "severity": _resolve(defect["severity"], relevant.answers, facts, context),
            "class": _resolve(defect["class"], relevant.answers, facts, context),
            "responsible_unit": _resolve(defect["responsible_unit"], relevant.answers, facts, context),
            "suggestion": defect["suggestion"],
            "difficulty": _resolve(defect.get("difficulty"), relevant.answers, facts, context),
            "location": relevant.answers.get(defect["location"]) if "location" in defect else None,
            "photos": (relevant.answers.get(defect["photos"]) or []) if "photos" in defect else [],
        })
    return found


def counts(form, answers, facts, context=None):
    """Whether the building counts for the form's indicator (its counts_if holds and the form applies)."""
    if not applies(form, facts):
        return False
    relevant = relevance(form, answers, facts, context)
    return evaluate(form.counts_if, relevant.answers, facts, relevant.defects, context) is True


def measure_value(form, answers, facts, context=None):
    """What the building adds to an indicator not counted in buildings (e.g. 5: 套 without their own
    kitchen or toilet): the form's measure on the answers asked, a number, or None when the form has no
    measure, does not apply, or the answers do not give a number (e.g. not yet answered)."""
    if form.measure is None or not applies(form, facts):
        return None
    relevant = relevance(form, answers, facts, context)
    value = evaluate(form.measure, relevant.answers, facts, None, context)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def follow_ups(form, answers, facts, context=None):
    """The answers that ask for someone else's look, e.g. 需专业机构评估: [{question_id, reason}] in form
    order, from questions asked whose `follow_up.when` holds. They never count by themselves; the server
    keeps them on the submission (Submission.follow_ups) for whoever routes them."""
    if not applies(form, facts):
        return []
    relevant = relevance(form, answers, facts, context)
    return [{"question_id": q["id"], "reason": q["follow_up"]["reason"]}
            for q in form.questions if "follow_up" in q and q["id"] in relevant.question_ids
            and evaluate(q["follow_up"]["when"], relevant.answers, facts, None, context) is True]


def _resolve(graded, answers, facts, context=None):
    """A graded value: a fixed value, or the first case whose `when` holds (the last case is the default)."""
    if not isinstance(graded, list):
        return graded
    for case in graded[:-1]:
        if evaluate(case["when"], answers, facts, None, context) is True:
            return case["value"]
    return graded[-1]["value"]


def check_item_question(form, *, question_id=None, check_item=None):
    """The defect question of a form named by its id or by its check item's text; None if absent."""
    for question in form.defect_questions:
        if question["id"] == question_id or question["defect"]["check_item"] == check_item:
            return question
    return None


def reported_defect(form, question, facts, context=None):
    """The defect a check item stands for when it is reported on its own, outside a full form:
    graded values resolve against the building's facts alone, so they take their default
    unless a fact decides them (e.g. who is responsible where there is no property company)."""
    defect = question["defect"]
    return {
        "check_item": defect["check_item"],
        "question_id": question["id"],
        "severity": _resolve(defect["severity"], {}, facts, context),
        "class": _resolve(defect["class"], {}, facts, context),
        "responsible_unit": _resolve(defect["responsible_unit"], {}, facts, context),
        "suggestion": defect["suggestion"],
        "difficulty": _resolve(defect.get("difficulty"), {}, facts, context),
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
