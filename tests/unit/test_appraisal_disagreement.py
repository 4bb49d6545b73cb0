"""The plain rule of when a field observation disagrees with the governing appraisal."""
import pytest

from server.appraisals.disagreement import disagrees


@pytest.mark.parametrize("counts, conclusion", [(True, "no_hazard"), (False, "hazard")])
def test_observation_contradicting_the_appraisal_disagrees(counts, conclusion):
    assert disagrees(counts, conclusion) is True


@pytest.mark.parametrize("counts, conclusion", [(True, "hazard"), (False, "no_hazard")])
def test_observation_matching_the_appraisal_agrees(counts, conclusion):
    assert disagrees(counts, conclusion) is False


def test_without_an_appraisal_nothing_disagrees():
    assert disagrees(True, None) is False

