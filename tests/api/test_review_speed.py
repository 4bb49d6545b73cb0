"""Review at speed: search and sort in the queue, next/previous within the filtered queue,
确认并下一条, 确认并下达整改 in one step, and the desk's building search."""
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.findings.decisions import version_of
from server.findings.models import Finding
from sync.china_time import china_today


@pytest.fixture
def estate(make_estate):
    return make_estate(name="达明新村")


@pytest.fixture
def queue_of_three(make_finding, make_building, estate):
    """Three pending findings of indicator 3 and one of indicator 4, oldest first."""
    findings = [make_finding(make_building(estate=estate, number=f"{n}#"),
                             description=f"踏步问题{n}") for n in (1, 2, 3)]
    make_finding(make_building(estate=estate, number="9#"), indicator=4, check_item="外墙渗漏")
    return findings


def finding_page(client, finding, **queue):
    return client.get(f"/desk/review/findings/{finding.uuid}", query_string=queue)


def post_decision(client, csrf_from, finding, queue, **data):
    page = f"/desk/review/findings/{finding.uuid}"
    token = csrf_from(page + "?" + "&".join(f"{k}={v}" for k, v in queue.items()))
    return client.post(f"{page}/decision", query_string=queue,
                       data={"csrf_token": token, "version": version_of(finding), **data})


def test_the_queue_finds_a_building_by_estate_and_number(sign_in, reviewer, queue_of_three):
    text = sign_in(reviewer).get("/desk/review/?q=达明新村2#").get_data(as_text=True)
    assert "踏步问题2" in text and "踏步问题1" not in text


def test_the_queue_finds_findings_by_their_text(sign_in, reviewer, queue_of_three):
    text = sign_in(reviewer).get("/desk/review/?q=问题3").get_data(as_text=True)
    assert "踏步问题3" in text and "踏步问题2" not in text


def test_a_percent_sign_in_the_search_matches_only_itself(sign_in, reviewer, queue_of_three):
    text = sign_in(reviewer).get("/desk/review/?q=%25").get_data(as_text=True)
    assert "踏步问题1" not in text and "没有符合条件的问题" in text


def test_the_queue_sorts_newest_first_when_asked(sign_in, reviewer, queue_of_three):
    text = sign_in(reviewer).get("/desk/review/?sort=newest&indicator=3").get_data(as_text=True)
    assert text.index("踏步问题3") < text.index("踏步问题1")


@pytest.mark.parametrize("query", ["sort=sideways", "q=" + "长" * 61])
def test_a_nonsense_sort_or_search_is_a_clear_400(sign_in, reviewer, query):
    assert sign_in(reviewer).get(f"/desk/review/?{query}").status_code == 400


def test_a_finding_page_offers_next_and_previous_within_the_filtered_queue(
        sign_in, reviewer, queue_of_three):
    first, second, third = queue_of_three
    text = finding_page(sign_in(reviewer), second, indicator=3).get_data(as_text=True)
    assert f"/desk/review/findings/{first.uuid}?" in text
    assert f"/desk/review/findings/{third.uuid}?" in text
    links = re.findall(r'id="(?:next|previous)-finding" href="([^"]+)"', text)
    assert all(parse_qs(urlsplit(link.replace("&amp;", "&")).query)["indicator"] == ["3"]
               for link in links) and len(links) == 2


def test_the_breadcrumb_returns_to_the_queue_with_its_filters(sign_in, reviewer, queue_of_three):
    text = finding_page(sign_in(reviewer), queue_of_three[0], indicator=3, q="踏步",
                        sort="newest").get_data(as_text=True)
    back = re.search(r'href="([^"]+)" id="back-to-queue"', text).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(back).query) == {"indicator": ["3"], "q": ["踏步"],
                                              "sort": ["newest"], "status": ["pending"]}


def test_accept_and_next_goes_to_the_next_finding_of_the_same_queue(
        client, sign_in, csrf_from, reviewer, queue_of_three):
    first, second, _ = queue_of_three
    sign_in(reviewer)
    response = post_decision(client, csrf_from, first, {"indicator": 3}, decision="accept",
                             advance="1")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/desk/review/findings/{second.uuid}"
    assert parse_qs(target.query)["indicator"] == ["3"]
    db.session.expire_all()
    assert db.session.get(Finding, first.id).status == "accepted"


def test_accept_and_next_on_the_last_finding_returns_to_the_queue(
        client, sign_in, csrf_from, reviewer, queue_of_three):
    sign_in(reviewer)
    response = post_decision(client, csrf_from, queue_of_three[2], {"indicator": 3},
                             decision="accept", advance="1")
    target = urlsplit(response.headers["Location"])
    assert target.path == "/desk/review/" and parse_qs(target.query)["indicator"] == ["3"]


def test_a_reviewer_clears_a_queue_of_twenty_with_one_action_each(
        client, sign_in, csrf_from, reviewer, make_finding, make_building, estate):
    findings = [make_finding(make_building(estate=estate, number=f"{n}#")) for n in range(20)]
    sign_in(reviewer)
    current, decided = findings[0], 0
    while current is not None:
        response = post_decision(client, csrf_from, current, {}, decision="accept", advance="1")
        decided += 1
        path = urlsplit(response.headers["Location"]).path
        current = next((f for f in findings if path.endswith(f.uuid)), None)
    assert decided == 20
    db.session.expire_all()
    assert {db.session.get(Finding, f.id).status for f in findings} == {"accepted"}


def test_accept_and_rectify_is_one_step_with_its_deadline(client, sign_in, csrf_from, reviewer,
                                                          queue_of_three):
    finding = queue_of_three[0]
    sign_in(reviewer)
    page = f"/desk/review/findings/{finding.uuid}"
    deadline = china_today() + timedelta(days=30)
    response = client.post(f"{page}/accept-and-rectify", data={
        "csrf_token": csrf_from(page), "version": version_of(finding),
        "deadline": deadline.isoformat(), "reason": "物业公司修补踏步"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Finding, finding.id)
    assert (stored.status, stored.deadline) == ("rectifying", deadline)


def test_accept_and_rectify_without_the_required_deadline_changes_nothing(
        client, sign_in, csrf_from, reviewer, queue_of_three):
    finding = queue_of_three[0]  # 限时解决: a deadline is required
    sign_in(reviewer)
    page = f"/desk/review/findings/{finding.uuid}"
    response = client.post(f"{page}/accept-and-rectify", data={
        "csrf_token": csrf_from(page), "version": version_of(finding)})
    assert response.status_code == 422
    assert "须填写整改完成时限" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "pending"


def test_the_estate_filter_knows_each_estates_community(sign_in, reviewer, queue_of_three,
                                                        estate):
    text = sign_in(reviewer).get("/desk/review/").get_data(as_text=True)
    assert f'value="{estate.id}" data-community="{estate.community_id}"' in text


def test_the_building_search_opens_the_one_building_it_finds(sign_in, reviewer, make_building,
                                                            estate):
    building = make_building(estate=estate, number="3#")
    make_building(estate=estate, number="4#")
    response = sign_in(reviewer).get("/desk/buildings/?q=达明新村3#")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desk/buildings/{building.id}")


def test_the_building_search_lists_only_buildings_in_scope(sign_in, make_user, make_building,
                                                          make_estate, make_community, estate):
    make_building(estate=estate, number="3#")
    make_building(estate=estate, number="4#")
    elsewhere = make_estate(name="达明新村二期", community=make_community("别处社区"))
    make_building(estate=elsewhere, number="5#")
    worker = make_user(Role.WORKER, communities=[estate.community])
    text = sign_in(worker).get("/desk/buildings/?q=达明新村").get_data(as_text=True)
    assert "3#" in text and "4#" in text and "达明新村二期" not in text


def test_the_queue_takes_the_same_queries_for_3_or_30_findings(app, sign_in, reviewer,
                                                               make_finding, make_building,
                                                               estate):
    from sqlalchemy import event

    def queries_for(count: int) -> int:
        for n in range(count):
            make_finding(make_building(estate=estate, number=f"{count}-{n}#"),
                         indicator=5, check_item="外墙脱落")
        client = sign_in(reviewer)
        db.session.expunge_all()  # the request loads what it shows, as in production
        seen = []
        note = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            page = client.get("/desk/review/?indicator=5")
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert page.status_code == 200 and "调查表" in page.get_data(as_text=True)
        db.session.execute(db.update(Finding).where(Finding.indicator == 5)
                           .values(indicator=6))
        db.session.commit()
        return sum(statement.lstrip().upper().startswith("SELECT") for statement in seen)

    few = queries_for(3)
    assert queries_for(30) == few
