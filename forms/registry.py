"""Loaded systems and forms, and lookup of form versions. Built by forms.loader, which validates first."""
from collections import defaultdict

from forms.errors import RetiredFormError, UnknownFormError, UnknownSystemError
from forms.rules import rule_context


class Form:
    """One version of one form. `document` is the JSON exactly as read: return it through an API as is,
    never mutate it."""

    def __init__(self, document, path):
        self.document = document
        self.path = str(path)
        self.questions = [q for section in document["sections"] for q in section["questions"]]
        self._questions_by_id = {q["id"]: q for q in self.questions}

    def __repr__(self):
        return f"<Form {self.id} v{self.version}{' retired' if self.retired else ''}>"

    id = property(lambda self: self.document["id"])
    version = property(lambda self: self.document["version"])
    system = property(lambda self: self.document["system"])
    indicator = property(lambda self: self.document["indicator"])
    title = property(lambda self: self.document["title"])
    retired = property(lambda self: self.document.get("retired", False))
    sections = property(lambda self: self.document["sections"])
    applies_if = property(lambda self: self.document.get("applies_if"))
    prescreen_rule = property(lambda self: self.document.get("prescreen"))
    prescreen_uncertain_rule = property(lambda self: self.document.get("prescreen_uncertain"))
    counts_if = property(lambda self: self.document["counts_if"])
    measure = property(lambda self: self.document.get("measure"))

    @property
    def question_ids(self):
        return list(self._questions_by_id)

    def question(self, question_id):
        """The question dict; KeyError for an id the form does not have."""
        return self._questions_by_id[question_id]

    def has_question(self, question_id):
        return question_id in self._questions_by_id

    @property
    def defect_questions(self):
        return [q for q in self.questions if "defect" in q]

    @property
    def check_items(self):
        return [q["defect"]["check_item"] for q in self.defect_questions]


class System:
    """An indicator system of one survey round (e.g. "2024"); `document` is system.json as read."""

    def __init__(self, document, path):
        self.document = document
        self.path = str(path)

    def __repr__(self):
        return f"<System {self.code}>"

    code = property(lambda self: self.document["code"])
    title = property(lambda self: self.document["title"])
    indicators = property(lambda self: self.document["indicators"])
    previous = property(lambda self: self.document.get("previous"))
    discontinued = property(lambda self: self.document.get("discontinued", []))

    @property
    def settings(self):
        """{name: value} of the system's settings (a bureau may change a value in system.json)."""
        return {name: setting["value"] for name, setting in self.document.get("settings", {}).items()}

    def rule_context(self, round_year):
        """The context the rules of this system's forms are evaluated in, for a round of that year."""
        return rule_context(round_year, self.settings)

    @property
    def appraised(self):
        """{number: its `appraisal` declaration} of the indicators professional agencies appraise."""
        return {i["number"]: i["appraisal"] for i in self.indicators if "appraisal" in i}

    def indicator(self, number):
        """The indicator dict with this number; KeyError if the system has none."""
        for indicator in self.indicators:
            if indicator["number"] == number:
                return indicator
        raise KeyError(number)

    def continuing(self, previous_number):
        """The indicator of this system that takes over the previous system's indicator
        `previous_number` (its open problems are followed up under it), and None; or None and the
        reason the previous indicator was discontinued. (None, None) for a number the previous
        system's mapping does not name."""
        for indicator in self.indicators:
            if previous_number in indicator.get("continues", []):
                return indicator, None
        reason = next((entry["reason"] for entry in self.discontinued
                       if entry["number"] == previous_number), None)
        return None, reason


class Registry:
    def __init__(self, systems, forms):
        self.systems = {system.code: system for system in systems}
        self._versions = defaultdict(dict)  # form id -> {version: Form}
        for form in forms:
            self._versions[form.id][form.version] = form

    def system(self, code):
        try:
            return self.systems[code]
        except KeyError:
            raise UnknownSystemError(f"unknown indicator system {code!r}") from None

    def forms(self, system_code):
        """The current version of every form of the system, ordered by indicator."""
        self.system(system_code)
        current = (self.current(form_id) for form_id in self._versions)
        return sorted((f for f in current if f is not None and f.system == system_code), key=lambda f: f.indicator)

    def versions(self, form_id):
        """Every loaded version of the form, retired ones included, oldest first; [] for an unknown id."""
        return [self._versions[form_id][v] for v in sorted(self._versions.get(form_id, {}))]

    def current(self, form_id):
        """The highest non-retired version, or None (unknown id, or every version retired)."""
        live = [form for form in self.versions(form_id) if not form.retired]
        return live[-1] if live else None

    def get(self, form_id, version=None, *, include_retired=False):
        """The given version (the current one if None).

        Raises UnknownFormError for an id or version never defined, and RetiredFormError for a retired
        version (unless include_retired) or an id whose versions are all retired.
        """
        versions = self._versions.get(form_id)
        if not versions:
            raise UnknownFormError(f"unknown form {form_id!r}")
        if version is None:
            form = self.current(form_id)
            if form is None:
                raise RetiredFormError(f"every version of form {form_id!r} is retired")
            return form
        form = versions.get(version) if isinstance(version, int) and not isinstance(version, bool) else None
        if form is None:
            raise UnknownFormError(f"form {form_id!r} has no version {version!r}")
        if form.retired and not include_retired:
            raise RetiredFormError(f"form {form_id!r} version {version} is retired")
        return form
