"""The plain rule of when a field observation disagrees with the governing appraisal."""
import pytest

from server.appraisals.disagreement import disagrees


@pytest.mark.parametrize("counts, conclusion", [(True, "no_hazard"), (False, "hazard")])
def test_observation_contradicting_the_appraisal_disagrees(counts, conclusion):
    assert disagrees(1, counts, conclusion) is True


@pytest.mark.parametrize("counts, conclusion", [(True, "hazard"), (False, "no_hazard")])
def test_observation_matching_the_appraisal_agrees(counts, conclusion):
    assert disagrees(2, counts, conclusion) is False


def test_without_an_appraisal_nothing_disagrees():
    assert disagrees(1, True, None) is False


def test_indicators_not_governed_by_appraisals_never_disagree():
    assert disagrees(3, True, "no_hazard") is False
