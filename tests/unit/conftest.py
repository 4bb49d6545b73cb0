"""Fixtures for the forms' plain-Python tests: the 2024 forms as loaded, and building facts."""
import pytest

from forms import FORMS_ROOT, load_all


@pytest.fixture(scope="session")
def registry():
    return load_all(FORMS_ROOT)


@pytest.fixture
def make_facts():
    """Facts of a 1985 six-storey masonry building, unless overridden."""
    def make(**overrides):
        facts = {"year_built": 1985, "build_era": 2, "structure_type": "masonry",
                 "precast_slabs": False, "seismic_reinforced": False, "floors_above": 6,
                 "floors_below": 0, "units": 2, "households": 24, "has_elevator": False,
                 "gas_supply": "pipeline", "has_property_management": True}
        facts.update(overrides)
        return facts
    return make
