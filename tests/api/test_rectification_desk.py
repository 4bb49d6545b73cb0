"""The rectification desk: 问题整治完成率 per class, every figure opening its findings, the overdue
list, last round's problems still open, the 逾期 badge, scope, filters and escaping."""
import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.findings.completion import completion_table
from sync.china_time import china_today

TODAY = china_today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def last_round(make_round):
    return make_round(code="2023", is_current=False)


@pytest.fixture
def survey_round(make_round, last_round):
    """This round (2024) follows last round (2023); make_finding files findings in it."""
    return make_round(code="2024", previous=last_round)


@pytest.fixture
def east(make_community):
    return make_community("城东社区")


@pytest.fixture
def west(make_community):
    return make_community("城西社区")


@pytest.fixture
def east_building(make_building, make_estate, east):
    return make_building(estate=make_estate("达明新村", community=east), number="3#")


@pytest.fixture
def west_building(make_building, make_estate, west):
    return make_building(estate=make_estate("西苑小区", community=west), number="7#")


@pytest.fixture
def known_set(make_finding, east_building, west_building):
    """城东: 限时解决 — accepted, rectifying (overdue), rectifying (due today), rectified,
    2 verified; 尽力解决 — accepted, verified; not counted: pending, returned. 城西: 限时解决 — verified."""
    def timed(status, **extra):
        return make_finding(east_building, status=status, problem_class="限时解决", **extra)
    made = {
        "accepted": timed("accepted"),
        "overdue": timed("rectifying", deadline=YESTERDAY, description="逾期的踏步"),
        "due_today": timed("rectifying", deadline=TODAY, description="今天到期的踏步"),
        "rectified": timed("rectified"),
        "verified": [timed("verified"), timed("verified")],
        "pending": timed("pending"),
        "returned": timed("returned"),
        "best_accepted": make_finding(east_building, status="accepted", problem_class="尽力解决"),
        "best_verified": make_finding(east_building, status="verified", problem_class="尽力解决"),
        "west_verified": make_finding(west_building, status="verified", problem_class="限时解决"),
    }
    return made


def links(text: str, **params) -> list[str]:
    """The hrefs of the page that carry every given query parameter."""
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', text)]
    return [h for h in hrefs
            if all(parse_qs(urlsplit(h).query).get(k) == [str(v)] for k, v in params.items())]


def test_completion_rate_per_class_counts_confirmed_and_verified_exactly(
        app, reviewer, survey_round, east, west, known_set):
    table = completion_table(reviewer, survey_round, TODAY)
    timed, best = table["county"]["限时解决"], table["county"]["尽力解决"]
    assert (timed.confirmed, timed.completed, timed.overdue) == (7, 3, 1)
    assert timed.by_status == {"accepted": 1, "rectifying": 2, "rectified": 1, "verified": 3}
    assert round(timed.rate, 1) == 42.9
    assert (best.confirmed, best.completed, best.rate) == (2, 1, 50.0)
    rows = {row["name"]: row["classes"] for row in table["communities"]}
    assert (rows["城东社区"]["限时解决"].confirmed, rows["城东社区"]["限时解决"].completed) == (6, 2)
    assert rows["城西社区"]["限时解决"].rate == 100.0
    assert rows["城西社区"]["尽力解决"].rate is None


def test_desk_page_shows_the_rates_per_class(sign_in, reviewer, known_set):
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    assert "问题整治完成率" in text
    assert "42.9%" in text and "33.3%" in text and "50.0%" in text and "100.0%" in text


def test_each_figure_links_to_the_findings_behind_it(sign_in, reviewer, east, known_set):
    client = sign_in(reviewer)
    text = client.get("/desk/rectification").get_data(as_text=True)
    [overdue_link] = links(text, state="round_overdue", community=east.id,
                           problem_class="限时解决")
    listing = client.get(overdue_link).get_data(as_text=True)
    assert "逾期的踏步" in listing and "今天到期的踏步" not in listing
    [confirmed_link] = links(text, state="confirmed", community=east.id, problem_class="限时解决")
    listing = client.get(confirmed_link).get_data(as_text=True)
    assert "确认问题（6 条）" in listing


def test_county_figure_link_lists_every_community(sign_in, reviewer, east, known_set):
    client = sign_in(reviewer)
    text = client.get("/desk/rectification").get_data(as_text=True)
    county = [h for h in links(text, state="verified", problem_class="限时解决")
              if "community=" not in h]
    assert len(county) == 1
    listing = client.get(county[0]).get_data(as_text=True)
    assert "已销项（3 条）" in listing and "西苑小区" in listing and "达明新村" in listing


def test_overdue_list_shows_a_finding_past_its_deadline(sign_in, reviewer, known_set):
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    assert "逾期未整改（1 条）" in text
    assert "逾期的踏步" in text and "逾期 1 天" in text


def test_overdue_list_filters_by_community_and_class(sign_in, reviewer, west, known_set):
    client = sign_in(reviewer)
    assert "逾期未整改（0 条）" in client.get(
        f"/desk/rectification?community={west.id}").get_data(as_text=True)
    assert "逾期未整改（0 条）" in client.get(
        "/desk/rectification?problem_class=尽力解决").get_data(as_text=True)


def test_finding_page_flags_overdue_with_days(sign_in, reviewer, known_set):
    overdue = known_set["overdue"]
    text = sign_in(reviewer).get(f"/desk/review/findings/{overdue.uuid}").get_data(as_text=True)
    assert "逾期 1 天" in text and YESTERDAY.isoformat() in text


def test_nothing_is_flagged_overdue_on_the_day_of_its_deadline(sign_in, reviewer, known_set):
    due = known_set["due_today"]
    text = sign_in(reviewer).get(f"/desk/review/findings/{due.uuid}").get_data(as_text=True)
    assert "逾期" not in text


def test_review_queue_and_building_page_show_the_overdue_badge(sign_in, reviewer, known_set,
                                                               east_building):
    client = sign_in(reviewer)
    queue = client.get("/desk/review/?status=rectifying").get_data(as_text=True)
    assert queue.count("逾期 1 天") == 1
    building = client.get(f"/desk/buildings/{east_building.id}").get_data(as_text=True)
    assert building.count("逾期 1 天") == 1


def test_carried_over_list_shows_last_rounds_open_findings_not_verified_ones(
        sign_in, reviewer, make_finding, east_building, last_round):
    def last_years(status, description):
        finding = make_finding(east_building, status=status, description=description,
                               with_submission=False)
        finding.round_id = last_round.id
        db.session.commit()
    last_years("rectifying", "去年的外墙渗漏")
    last_years("rectified", "去年已整改待销项")
    last_years("verified", "去年已销项的问题")
    make_finding(east_building, status="rectifying", description="今年的问题")
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    carried = text[text.index("上轮遗留问题"):]
    assert "未销项 2 条" in carried
    assert "去年的外墙渗漏" in carried and "去年已整改待销项" in carried
    assert "去年已销项的问题" not in carried and "今年的问题" not in carried
    assert "整改中 1 条" in carried and "已整改 1 条" in carried


def test_a_worker_sees_only_their_communities(sign_in, make_user, east, known_set):
    worker = make_user(Role.WORKER, communities=[east])
    text = sign_in(worker).get("/desk/rectification").get_data(as_text=True)
    assert "城东社区" in text and "城西社区" not in text
    assert "33.3%" in text and "42.9%" not in text


def test_a_reviewer_of_another_county_sees_none_of_these_findings(
        sign_in, make_user, make_county, known_set):
    outsider = make_user(Role.REVIEWER)
    outsider.county_id = make_county("外县", "999999").id
    db.session.commit()
    client = sign_in(outsider)
    assert "城东社区" not in client.get("/desk/rectification").get_data(as_text=True)
    listing = client.get("/desk/rectification/findings?state=overdue").get_data(as_text=True)
    assert "逾期的踏步" not in listing and "（0 条）" in listing


def test_field_text_is_escaped_in_the_rectification_lists(sign_in, reviewer, make_finding,
                                                          east_building):
    make_finding(east_building, status="rectifying", deadline=YESTERDAY,
                 description="<script>alert(1)</script>", responsible_unit="<b>物业</b>")
    client = sign_in(reviewer)
    for url in ("/desk/rectification", "/desk/rectification/findings?state=overdue"):
        text = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text and "<b>物业</b>" not in text
        assert "&lt;script&gt;alert(1)" in text


def test_bulk_rectify_form_is_offered_to_reviewers_on_the_accepted_list_only(
        sign_in, reviewer, make_user, east, known_set):
    client = sign_in(reviewer)
    assert "下达整改" in client.get(
        "/desk/rectification/findings?state=accepted").get_data(as_text=True)
    assert "对所选问题下达整改" not in client.get(
        "/desk/rectification/findings?state=overdue").get_data(as_text=True)
    worker = make_user(Role.WORKER, communities=[east])
    assert "对所选问题下达整改" not in sign_in(worker).get(
        "/desk/rectification/findings?state=accepted").get_data(as_text=True)


@pytest.mark.parametrize("query, words", [
    ("/desk/rectification?problem_class=紧急", "问题分类"),
    ("/desk/rectification?community=abc", "社区：应为整数"),
    ("/desk/rectification?colour=red", "不认识的参数"),
    ("/desk/rectification/findings", "类别：须指定"),
    ("/desk/rectification/findings?state=late", "类别：取值无效"),
    ("/desk/rectification/findings?state=overdue&page=0", "页码"),
])
def test_nonsense_filters_get_a_clear_400(sign_in, reviewer, query, words):
    page = sign_in(reviewer).get(query)
    assert page.status_code == 400
    assert words in page.get_data(as_text=True)


def test_an_unknown_round_is_a_404_page(sign_in, reviewer):
    page = sign_in(reviewer).get("/desk/rectification?round=1999")
    assert page.status_code == 404 and "1999" in page.get_data(as_text=True)


def test_the_desk_page_needs_sign_in(client, survey_round):
    response = client.get("/desk/rectification")
    assert response.status_code in (302, 401)
