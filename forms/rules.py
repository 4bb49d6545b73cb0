"""The rule language of Loujian forms: small JSON expressions, evaluated the same way here and in the PWA.

An expression is a literal (number, string, true/false, null) or an object with exactly one operator key:

    {"answer": "q"}          the answer to question q (null if absent)
    {"fact": "f"}            building fact f (null if absent); f must be in forms.facts.FACTS
    {"answered": "q"}        q's answer is present and not null, "" or []
    {"all": [c...]}          every condition true (true for [])
    {"any": [c...]}          some condition true (false for [])
    {"not": c}
    {"==": [a, b]}  {"!=": [a, b]}  {"<": [a, b]}  {"<=": [a, b]}  {">": [a, b]}  {">=": [a, b]}
    {"between": [x, lo, hi]} lo <= x <= hi
    {"in": [x, [v...]]}      x equals one of the literal values (the only place a list may appear)
    {"contains": [l, v]}     list l (e.g. a multiple-choice answer) has an element equal to v
    {"count": l}             length of list l; 0 for anything that is not a list
    {"defect": "q"}          the defect carried by question q is present (needs the `defects` context)
    {"any_defect": true}     some defect of the form is present (needs the `defects` context)
    {"+": [a, b, ...]}  {"*": [a, b, ...]}  {"-": [a, b]}
                             arithmetic on numbers; any operand that is not a number makes it null
    {"round_year": true}     the year of the survey round the rule is evaluated for (null if unknown)
    {"setting": "s"}         setting s of the indicator system (system.json `settings`), null if absent

`context` is {"round_year": int, "settings": {name: number}}: what the survey round and its indicator
system give every rule. Rules on facts only (applies_if, prescreen) may not use arithmetic, round_year or
setting: they are counted in SQL per building and evaluated where no round is known.

Semantics (pinned by forms/rule_vectors.json, which the JavaScript port must also pass):
- Equality: null equals only null; booleans equal only the same boolean (true == 1 is false); numbers compare
  as IEEE doubles (3 == 3.0); strings equal only identical strings; lists and objects never equal anything.
  "!=" is exactly not "==".
- Ordering (<, <=, >, >=, between) is defined on numbers only; any other operand makes it false.
- "in" and "contains" use the equality above; a null needle is never found.
- Arithmetic computes as IEEE doubles (as JavaScript does); a result that is not finite is null, and an
  integral result is the integer (32.0 is 32).
- A condition is true only when it evaluates to the boolean true.
- Statically (check_rule) a condition must be an expression that yields a boolean: answers and facts may be
  null, so they are never conditions on their own; compare them ({"==": [{"answer": "q"}, true]}).
Evaluation never raises because of answer or fact values; a malformed rule raises RuleError.
"""
import math

from forms.errors import RuleError
from forms.facts import FACTS

_BOOLEAN = "boolean"
_VALUE = "value"
_ORDERING = ("<", "<=", ">", ">=")
_EQUALITY = ("==", "!=")
_ARITHMETIC = ("+", "-", "*")
ROUND_OPERATORS = ("round_year", "setting")  # read the context: a survey round and its system
OPERATORS = ("answer", "fact", "answered", "all", "any", "not", *_EQUALITY, *_ORDERING,
             "between", "in", "contains", "count", "defect", "any_defect", *_ARITHMETIC, *ROUND_OPERATORS)
_SAFE_INTEGER = 2 ** 53


def evaluate(rule, answers, facts, defects=None, context=None):
    """The value of `rule` given answers {question id: value} and facts {fact name: value}.

    `defects` maps question ids to their defect's `when` rule (or False); it is what {"defect": q} and
    {"any_defect": true} look at. Defect rules are evaluated without a defects context, so they cannot recurse.
    `context` is {"round_year": int, "settings": {name: number}} (see the module docstring); None: unknown.
    """
    return _Evaluation(answers, facts, defects, context)(rule)


def rule_context(round_year=None, settings=None):
    """The context a survey round gives its rules: its year and its indicator system's settings."""
    return {"round_year": round_year, "settings": dict(settings or {})}


def is_answered(value):
    return value is not None and value != "" and value != []


def equals(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return _as_double(a) == _as_double(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_double(number):
    """The number as JavaScript sees it: ints beyond 2**53 round, huge ints become ±Infinity."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _ordered(op, a, b):
    if not (_is_number(a) and _is_number(b)):
        return False
    a, b = _as_double(a), _as_double(b)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _number_or_null(value):
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) <= _SAFE_INTEGER else value


def _arithmetic(op, values):
    if not values or not all(_is_number(v) for v in values):
        return None
    numbers = [_as_double(v) for v in values]
    result = numbers[0]
    for number in numbers[1:]:
        result = result + number if op == "+" else result - number if op == "-" else result * number
    return _number_or_null(result)


class _Evaluation:
    def __init__(self, answers, facts, defects, context=None):
        self.answers = answers if isinstance(answers, dict) else {}
        self.facts = facts if isinstance(facts, dict) else {}
        self.defects = defects if isinstance(defects, dict) else {}
        self.context = context if isinstance(context, dict) else {}

    def __call__(self, expr):
        if expr is None or isinstance(expr, (bool, int, float, str)):
            return expr
        op, arg = _operator(expr, "rule")
        return getattr(self, _METHODS[op])(op, arg)

    def condition(self, expr):
        return self(expr) is True

    def answer(self, op, qid):
        return self.answers.get(qid)

    def fact(self, op, name):
        return self.facts.get(name)

    def answered(self, op, qid):
        return is_answered(self.answers.get(qid))

    def all(self, op, conditions):
        return all(self.condition(c) for c in conditions)

    def any(self, op, conditions):
        return any(self.condition(c) for c in conditions)

    def not_(self, op, condition):
        return not self.condition(condition)

    def equality(self, op, args):
        same = equals(self(args[0]), self(args[1]))
        return same if op == "==" else not same

    def ordering(self, op, args):
        return _ordered(op, self(args[0]), self(args[1]))

    def between(self, op, args):
        x, low, high = (self(a) for a in args)
        return _ordered(">=", x, low) and _ordered("<=", x, high)

    def in_(self, op, args):
        needle = self(args[0])
        return needle is not None and any(equals(needle, v) for v in args[1])

    def contains(self, op, args):
        haystack, needle = self(args[0]), self(args[1])
        return isinstance(haystack, list) and needle is not None and any(equals(e, needle) for e in haystack)

    def count(self, op, expr):
        value = self(expr)
        return len(value) if isinstance(value, list) else 0

    def defect(self, op, qid):
        return _Evaluation(self.answers, self.facts, None, self.context).condition(self.defects.get(qid, False))

    def any_defect(self, op, arg):
        return any(self.defect("defect", qid) for qid in self.defects)

    def arithmetic(self, op, args):
        return _arithmetic(op, [self(a) for a in args])

    def round_year(self, op, arg):
        year = self.context.get("round_year")
        return year if _is_number(year) else None

    def setting(self, op, name):
        settings = self.context.get("settings")
        value = settings.get(name) if isinstance(settings, dict) and isinstance(name, str) else None
        return value if _is_number(value) else None


_METHODS = {
    "answer": "answer", "fact": "fact", "answered": "answered", "all": "all", "any": "any", "not": "not_",
    **{op: "equality" for op in _EQUALITY}, **{op: "ordering" for op in _ORDERING},
    "between": "between", "in": "in_", "contains": "contains", "count": "count",
    "defect": "defect", "any_defect": "any_defect", **{op: "arithmetic" for op in _ARITHMETIC},
    "round_year": "round_year", "setting": "setting",
}


def _operator(expr, path):
    if isinstance(expr, list):
        raise RuleError(path, "a list may only be the second argument of 'in'")
    if not isinstance(expr, dict) or len(expr) != 1:
        raise RuleError(path, "an expression is a literal or an object with exactly one operator")
    (op, arg), = expr.items()
    if op not in _METHODS:
        raise RuleError(path, f"unknown operator {op!r}")
    return op, arg


def check_rule(rule, question_ids, where, *, defect_ids=None, condition=True, settings=()):
    """Raise RuleError (message "<where>[.<path in rule>]: <problem>") unless `rule` is well-formed.

    question_ids: the questions `answer`/`answered` may name; None: the rule sees building facts only
    (and then no arithmetic, round_year or setting either: see the module docstring).
    defect_ids: the questions `defect` may name; None forbids `defect` and `any_defect`.
    condition: the rule must yield a boolean (true for every rule a form uses as a condition);
    False: any value; "number": a value that can be a number (a measure).
    settings: the setting names `setting` may name (the system's settings).
    """
    checker = _Checker(question_ids, defect_ids, settings)
    if condition == "number":
        checker.number(rule, where)
    else:
        checker.check(rule, where, condition)


class _Checker:
    def __init__(self, question_ids, defect_ids, settings=()):
        self.question_ids = None if question_ids is None else frozenset(question_ids)
        self.defect_ids = None if defect_ids is None else frozenset(defect_ids)
        self.settings = frozenset(settings or ())

    def check(self, expr, path, condition=False):
        kind = self.kind(expr, path)
        if condition and kind != _BOOLEAN:
            raise RuleError(path, f"a condition must yield true or false, not {_describe(expr)}; "
                            "compare it, e.g. {\"==\": [..., true]}")
        return kind

    def number(self, expr, path):
        numeric = _is_number(expr) or isinstance(expr, dict) and len(expr) == 1 and next(iter(expr)) in (
            "answer", "fact", "count", *_ARITHMETIC, *ROUND_OPERATORS)
        if not numeric:
            raise RuleError(path, f"must yield a number, not {_describe(expr)}")
        self.check(expr, path)

    def kind(self, expr, path):
        if isinstance(expr, bool):
            return _BOOLEAN
        if isinstance(expr, float) and not math.isfinite(expr):
            raise RuleError(path, "numbers must be finite")
        if expr is None or isinstance(expr, (int, float, str)):
            return _VALUE
        op, arg = _operator(expr, path)
        where = f"{path}.{op}"
        if op in ("answer", "answered"):
            self.question(arg, where)
        elif op == "fact":
            if not isinstance(arg, str) or arg not in FACTS:
                raise RuleError(where, f"unknown fact {arg!r}")
        elif op in ("all", "any"):
            if not isinstance(arg, list):
                raise RuleError(where, "expects a list of conditions")
            for i, item in enumerate(arg):
                self.check(item, f"{where}[{i}]", condition=True)
        elif op == "not":
            self.check(arg, where, condition=True)
        elif op == "count":
            self.check(arg, where)
        elif op == "in":
            self.operands(arg, 2, where, checked=1)
            if not isinstance(arg[1], list) or any(isinstance(v, (list, dict)) for v in arg[1]):
                raise RuleError(f"{where}[1]", "expects a list of literal values")
        elif op in ("defect", "any_defect"):
            self.defect(op, arg, where)
        elif op in _ARITHMETIC or op in ROUND_OPERATORS:
            self.round_operator(op, arg, where)
        else:
            self.operands(arg, 3 if op == "between" else 2, where)
        return _VALUE if op in ("answer", "fact", "count", *_ARITHMETIC, *ROUND_OPERATORS) else _BOOLEAN

    def round_operator(self, op, arg, where):
        if self.question_ids is None:
            raise RuleError(where, "a rule on building facts only cannot use arithmetic, round_year or "
                            "setting (it is counted in SQL and evaluated without a survey round)")
        if op == "round_year":
            if arg is not True:
                raise RuleError(where, "expects true")
        elif op == "setting":
            if not isinstance(arg, str) or arg not in self.settings:
                raise RuleError(where, f"unknown setting {arg!r} (settings are declared in system.json)")
        elif op == "-":
            self.operands(arg, 2, where)
        else:
            if not isinstance(arg, list) or len(arg) < 2:
                raise RuleError(where, "expects a list of at least 2 operands")
            self.operands(arg, len(arg), where)

    def operands(self, arg, arity, where, checked=None):
        if not isinstance(arg, list) or len(arg) != arity:
            raise RuleError(where, f"expects a list of {arity} operands")
        for i, item in enumerate(arg[:checked]):
            self.check(item, f"{where}[{i}]")

    def question(self, qid, where):
        if self.question_ids is None:
            raise RuleError(where, "this rule sees building facts only, not answers")
        if not isinstance(qid, str) or qid not in self.question_ids:
            raise RuleError(where, f"unknown question {qid!r}")

    def defect(self, op, arg, where):
        if self.defect_ids is None:
            raise RuleError(where, "defects cannot be referred to here")
        if op == "any_defect" and arg is not True:
            raise RuleError(where, "expects true")
        if op == "defect" and (not isinstance(arg, str) or arg not in self.defect_ids):
            raise RuleError(where, f"{arg!r} is not a question with a defect")


def _describe(expr):
    if isinstance(expr, dict) and len(expr) == 1:
        return f"'{next(iter(expr))}'"
    return "a literal" if not isinstance(expr, (list, dict)) else "a list"
