"""Checks of a form document that need the whole form: unique ids, well-formed rules, references.

Run after the schema check, so the document has the right shape. Ordering rules keep relevance
computable in one pass, in document order (the PWA does the same):
- a section's or question's `relevant` may refer only to questions (and their defects) that come before it;
- a defect's `when` may refer only to its own question and earlier ones.
"""
from forms.errors import RuleError
from forms.rules import check_rule


def form_problems(document, settings=()):
    """[(field path, message)] for everything wrong with a shape-valid form document.

    `settings`: the names of the system's settings, which `{"setting": name}` may read."""
    return _FormCheck(document, settings).problems


class _FormCheck:
    def __init__(self, document, settings=()):
        self.problems = []
        self.settings = frozenset(settings)
        self.questions = {}  # id -> (path, question)
        self.check_unique_ids(document["sections"])
        self.all_ids = set(self.questions)
        self.all_defects = {qid for qid, (_, q) in self.questions.items() if "defect" in q}
        self.rule(document, "applies_if", "applies_if", None)
        self.rule(document, "prescreen", "prescreen", None)
        self.rule(document, "prescreen_uncertain", "prescreen_uncertain", None)
        self.rule(document, "counts_if", "counts_if", self.all_ids, self.all_defects)
        self.rule(document, "measure", "measure", self.all_ids, condition="number")
        self.check_sections(document["sections"])

    def check_unique_ids(self, sections):
        first_seen = {}
        for s, section in enumerate(sections):
            self.unique(first_seen, section["id"], f"sections[{s}]")
            for q, question in enumerate(section["questions"]):
                path = f"sections[{s}].questions[{q}]"
                self.unique(first_seen, question["id"], path)
                self.questions.setdefault(question["id"], (path, question))

    def unique(self, first_seen, element_id, path):
        if element_id in first_seen:
            self.problems.append((f"{path}.id", f"duplicate id {element_id!r} (first at {first_seen[element_id]})"))
        else:
            first_seen[element_id] = path

    def check_sections(self, sections):
        earlier, earlier_defects = [], []
        for s, section in enumerate(sections):
            self.rule(section, "relevant", f"sections[{s}].relevant", earlier, earlier_defects, earlier_only=True)
            for q, question in enumerate(section["questions"]):
                path = f"sections[{s}].questions[{q}]"
                self.rule(question, "relevant", f"{path}.relevant", earlier, earlier_defects, earlier_only=True)
                if not isinstance(question.get("required", False), bool):
                    self.rule(question, "required", f"{path}.required", self.all_ids, self.all_defects)
                self.rule(question, "constraint", f"{path}.constraint", self.all_ids, self.all_defects)
                earlier.append(question["id"])
                if "defect" in question:
                    self.check_defect(question["defect"], f"{path}.defect", earlier)
                    earlier_defects.append(question["id"])
                if "follow_up" in question:
                    self.rule(question["follow_up"], "when", f"{path}.follow_up.when", earlier, earlier_only=True)

    def check_defect(self, defect, path, earlier):
        self.rule(defect, "when", f"{path}.when", earlier, earlier_only=True)
        for key in ("severity", "class", "responsible_unit", "difficulty"):
            cases = defect.get(key)
            if isinstance(cases, list):
                for i, case in enumerate(cases[:-1]):
                    self.rule(case, "when", f"{path}.{key}[{i}].when", self.all_ids)
        for key, kind in (("photos", "photos"), ("location", "location")):
            if key in defect:
                self.reference(defect[key], kind, f"{path}.{key}")

    def reference(self, qid, kind, path):
        found = self.questions.get(qid)
        if found is None:
            self.problems.append((path, f"unknown question {qid!r}"))
        elif found[1]["type"] != kind:
            self.problems.append((path, f"question {qid!r} is not of type {kind!r}"))

    def rule(self, holder, key, path, question_ids, defect_ids=None, earlier_only=False, condition=True):
        if key not in holder:
            return
        try:
            check_rule(holder[key], question_ids, path, defect_ids=defect_ids, condition=condition,
                       settings=self.settings)
        except RuleError as error:
            problem = error.problem
            if earlier_only and ("unknown question" in problem or "not a question with a defect" in problem):
                problem += " (only earlier questions may be referred to here)"
            self.problems.append((error.path, problem))
