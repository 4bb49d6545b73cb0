"""The phone's progress is the current round's: a building surveyed last round (another round,
perhaps another indicator system with other numbers) is not 他人已调查 this round."""
import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.surveys.models import Submission
from tests.e2e.app_driver import GAS_FORM, open_building
from tests.e2e.conftest import sign_in
from tests.factories import submission_op

pytestmark = pytest.mark.slow


@pytest.fixture
def surveyed_last_round_and_this_round(surveyor, make_round, push, auth_headers, gas_answers):
    """Gas surveys pushed by another device: of the second building this round, of the third
    last round."""
    this_round, last_round = surveyor.buildings[1], surveyor.buildings[2]
    headers = auth_headers(surveyor.user)
    for building in (this_round, last_round):
        assert push(headers, submission_op(building, gas_answers())).status_code == 200
    earlier = make_round(code="2023", is_current=False)
    db.session.scalars(db.select(Submission).where(
        Submission.building_id == last_round.id)).one().round = earlier
    db.session.commit()
    return this_round, last_round


def gas_row(page):
    return page.locator(f"#indicators li:has(a[data-form='{GAS_FORM}'])")


def test_only_this_rounds_surveys_mark_an_indicator_surveyed(
        live_server, surveyor, phone, surveyed_last_round_and_this_round):
    this_round, last_round = surveyed_last_round_and_this_round
    page = phone.new_page()
    sign_in(page, live_server, surveyor)
    open_building(page, this_round.label)
    expect(gas_row(page)).to_contain_text("他人已调查")
    page.go_back()
    open_building(page, last_round.label)
    expect(gas_row(page)).not_to_contain_text("他人已调查")
