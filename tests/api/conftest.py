"""Fixtures for the API and desk tests (beside the factories of tests/factories.py): a signed-in
browser session, CSRF tokens, the current round, a reviewer, findings and photo rows, and the
demo county."""
import itertools
import re
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from server.accounts.auth import SESSION_EPOCH_KEY, SESSION_USER_KEY
from server.accounts.models import Role, User
from server.extensions import db
from server.findings.models import Finding, FindingPhoto
from server.photos.models import Photo, PhotoHolder
from server.photos.operations import not_held_by
from server.surveys.models import Submission
from tests.conftest import _empty_all_tables

_serial = itertools.count(1)
JULY_FIRST = datetime(2024, 7, 1, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def sign_in(client):
    """Puts the user in the test client's session, as the sign-in form would."""
    def sign(user):
        with client.session_transaction() as session:
            session[SESSION_USER_KEY] = user.id
            session[SESSION_EPOCH_KEY] = user.session_epoch
        return client
    return sign


@pytest.fixture
def csrf_from(client):
    """The CSRF token the page at `url` carries in its forms."""
    def token(url):
        page = client.get(url)
        assert page.status_code == 200, page.data[:500]
        return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return token


@pytest.fixture
def survey_round(make_round):
    return make_round()


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.REVIEWER)


@pytest.fixture
def make_finding(survey_round, make_user):
    """A finding as the sync would store it (optionally with its submission and photos)."""
    authors = {}

    def make(building, *, status="pending", indicator=3, check_item="楼梯踏步损坏",
             description=None, photos=(), author=None, counts=True, captured_at=JULY_FIRST,
             severity="严重", problem_class="限时解决", with_submission=True, **extra):
        if author is None:
            community = building.estate.community
            author = authors.get(community.id) or make_user(Role.WORKER, communities=[community])
            authors[community.id] = author
        submission = None
        if with_submission:
            submission = Submission(uuid=str(uuid.uuid4()), round=survey_round,
                                    building=building, indicator=indicator,
                                    form_id=f"form-{indicator}", form_version=1, author=author,
                                    answers={}, counts=counts, captured_at=captured_at)
            db.session.add(submission)
        finding = Finding(uuid=str(uuid.uuid4()), submission=submission, round=survey_round,
                          building=building, indicator=indicator, check_item=check_item,
                          description=description, severity=severity,
                          problem_class=problem_class, status=status, author_id=author.id,
                          captured_at=captured_at,
                          **{"responsible_unit": "物业公司", "suggestion": "修补破损踏步", **extra})
        for position, sha in enumerate(photos):
            finding.photos.append(FindingPhoto(sha256=sha, position=position))
        db.session.add(finding)
        # The author uploaded those of its photos the server has (make_photo).
        for sha in not_held_by(author.id, [s for s in photos if db.session.get(Photo, s)]):
            db.session.add(PhotoHolder(sha256=sha, user_id=author.id))
        db.session.commit()
        return finding
    return make


@pytest.fixture
def make_photo(app_context):
    """A photo row (no bytes) with the given phone and EXIF capture data."""
    def make(sha=None, **fields):
        sha = sha or f"{next(_serial):064x}"
        defaults = {"byte_size": 1000, "mime_type": "image/jpeg", "width": 4000, "height": 3000,
                    "captured_at": JULY_FIRST, "latitude": 35.14, "longitude": 111.22,
                    "exif_captured_at": JULY_FIRST, "exif_latitude": 35.14,
                    "exif_longitude": 111.22}
        photo = Photo(sha256=sha, **{**defaults, **fields})
        db.session.add(photo)
        db.session.commit()
        return photo
    return make


# The demo county with its survey data (`flask demo create`), once per module that asks for it:
# slow (some 20 s). Its tests only read it and come last in their module, since the
# function-scoped app_context of other tests empties every table after each.

@pytest.fixture(scope="module")
def demo_system():
    """The indicator system (and round) of the demo a module seeds; a module may parametrize it
    (tests/api/test_demo_fieldwork.py seeds both, one after the other)."""
    return "2024"


@pytest.fixture(scope="module")
def seeded(app, demo_system):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "create", "--system", demo_system])
        assert result.exit_code == 0, result.output
        yield result.output
        db.session.rollback()
        _empty_all_tables()


@pytest.fixture(scope="module")
def reviewer_client(app, seeded):
    client = app.test_client()
    shenhe = db.session.scalar(select(User).where(User.username == "shenhe"))
    with client.session_transaction() as session:
        session[SESSION_USER_KEY], session[SESSION_EPOCH_KEY] = shenhe.id, shenhe.session_epoch
    return client
