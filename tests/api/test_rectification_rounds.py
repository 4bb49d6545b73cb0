"""Rectification across rounds: which of last round's problems are carried over (not the ones
sent back), overdue problems of every round, and last round's 问题整治完成率 on the desk."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.findings.completion import completion_table
from server.surveys.operations import open_round
from server.syncing.models import Change
from sync.china_time import china_today
from tests.api.test_rectification_desk import (  # noqa: F401  (the two rounds are fixtures)
    last_round,
    links,
    survey_round,
)

TODAY = china_today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def building(make_building, make_estate, make_community):
    return make_building(estate=make_estate("达明新村", community=make_community("城东社区")),
                         number="3#")


@pytest.fixture
def last_years(make_finding, building, last_round):
    """A finding of last round (2023) on the building."""
    def make(status, description, **extra):
        finding = make_finding(building, status=status, description=description,
                               with_submission=False, **extra)
        finding.round_id = last_round.id
        db.session.commit()
        return finding
    return make


def section(text: str, start: str, end: str | None = None) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin)] if end else text[begin:]


def test_opening_a_round_re_announces_carried_over_problems_only(app, make_finding, building,
                                                                survey_round):
    made = {status: make_finding(building, status=status) for status in
            ("pending", "resurvey", "accepted", "rectifying", "rectified", "returned",
             "verified")}
    before = db.session.scalar(select(func.coalesce(func.max(Change.id), 0)))
    open_round("2025", survey_round.system, None, make_current=True)
    announced = set(db.session.scalars(select(Change.entity_id).where(
        Change.id > before, Change.kind == "finding")))
    assert announced == {f.uuid for s, f in made.items() if s not in ("returned", "verified")}


def test_carried_over_list_leaves_out_returned_problems(sign_in, reviewer, last_years):
    last_years("rectifying", "去年的外墙渗漏")
    last_years("returned", "去年退回的问题")
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    carried = section(text, "上轮遗留问题")
    assert "未销项 1 条" in carried and "去年的外墙渗漏" in carried
    assert "去年退回的问题" not in carried and "已退回 1 条" not in carried


def test_carried_list_page_leaves_out_returned_problems(sign_in, reviewer, last_years):
    last_years("pending", "去年待审核的问题")
    last_years("returned", "去年退回的问题")
    listing = sign_in(reviewer).get(
        "/desk/rectification/findings?state=carried").get_data(as_text=True)
    assert "去年待审核的问题" in listing and "去年退回的问题" not in listing


def test_overdue_list_includes_last_rounds_problem_past_its_deadline(sign_in, reviewer,
                                                                     last_years):
    last_years("rectifying", "去年逾期的踏步", deadline=YESTERDAY)
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    overdue = section(text, "逾期未整改（", "上轮遗留问题")
    assert "逾期未整改（1 条）" in overdue and "所有轮次" in overdue
    assert "去年逾期的踏步" in overdue and "逾期 1 天" in overdue


def test_overdue_list_page_spans_every_round(sign_in, reviewer, last_years, make_finding,
                                             building):
    last_years("rectifying", "去年逾期的踏步", deadline=YESTERDAY)
    make_finding(building, status="accepted", deadline=YESTERDAY, description="今年逾期的踏步")
    listing = sign_in(reviewer).get(
        "/desk/rectification/findings?state=overdue").get_data(as_text=True)
    assert "（2 条）" in listing
    assert "去年逾期的踏步" in listing and "今年逾期的踏步" in listing


def test_completion_table_counts_overdue_within_its_round_only(app, reviewer, survey_round,
                                                               last_years):
    last_years("rectifying", "去年逾期的踏步", deadline=YESTERDAY)
    table = completion_table(reviewer, survey_round, TODAY)
    assert table["county"]["限时解决"].overdue == 0


def test_completion_table_labels_its_overdue_column_as_this_rounds(sign_in, reviewer,
                                                                   survey_round):
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    assert "<th>本轮逾期</th>" in text and "下方的逾期清单包括所有轮次" in text


def test_round_overdue_list_holds_only_the_rounds_problems(sign_in, reviewer, last_years,
                                                           make_finding, building):
    last_years("rectifying", "去年逾期的踏步", deadline=YESTERDAY)
    make_finding(building, status="accepted", deadline=YESTERDAY, description="今年逾期的踏步")
    listing = sign_in(reviewer).get(
        "/desk/rectification/findings?state=round_overdue").get_data(as_text=True)
    assert "本轮逾期未整改（1 条）" in listing
    assert "今年逾期的踏步" in listing and "去年逾期的踏步" not in listing


def test_carried_section_shows_last_rounds_completion_rate_per_class(sign_in, reviewer,
                                                                     last_years):
    last_years("verified", "去年已销项的问题")
    last_years("rectifying", "去年的外墙渗漏")
    last_years("accepted", "去年尽力解决的问题", problem_class="尽力解决")
    text = sign_in(reviewer).get("/desk/rectification").get_data(as_text=True)
    carried = section(text, "上轮遗留问题")
    assert "2023年城市体检问题整治完成率" in carried
    assert "限时解决 <strong><a" in carried and "50.0%" in carried
    assert "尽力解决 <strong><a" in carried and "0.0%" in carried


def test_last_rounds_completion_figures_open_their_findings(sign_in, reviewer, last_years):
    last_years("verified", "去年已销项的问题")
    last_years("rectifying", "去年的外墙渗漏")
    client = sign_in(reviewer)
    text = client.get("/desk/rectification").get_data(as_text=True)
    [verified] = links(text, round="2023", state="verified", problem_class="限时解决")
    listing = client.get(verified).get_data(as_text=True)
    assert "已销项（1 条）" in listing and "去年已销项的问题" in listing
    confirmed = set(links(text, round="2023", state="confirmed", problem_class="限时解决"))
    assert len(confirmed) == 1  # the rate and the 确认问题 count open the same list
    listing = client.get(confirmed.pop()).get_data(as_text=True)
    assert "确认问题（2 条）" in listing


def test_a_round_without_a_previous_round_shows_no_last_round_rate(sign_in, reviewer,
                                                                   last_years):
    last_years("verified", "去年已销项的问题")
    text = sign_in(reviewer).get("/desk/rectification?round=2023").get_data(as_text=True)
    assert "问题整治完成率：" not in section(text, "上轮遗留问题")
