"""Building facts: the census build-era codes and the facts dict check."""
import pytest

from forms import FACTS, build_era, validate_facts


@pytest.mark.parametrize("year, era", [(1950, 1), (1980, 1), (1981, 2), (1990, 2), (1991, 3), (2000, 3), (2001, 4),
                                       (2010, 4), (2011, 5), (2015, 5), (2016, 6), (2024, 6), (None, None)])
def test_build_era_follows_the_census_codes(year, era):
    assert build_era(year) == era


def test_facts_vocabulary_is_the_agreed_one():
    assert set(FACTS) == {"year_built", "build_era", "structure_type", "structure_subtype", "precast_slabs",
                          "seismic_reinforced", "reinforced_year", "appraisal_grade", "floors_above", "floors_below",
                          "units", "households", "has_elevator", "gas_supply", "has_property_management",
                          "visible_damage"}


def test_well_formed_facts_have_no_problems():
    facts = {"year_built": 1985, "build_era": 2, "structure_type": "masonry", "structure_subtype": "砖混",
             "precast_slabs": True, "seismic_reinforced": None, "appraisal_grade": "B", "floors_above": 6,
             "has_elevator": False, "gas_supply": "pipeline"}
    assert validate_facts(facts) == {}


@pytest.mark.parametrize("name, value", [("floors_above", True), ("floors_above", "6"), ("build_era", 7),
                                         ("structure_type", "brick"), ("has_elevator", 1), ("gas_supply", "coal")])
def test_badly_typed_fact_is_reported(name, value):
    assert list(validate_facts({name: value})) == [name]


def test_unknown_fact_is_reported():
    assert validate_facts({"storeys": 6}) == {"storeys": ["未知的楼栋属性"]}
