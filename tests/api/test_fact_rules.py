"""A form's building-fact rule as SQL (server/ledger/fact_rules.py) says what forms.rules says,
building by building: for the shipped forms' applies_if and for random rules over random facts,
unknown (NULL) facts included, on SQLite and PostgreSQL alike."""
import random

import pytest
from sqlalchemy import select

from forms import evaluate
from forms.errors import RuleError
from server.catalog import form_registry
from server.extensions import db
from server.buildings.models import Building
from server.ledger.fact_rules import applies_condition

CHOICES = {"structure_type": ["masonry", "concrete", "steel", None],
           "gas_supply": ["pipeline", "bottled", "none", None],
           "appraisal_grade": ["A", "B", "C", "D", None]}
NUMBERS = {"year_built": [1975, 1980, 1999, 2000, 2008, None], "build_era": [1, 3, 4, 6, None],
           "floors_above": [2, 6, 10, 18, None], "floors_below": [0, 1, None]}
BOOLEANS = ["has_elevator", "precast_slabs", "seismic_reinforced"]


@pytest.fixture
def random_buildings(make_estate, make_property_company, make_building):
    rng = random.Random(7)
    estates = [make_estate(name="有物业", property_company=make_property_company()),
               make_estate(name="无物业")]
    buildings = []
    for n in range(60):
        facts = {name: rng.choice(values) for name, values in {**CHOICES, **NUMBERS}.items()}
        facts.update({name: rng.choice([True, False, None]) for name in BOOLEANS})
        buildings.append(make_building(estate=rng.choice(estates), number=f"{n}#", **facts))
    db.session.commit()
    return buildings


def random_rule(rng, depth=0):
    """A facts-only condition of the rule language, every operator applies_if may use."""
    kind = rng.choice(["compare", "compare", "in", "between", "null"] +
                      (["all", "any", "not"] if depth < 3 else []))
    if kind in ("all", "any"):
        return {kind: [random_rule(rng, depth + 1) for _ in range(rng.randint(0, 3))]}
    if kind == "not":
        return {"not": random_rule(rng, depth + 1)}
    if kind == "null":
        return {rng.choice(["==", "!="]): [{"fact": rng.choice([*NUMBERS, *CHOICES, *BOOLEANS])},
                                           None]}
    if kind == "between":
        fact = rng.choice(list(NUMBERS))
        low = rng.choice([v for v in NUMBERS[fact] if v is not None])
        return {"between": [{"fact": fact}, low, low + rng.randint(0, 20)]}
    if kind == "in":
        fact = rng.choice([*CHOICES, *NUMBERS])
        pool = CHOICES.get(fact) or NUMBERS[fact]
        return {"in": [{"fact": fact}, rng.sample([v for v in pool if v is not None] + [True], 2)]}
    fact = rng.choice([*NUMBERS, *CHOICES, *BOOLEANS, "has_property_management"])
    literal = rng.choice(NUMBERS.get(fact) or CHOICES.get(fact) or [True, False]) \
        if rng.random() < 0.8 else rng.choice([1, "1", True, 2000.0])
    return {rng.choice(["==", "!=", "<", "<=", ">", ">="]): [{"fact": fact}, literal]}


def python_says(rule, buildings) -> set[int]:
    return {b.id for b in buildings if evaluate(rule, {}, b.facts()) is True}


def applying(rule):
    """The ids of the buildings the rule applies to, by the SQL translation."""
    return select(Building.id).where(applies_condition(rule))


def sql_says(rule) -> set[int]:
    return set(db.session.scalars(applying(rule)))


def test_the_shipped_forms_applies_if_mean_the_same_in_sql(random_buildings):
    rules = [f.applies_if for f in form_registry().forms("2024") if f.applies_if is not None]
    assert rules  # 燃气 and 节能 have one
    for rule in rules:
        assert sql_says(rule) == python_says(rule, random_buildings), rule


@pytest.mark.parametrize("seed", range(4))
def test_random_fact_rules_mean_the_same_in_sql(seed, random_buildings):
    rng = random.Random(seed)
    for _ in range(40):
        rule = random_rule(rng)
        assert sql_says(rule) == python_says(rule, random_buildings), rule


def test_a_rule_that_reads_answers_is_refused():
    with pytest.raises(RuleError):
        applying({"==": [{"answer": "q"}, True]})
