"""The one rule for a building's current status per indicator (sync.status)."""
from datetime import date, datetime, timedelta, timezone

from sync.status import Appraisal, Observation, current_status

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)


def observation(name, counts, minutes=0, order=1, statuses=(), captured=True):
    return Observation(name, counts, T0 + timedelta(minutes=minutes) if captured else None,
                       order, tuple(statuses))


def test_no_observation_means_not_surveyed():
    status = current_status(3, [])
    assert (status.counts, status.source, status.label) == (None, "none", "未调查")


def test_latest_observation_by_capture_time_wins():
    status = current_status(3, [observation("later", False, minutes=30, order=1),
                                observation("earlier", True, minutes=0, order=2)])
    assert (status.counts, status.basis) == (False, "later")


def test_receipt_order_breaks_a_capture_time_tie():
    status = current_status(3, [observation("first", True, order=1),
                                observation("second", False, order=2)])
    assert status.basis == "second"


def test_observation_without_capture_time_counts_as_older():
    status = current_status(3, [observation("timed", True, order=1),
                                observation("untimed", False, order=2, captured=False)])
    assert status.basis == "timed"


def test_disagreeing_observations_are_flagged_and_both_counted():
    status = current_status(3, [observation("a", True), observation("b", False, minutes=5)])
    assert status.disagreement is True
    assert status.observations == 2


def test_reviewer_confirmation_overrides_a_later_clear_observation():
    status = current_status(3, [observation("confirmed", True, statuses=["accepted"]),
                                observation("clear", False, minutes=60)])
    assert (status.counts, status.source, status.basis) == (True, "review", "confirmed")


def test_appraisal_governs_structure_and_gas():
    clear_field = [observation("field", False)]
    hazard = [Appraisal(7, True, date(2024, 7, 2), 1)]
    for indicator in (1, 2):
        status = current_status(indicator, clear_field, hazard)
        assert (status.counts, status.source, status.basis) == (True, "appraisal", "7")


def test_field_finding_contradicting_the_appraisal_is_flagged():
    status = current_status(1, [observation("field", False)],
                            [Appraisal(7, True, date(2024, 7, 2), 1)])
    assert status.disagreement is True


def test_latest_appraisal_governs():
    status = current_status(2, [], [Appraisal(1, True, date(2024, 5, 1), 1),
                                    Appraisal(2, False, date(2024, 8, 1), 2)])
    assert (status.counts, status.basis) == (False, "2")


def test_appraisal_does_not_govern_other_indicators():
    status = current_status(3, [observation("field", False)],
                            [Appraisal(1, True, date(2024, 5, 1), 1)])
    assert status.source == "observation"


def test_review_outranks_appraisal():
    status = current_status(1, [observation("field", True, statuses=["accepted"])],
                            [Appraisal(1, False, date(2024, 8, 1), 1)])
    assert status.source == "review"


def test_sent_back_latest_observation_needs_resurvey():
    status = current_status(3, [observation("field", True, statuses=["returned"])])
    assert status.needs_resurvey is True
    assert status.source == "observation"
