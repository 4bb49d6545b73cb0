"""The finding lifecycle (sync/lifecycle.py): its table, its moves, and the files made from it."""
from datetime import date

import pytest

from server.accounts.models import Role
from sync import lifecycle
from sync.tools import make_lifecycle_files as files

REGENERATE = "run .venv/bin/python -m sync.tools.make_lifecycle_files"


def test_the_apps_lifecycle_data_is_current():
    assert files.DATA_PATH.read_text(encoding="utf-8") == files.data_module(), REGENERATE


def test_the_lifecycle_vectors_are_current():
    assert files.VECTORS_PATH.read_text(encoding="utf-8") == files.vectors_text(), REGENERATE


def test_every_named_set_holds_only_known_states():
    for name, members in lifecycle.NAMED_SETS.items():
        assert set(members) <= set(lifecycle.STATES), name


def test_deciding_roles_are_the_bureaus():
    assert lifecycle.DECIDING_ROLES == {Role.REVIEWER, Role.ADMIN}


def test_every_decision_leads_from_and_to_known_states():
    for decision in lifecycle.DECISIONS.values():
        assert set(decision.allowed_from) <= set(lifecycle.STATES)
        assert decision.leads_to is None or decision.leads_to in lifecycle.STATES


def test_carried_over_leaves_out_returned_and_verified():
    assert set(lifecycle.CARRIED_OVER) == {"pending", "resurvey", "accepted", "rectifying",
                                           "rectified"}


def test_the_problem_lists_hold_confirmed_problems_not_yet_closed():
    assert lifecycle.IN_PROBLEM_LISTS == ("accepted", "rectifying", "rectified")


@pytest.mark.parametrize("status", ["pending"])
def test_a_pending_finding_can_be_accepted_by_a_reviewer(status):
    assert lifecycle.after_decision(status, "accept", "reviewer") == "accepted"


def test_a_worker_cannot_decide():
    with pytest.raises(lifecycle.TransitionRefused) as refusal:
        lifecycle.after_decision("pending", "accept", "worker")
    assert refusal.value.code == "auth.forbidden"


def test_verifying_needs_a_reported_rectification():
    with pytest.raises(lifecycle.TransitionRefused) as refusal:
        lifecycle.after_decision("rectifying", "verify", "reviewer")
    assert refusal.value.code == "review.not_decidable"
    assert "整改中" in refusal.value.message


def test_moving_the_deadline_keeps_the_state():
    assert lifecycle.after_decision("rectifying", "deadline", "admin") == "rectifying"


def test_a_finding_sent_back_returns_to_review_when_corrected():
    assert lifecycle.after_correction("returned") == "pending"
    assert lifecycle.after_correction("resurvey") == "pending"


def test_a_confirmed_finding_cannot_be_corrected_from_the_field():
    with pytest.raises(lifecycle.TransitionRefused) as refusal:
        lifecycle.after_correction("accepted")
    assert refusal.value.code == "finding.not_editable"


def test_only_a_confirmed_open_problem_can_be_reported_fixed():
    assert lifecycle.after_rectification_report("rectifying") == "rectified"
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.after_rectification_report("pending")


def test_only_problems_awaiting_rectification_run_late():
    today = date(2024, 8, 15)
    assert lifecycle.days_overdue("rectifying", date(2024, 8, 12), today) == 3
    assert lifecycle.days_overdue("rectified", date(2024, 8, 12), today) == 0
    assert lifecycle.days_overdue("accepted", today, today) == 0
