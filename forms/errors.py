"""Exceptions raised by the forms package.

Each lookup error carries a stable `code` so the server's error catalogue can map it without string matching.
"""


class RuleError(ValueError):
    """A rule is malformed: `path` locates the offending part, `problem` says what is wrong."""

    def __init__(self, path, problem):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class FormDefinitionError(ValueError):
    """A form or system file is invalid. One line per problem: "<file>: <field path>: <message>"."""

    def __init__(self, file, problems):
        self.file = str(file)
        self.problems = list(problems)  # [(field_path, message)]
        super().__init__("\n".join(_line(self.file, path, message) for path, message in self.problems))


def _line(file, path, message):
    return f"{file}: {path}: {message}" if path else f"{file}: {message}"


class FormLookupError(LookupError):
    code = "form.lookup"


class UnknownSystemError(FormLookupError):
    code = "form_system.unknown"


class UnknownFormError(FormLookupError):
    """No form has this id, or this id has no such version."""

    code = "form.unknown"


class RetiredFormError(FormLookupError):
    """The form version exists but was retired (or every version of the id was)."""

    code = "form.retired"
