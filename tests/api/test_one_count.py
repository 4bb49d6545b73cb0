"""One count everywhere: over seeded random rounds, for every community and indicator, the 1表
count = the 问题清单's result = the 整治建议清单's result = the 楼栋台账's "是" = the drill-down's
length — each read from what the bureau downloads or opens, not from the functions behind them."""
import csv
import io
import random
from datetime import date

import pytest

from server.accounts.models import Role
from server.appraisals.findings import follow_appraisal
from server.appraisals.models import Appraisal
from server.catalog import form_registry
from server.extensions import db
from sync import lifecycle
from tests.api.outputs import disagreements

COMMUNITIES, ESTATES, BUILDINGS = 2, 2, 5
SEEDS = range(8)


@pytest.fixture
def random_round(survey_round, make_community, make_estate, make_building, make_finding,
                 make_user):
    """A county of random buildings (facts that make indicators 2 and 9 apply or not), random
    findings of every indicator in every state (some not what their indicator counts: 采光不足
    under 非成套), random clear surveys and random appraisals."""
    def make(seed: int):
        rng = random.Random(seed)
        questions = {form.indicator: [(q["id"], q["defect"]["check_item"])
                                      for q in form.defect_questions]
                     for form in form_registry().forms(survey_round.system)}
        agency = make_user(Role.AGENCY)
        communities = []
        for c in range(COMMUNITIES):
            community = make_community(f"社区{seed}-{c}")
            communities.append(community)
            for e in range(ESTATES):
                estate = make_estate(name=f"小区{e}", community=community)
                for n in range(1, BUILDINGS + 1):
                    building = make_building(
                        estate=estate, number=f"{n}#", year_built=rng.choice([1985, 1998, 2008]),
                        gas_supply=rng.choice(["pipeline", "none"]))
                    _random_evidence(rng, building, questions, make_finding, agency,
                                     survey_round)
        db.session.commit()
        return communities
    return make


def _random_evidence(rng, building, questions, make_finding, agency, survey_round):
    for indicator, defects in questions.items():
        roll = rng.random()
        if roll < 0.45:
            continue
        if roll < 0.6:
            make_finding(building, indicator=indicator, counts=False, status="returned",
                         check_item="（无问题）")
            continue
        for _ in range(rng.randint(1, 2)):
            question_id, check_item = rng.choice(defects)
            make_finding(building, indicator=indicator, question_id=question_id,
                         check_item=check_item, status=rng.choice(list(lifecycle.STATES)),
                         with_submission=rng.random() < 0.8)
    if rng.random() < 0.2:
        appraisal = Appraisal(building_id=building.id, round_id=survey_round.id,
                              indicator=rng.choice([1, 2]), agency_id=agency.agency_id,
                              author_id=agency.id, appraised_on=date(2024, 6, rng.randint(1, 28)),
                              conclusion=rng.choice(["hazard", "no_hazard"]))
        db.session.add(appraisal)
        db.session.flush()
        follow_appraisal(appraisal)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_output_counts_the_same_buildings(seed, random_round, survey_round, sign_in,
                                                reviewer):
    communities = random_round(seed)
    client = sign_in(reviewer)
    assert [d for c in communities for d in disagreements(client, c, survey_round)] == [], seed


def test_the_random_rounds_exercise_every_state(random_round, sign_in, reviewer):
    """The property is worth something only if the rounds hold 是, 待审核, 否, 不适用 and 未调查."""
    client = sign_in(reviewer)
    seen = set()
    for seed in SEEDS[:4]:
        for community in random_round(seed + 100):
            response = client.get(f"/desk/exports/building-ledger.csv?community={community.id}")
            rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
            seen.update(cell for row in rows[1:] for cell in row)
    assert {"是", "待审核", "否", "不适用", "未调查"} <= seen
