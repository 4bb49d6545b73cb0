"""The overview and progress pages: buildings surveyed of total, the review backlog, overdue
problems and the completion rate, devices' last sync."""
from datetime import date, datetime, timezone

from server.extensions import db
from server.syncing.models import Device


def test_progress_counts_surveyed_buildings_backlog_and_last_sync(sign_in, reviewer, make_estate,
                                                                  make_building, make_finding):
    estate = make_estate()
    surveyed = make_building(estate=estate)
    make_building(estate=estate)
    finding = make_finding(surveyed)  # indicator 3, pending
    db.session.add(Device(id="dev-0001-abcd", user_id=finding.author_id,
                          last_push_at=datetime(2024, 7, 1, 2, 0, tzinfo=timezone.utc)))
    db.session.commit()
    text = sign_in(reviewer).get("/desk/progress").get_data(as_text=True)
    assert "1 / 2" in text  # indicator 3: one of two buildings
    assert "0 / 2" in text
    assert f"community={estate.community_id}\">1</a>" in text  # one finding awaiting review
    assert "2024-07-01 10:00" in text  # the push, in China time


def test_desk_pages_need_a_signed_in_user(client):
    for url in ("/desk/review/", "/desk/progress", "/desk/ledger/indicators",
                "/desk/exports/problems.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/desk/login" in response.headers["Location"]


def test_overview_sums_up_the_round_with_links_to_the_pages_behind(sign_in, reviewer,
                                                                   make_estate, make_building,
                                                                   make_finding):
    estate = make_estate()
    first, second = make_building(estate=estate), make_building(estate=estate)
    make_building(estate=estate)
    make_finding(first)  # pending
    make_finding(second, status="verified")
    make_finding(second, status="rectifying", deadline=date(2024, 9, 30))  # overdue since
    text = sign_in(reviewer).get("/desk/").get_data(as_text=True)
    assert "<strong>2</strong> / 3</a> 栋" in text  # surveyed of all buildings
    assert 'href="/desk/review/"><strong>1</strong></a> 条' in text
    assert "state=overdue\"><strong class=warn>1</strong>" in text
    assert "限时解决 <a href=\"/desk/rectification\"><strong>50.0%</strong></a>" in text


def test_overview_overdue_count_covers_every_round(sign_in, reviewer, make_round, survey_round,
                                                   make_building, make_finding):
    last_round = make_round(code="2023", is_current=False)
    survey_round.previous_round = last_round
    late = make_finding(make_building(), status="rectifying", deadline=date(2024, 9, 30))
    late.round_id = last_round.id
    db.session.commit()
    text = sign_in(reviewer).get("/desk/").get_data(as_text=True)
    assert "逾期未整改（所有轮次）" in text
    assert "state=overdue\"><strong class=warn>1</strong>" in text


def test_overview_shows_last_rounds_completion_rate(sign_in, reviewer, make_round, survey_round,
                                                    make_building, make_finding):
    last_round = make_round(code="2023", is_current=False)
    survey_round.previous_round = last_round
    for status in ("verified", "accepted", "rectifying", "rectified"):
        make_finding(make_building(), status=status).round_id = last_round.id
    db.session.commit()
    text = sign_in(reviewer).get("/desk/").get_data(as_text=True)
    assert "上轮（2023年城市体检）问题整治完成率" in text
    assert ('限时解决 <a href="/desk/rectification?round=2023"><strong>25.0%</strong></a>'
            "（已销项 1 / 确认问题 4）") in text


def test_overview_has_no_last_round_line_without_a_previous_round(sign_in, reviewer,
                                                                  survey_round):
    text = sign_in(reviewer).get("/desk/").get_data(as_text=True)
    assert "上轮" not in text
