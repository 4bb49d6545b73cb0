"""The demo county's season of fieldwork (`flask demo create [--system 2025]`), seeded once per
indicator system (`demo_system`, a module fixture: every 2024 test runs, then every 2025 one):
what the sync, review and appraisal code made of it, and every desk page and export a reviewer
opens for its round, agreeing to the building. The tests only read the seeded data."""
import csv
import hashlib
import io
import zipfile
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from forms import validate_answers
from server.accounts.models import User
from server.appraisals.disagreement import disagreeing_findings
from server.appraisals.documents import document_store
from server.appraisals.models import Appraisal
from server.buildings.models import Building, Community, Estate
from server.catalog import form_registry, indicator_list, round_by_code, round_context
from server.demo.county import DEFAULT_SEED, plan_county
from server.demo.fieldwork import plan_fieldwork
from server.exports.pages import EXPORTS
from server.extensions import db
from server.findings.completion import LIST_STATES, overdue_clause
from server.findings.models import Finding, FindingPhoto, Rectification, Review
from server.ledger.counting import evidence_states
from server.ledger.models import BuildingStatus
from server.ledger.tables import BUILDINGS, LEVELS, indicator_table, total_of
from server.photos.models import Photo
from server.photos.operations import photo_store
from server.surveys.models import Submission, SurveyRound
from sync import lifecycle
from sync.china_time import CHINA_TIME as CHINA
from sync.china_time import china_today
from tests.api.outputs import disagreements, numbers, table_counts
from tests.kept_counts import recounted, tallies

pytestmark = pytest.mark.slow  # the demo county, twice (some 20 s each)


@pytest.fixture(scope="module", params=["2024", "2025"])
def demo_system(request):
    return request.param


@pytest.fixture(scope="module")
def demo_round(seeded, demo_system):
    return round_by_code(demo_system)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def findings_digest(rows) -> str:
    """(estate, building number, indicator, check item, status) of every finding, hashed."""
    lines = sorted("|".join(str(part) for part in row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# What the fieldwork made.

def test_demo_prints_its_survey_data(seeded):
    assert "调查表" in seeded and "待审核" in seeded and "照片" in seeded


def test_demo_round_is_the_current_round_of_its_system(demo_round, demo_system):
    assert (demo_round.code, demo_round.system, demo_round.year) == (
        demo_system, demo_system, int(demo_system))
    assert demo_round.is_current and count(SurveyRound) == 1


def test_demo_findings_are_the_plan_of_the_seed_and_the_plan_repeats(demo_round):
    stored = db.session.execute(
        select(Estate.name, Building.number, Finding.indicator, Finding.check_item,
               Finding.status).join(Finding.building).join(Building.estate)
        .where(Finding.appraisal_id.is_(None))).all()
    plan = plan_fieldwork(plan_county(DEFAULT_SEED), form_registry(), demo_round.system,
                          DEFAULT_SEED, demo_round.year)
    planned = [(*f.building, f.indicator, f.check_item, f.state) for f in plan.findings]
    assert findings_digest(stored) == findings_digest(planned)
    again = plan_fieldwork(plan_county(DEFAULT_SEED), form_registry(), demo_round.system,
                           DEFAULT_SEED, demo_round.year)
    assert [f.uuid for f in again.findings] == [f.uuid for f in plan.findings]
    assert list(again.photos) == list(plan.photos)  # the same bytes, hence the same hashes
    assert count(Submission) == len(plan.submissions)


def test_demo_surveys_fill_every_indicator_of_the_system_validly(demo_round):
    registry, context = form_registry(), round_context(demo_round)
    submissions = db.session.scalars(select(Submission)).all()
    assert {s.indicator for s in submissions} == set(numbers(demo_round))
    for s in submissions:
        form = registry.get(s.form_id, s.form_version, include_retired=True)
        assert form.system == demo_round.system
        assert validate_answers(form, s.answers, s.building.facts(), context) == {}, s.uuid


def test_demo_asks_for_agencies_where_the_forms_have_follow_ups(demo_round):
    forms = form_registry().forms(demo_round.system)
    asking = {q["id"] for form in forms for q in form.questions if "follow_up" in q}
    asked = Counter(f["question_id"] for follow_ups in db.session.scalars(
        select(Submission.follow_ups)) for f in follow_ups)
    assert set(asked) <= asking
    assert len(asked) >= min(3, len(asking))  # 2025: several questions; 2024 has none


def test_demo_counts_each_indicator_in_its_unit(reviewer_client, demo_round):
    """栋 indicators count buildings and carry no amount; 2025's 非成套住宅 counts its 套, several
    per building."""
    reviewer = db.session.scalar(select(User).where(User.username == "shenhe"))
    indicators = indicator_list(demo_round.system)
    total = total_of(indicator_table(reviewer, demo_round, "county"),
                     [i["number"] for i in indicators])
    for i in indicators:
        figures = total["figures"][i["number"]]
        if i["unit"] == BUILDINGS:
            assert (figures.amount, figures.result(BUILDINGS)) == (0, figures.counts), i["name"]
        else:
            assert figures.counts >= 2 and figures.amount > 2 * figures.counts, figures
    measured = [i["number"] for i in indicators if i["unit"] != BUILDINGS]
    assert measured == ([] if demo_round.system == "2024" else [5])


def test_demo_has_every_review_state_and_some_overdue(seeded):
    states = Counter(db.session.scalars(select(Finding.status)))
    assert set(states) == set(lifecycle.STATES)
    assert states["pending"] == max(states.values())
    overdue = db.session.scalar(select(func.count()).where(overdue_clause(china_today())))
    assert overdue >= 2
    rectifying = db.session.scalars(select(Finding).where(Finding.status == "rectifying")).all()
    assert all(f.deadline is not None for f in rectifying)
    assert count(Review) > 0 and count(Rectification) == states["rectified"] + states["verified"]


def test_every_demo_photo_is_stored_with_its_derived_copies(seeded):
    store = photo_store()
    hashes = set(db.session.scalars(select(FindingPhoto.sha256)))
    assert hashes and hashes == set(db.session.scalars(select(Photo.sha256)))
    for sha256 in hashes:
        assert all(store.exists(sha256, variant) for variant in ("original", "display", "thumb"))
    assert all(db.session.scalar(select(func.count()).select_from(FindingPhoto)
                                 .where(FindingPhoto.finding_id == f.id,
                                        FindingPhoto.rectification_id.is_(None))) >= 1
               for f in db.session.scalars(select(Finding).where(Finding.appraisal_id.is_(None))))


def test_the_demos_hazard_appraisal_is_a_confirmed_finding_of_the_agency(seeded):
    hazards = db.session.scalars(select(Appraisal).where(Appraisal.conclusion == "hazard")).all()
    findings = db.session.scalars(select(Finding).where(Finding.appraisal_id.is_not(None))).all()
    assert hazards and {f.appraisal_id for f in findings} == {a.id for a in hazards}
    assert all(f.status == "accepted" and f.author_id == a.author_id
               for f, a in zip(sorted(findings, key=lambda f: f.appraisal_id),
                               sorted(hazards, key=lambda a: a.id)))


def test_demo_photos_carry_exif_near_xiaxian_in_the_rounds_year_and_two_disagree_by_a_day(
        demo_round):
    photos = db.session.scalars(select(Photo)).all()
    assert all(35.10 < p.exif_latitude < 35.18 and 111.18 < p.exif_longitude < 111.26
               for p in photos)
    off = [p for p in photos if abs(p.captured_at - p.exif_captured_at) > timedelta(hours=1)]
    assert len(off) == 2
    assert all(p.exif_captured_at.astimezone(CHINA).year == demo_round.year for p in photos)


def test_demo_appraisal_contradicts_a_field_finding(seeded):
    appraisals = db.session.scalars(select(Appraisal)).all()
    assert {a.conclusion for a in appraisals} == {"hazard", "no_hazard"}
    assert all(a.document_sha256 and document_store().exists(a.document_sha256)
               for a in appraisals)
    assert db.session.scalars(disagreeing_findings(
        db.session.scalar(select(User).where(User.username == "shenhe")))).first()


# What the reviewer opens and downloads.

def test_review_queue_shows_pending_findings_to_the_demo_reviewer(reviewer_client):
    page = reviewer_client.get("/desk/review/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    pending = db.session.scalars(select(Finding).where(Finding.status == "pending")
                                 .order_by(Finding.created_at, Finding.id)).first()
    assert pending.uuid in html


def test_indicator_table_has_counting_buildings(reviewer_client, demo_round):
    reviewer = db.session.scalar(select(User).where(User.username == "shenhe"))
    rows = indicator_table(reviewer, demo_round, "community")
    totals = Counter()
    for row in rows:
        totals.update({n: figures.counts for n, figures in row["figures"].items()})
    assert sum(totals.values()) > 0 and len([n for n in totals.values() if n]) >= 5


def test_every_desk_page_a_reviewer_opens_answers_for_the_demo_round(reviewer_client,
                                                                     demo_round):
    code = demo_round.code
    communities = db.session.scalars(select(Community.id)).all()
    findings = db.session.scalars(select(Finding.uuid).order_by(Finding.id)).all()
    urls = ["/desk/", "/desk/progress", "/desk/review/", "/desk/exports/", "/desk/appraisals/",
            f"/desk/rectification?round={code}",
            *(f"/desk/rectification/findings?round={code}&state={s}" for s in LIST_STATES),
            *(f"/desk/ledger/indicators?round={code}&level={level}" for level in LEVELS),
            *(f"/desk/ledger/communities/{c}?round={code}" for c in communities),
            *(f"/desk/ledger/estates/{e}?round={code}"
              for e in db.session.scalars(select(Estate.id))),
            *(f"/desk/ledger/indicators/{n}/buildings?round={code}&level=community&id={c}"
              f"&state={state}" for n in numbers(demo_round) for c in communities
              for state in ("counts", "pending")),
            *(f"/desk/buildings/{b}?round={code}" for b in db.session.scalars(
                select(Finding.building_id).distinct())),
            *(f"/desk/review/findings/{uuid}" for uuid in findings[::4]),
            *(f"/desk/submissions/{uuid}" for uuid in db.session.scalars(
                select(Submission.uuid).order_by(Submission.id)).all()[::25])]
    failed = [(url, response.status_code) for url in urls
              if (response := reviewer_client.get(url)).status_code != 200]
    assert failed == []


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", list(EXPORTS))
def test_every_export_of_the_demo_round_downloads_and_parses(reviewer_client, demo_round, kind,
                                                            file_format):
    response = reviewer_client.get(f"/desk/exports/{kind}.{file_format}?round={demo_round.code}")
    assert response.status_code == 200, response.data[:300]
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    else:
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        rows = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
        assert demo_round.title in str(rows[0][0])
    assert len(rows) >= 3 and all(any(cell not in (None, "") for cell in row) for row in rows[:2])


def test_each_surveyed_community_downloads_its_photo_zip(reviewer_client, demo_round):
    photographed = set(db.session.scalars(
        select(Estate.community_id).join(Building).join(Finding, Finding.building_id == Building.id)))
    for community in db.session.scalars(select(Community)):
        response = reviewer_client.get(f"/desk/exports/photos/{community.id}.zip")
        if community.id not in photographed:
            assert response.status_code == 404, community.name
            continue
        assert response.status_code == 200, community.name
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        assert archive.testzip() is None and archive.namelist(), community.name


# One count everywhere.

def test_building_statuses_agree_with_the_counting_rule(demo_round):
    kept = set(db.session.execute(select(BuildingStatus.building_id, BuildingStatus.indicator,
                                         BuildingStatus.state, BuildingStatus.amount)
                                  .where(BuildingStatus.round_id == demo_round.id)).all())
    derived = evidence_states(demo_round.id, demo_round.system)
    assert kept and kept == set(db.session.execute(derived).all())


def test_the_estates_tallies_count_the_kept_statuses(demo_round):
    assert tallies(demo_round.id) and tallies(demo_round.id) == recounted(demo_round.id)


def test_the_demos_table_lists_ledger_and_drill_downs_agree_to_the_building(reviewer_client,
                                                                           demo_round):
    communities = db.session.scalars(select(Community)).all()
    assert [d for c in communities for d in disagreements(reviewer_client, c, demo_round)] == []
    counted = sum(table_counts(reviewer_client, c, demo_round)[n] for c in communities
                  for n in numbers(demo_round))
    assert counted > 40  # the demo's confirmed problems, hazard appraisal included
