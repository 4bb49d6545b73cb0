"""整改完成时限 and 问题整治完成率 as plain functions."""
from datetime import UTC, date, datetime

from sync.china_time import china_today
from sync.lifecycle import completion_rate, days_overdue, deadline_problem

TODAY = date(2025, 6, 10)


def test_china_today_turns_at_midnight_beijing_time_not_utc():
    assert china_today(datetime(2025, 6, 9, 15, 59, tzinfo=UTC)) == date(2025, 6, 9)
    assert china_today(datetime(2025, 6, 9, 16, 0, tzinfo=UTC)) == date(2025, 6, 10)


def test_a_problem_is_not_overdue_on_the_day_of_its_deadline():
    assert days_overdue("rectifying", TODAY, TODAY) == 0


def test_a_problem_past_its_deadline_is_overdue_by_whole_days():
    assert days_overdue("rectifying", date(2025, 6, 7), TODAY) == 3
    assert days_overdue("accepted", date(2025, 6, 9), TODAY) == 1


def test_a_rectified_or_verified_problem_is_never_overdue():
    for status in ("rectified", "verified", "pending", "returned"):
        assert days_overdue(status, date(2025, 1, 1), TODAY) == 0


def test_a_problem_without_deadline_is_not_overdue():
    assert days_overdue("rectifying", None, TODAY) == 0


def test_a_time_limited_problem_needs_a_deadline_a_best_effort_one_does_not():
    assert "须填写" in deadline_problem("限时解决", None, TODAY)
    assert deadline_problem("尽力解决", None, TODAY) is None


def test_a_deadline_in_the_past_is_refused_today_is_allowed():
    assert "不能早于今天" in deadline_problem("尽力解决", date(2025, 6, 9), TODAY)
    assert deadline_problem("限时解决", TODAY, TODAY) is None


def test_completion_rate_is_verified_over_confirmed_and_none_without_problems():
    assert completion_rate(1, 4) == 25.0
    assert completion_rate(0, 0) is None
