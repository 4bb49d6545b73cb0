"""A form's building-fact rule (its applies_if) as a SQL condition on buildings, so a county's
不适用 is counted by the database instead of evaluating the rule for every building in Python.

The translation keeps forms.rules' semantics exactly (a test compares the two on random facts):
a comparison with an unknown (NULL) fact is false, never NULL, so `not` and `!=` mean what they
mean in Python; ordering is defined on numbers only; equality never holds across types (a
boolean is not the number 1). Only facts may appear: applies_if cannot see answers or defects.
"""
from sqlalchemy import Boolean, and_, exists, false, func, literal, not_, or_, true

from forms.facts import FACTS
from forms.errors import RuleError
from server.buildings.models import Building, Estate

NUMBER, BOOLEAN, TEXT = "number", "boolean", "text"
FACT_KINDS = {"integer": NUMBER, "boolean": BOOLEAN, "string": TEXT, "choice": TEXT}
ORDERING = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def _fact_column(name: str):
    if name == "has_property_management":
        return exists().where(Estate.id == Building.estate_id,
                              Estate.property_company_id.is_not(None))
    return getattr(Building, name)


class _Value:
    """An operand: a SQL expression, its kind, and whether it is a NULL literal."""

    def __init__(self, sql, kind, is_null=False):
        self.sql, self.kind, self.is_null = sql, kind, is_null


def applies_condition(rule):
    """The SQL condition (never NULL) for a facts-only rule; true() for no rule."""
    return true() if rule is None else _condition(rule)


def _condition(expr):
    if isinstance(expr, bool):
        return true() if expr else false()
    if not isinstance(expr, dict):
        return false()  # a number, a string or null is not the boolean true
    (op, arg), = expr.items()
    if op == "all":
        return and_(true(), *[_condition(c) for c in arg])
    if op == "any":
        return or_(false(), *[_condition(c) for c in arg])
    if op == "not":
        return not_(_condition(arg))
    if op in ("==", "!="):
        same = _equals(_value(arg[0]), _value(arg[1]))
        return same if op == "==" else not_(same)
    if op in ORDERING:
        return _ordered(op, _value(arg[0]), _value(arg[1]))
    if op == "between":
        x, low, high = (_value(a) for a in arg)
        return and_(_ordered(">=", x, low), _ordered("<=", x, high))
    if op == "in":
        return _in(_value(arg[0]), arg[1])
    if op == "contains":
        return false()  # facts are never lists
    if op in ("fact", "count"):
        return false()  # a value, not a condition
    raise RuleError("applies_if", f"{op!r} cannot be counted in SQL: building facts only")


def _value(expr) -> _Value:
    if expr is None:
        return _Value(None, None, is_null=True)
    if isinstance(expr, bool):
        return _Value(literal(expr, Boolean), BOOLEAN)
    if isinstance(expr, (int, float)):
        return _Value(literal(expr), NUMBER)
    if isinstance(expr, str):
        return _Value(literal(expr), TEXT)
    (op, arg), = expr.items()
    if op == "fact":
        return _Value(_fact_column(arg), FACT_KINDS[FACTS[arg].type])
    if op == "count":
        return _Value(literal(0), NUMBER)  # facts are never lists
    return _Value(_condition(expr), BOOLEAN)


def _equals(a: _Value, b: _Value):
    if a.is_null or b.is_null:
        other = b if a.is_null else a
        return true() if other.is_null else other.sql.is_(None)
    if a.kind != b.kind:
        return false()
    return a.sql.is_not_distinct_from(b.sql)


def _ordered(op, a: _Value, b: _Value):
    if a.is_null or b.is_null or a.kind != NUMBER or b.kind != NUMBER:
        return false()
    return func.coalesce(getattr(a.sql, ORDERING[op])(b.sql), false())


def _in(needle: _Value, values):
    if needle.is_null:
        return false()
    alike = [v for v in values if v is not None and _kind_of(v) == needle.kind]
    if not alike:
        return false()
    return func.coalesce(needle.sql.in_(alike), false())


def _kind_of(value):
    if isinstance(value, bool):
        return BOOLEAN
    return NUMBER if isinstance(value, (int, float)) else TEXT
