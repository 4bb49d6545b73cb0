"""The desk's page of one submission (/desk/submissions/<uuid>): the whole form by its labels,
answers in words, what the rules skipped, the findings it produced, other surveys beside it."""
import re
import uuid

import pytest
from markupsafe import escape

from server.accounts.models import Role
from server.extensions import db
from server.surveys.models import Submission
from tests.factories import submission_op

PHOTO = "c" * 64
STRUCTURE_FORM = "2024-structural-safety"


@pytest.fixture
def building(make_building):
    return make_building(year_built=1978, gas_supply="pipeline", floors_above=6)


@pytest.fixture
def worker(make_user, building, make_round):
    make_round()
    return make_user(Role.WORKER, communities=[building.estate.community])


@pytest.fixture
def submitted(push, auth_headers, worker, building):
    """Pushes a filled form as the worker's phone would; returns the stored submission."""
    def send(answers, form_id="2024-gas-safety", **overrides):
        operation = submission_op(building, answers, form_id=form_id, **overrides)
        response = push(auth_headers(worker), operation)
        assert response.json["results"][0]["status"] == "applied", response.json
        return db.session.scalar(db.select(Submission).where(Submission.uuid == operation["id"]))
    return send


@pytest.fixture
def structure_answers(clear_answers):
    def make(**overrides):
        return clear_answers(STRUCTURE_FORM, **{"appraisal_grade": "none", **overrides})
    return make


def page_text(response) -> str:
    assert response.status_code == 200, response.data[:800]
    return response.get_data(as_text=True)


def answer_of(text: str, question_id: str) -> str:
    """The words shown as the answer to one question (tags stripped)."""
    cell = re.search(rf'data-answer="{question_id}">(.*?)</dd>', text, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_page_shows_the_form_by_labels_and_answers_in_words(
        sign_in, reviewer, submitted, gas_answers):
    submission = submitted(gas_answers(
        rubber_hose=True, rubber_hose_households=2,
        rubber_hose_location={"unit": "2单元", "floor": 3, "detail": "302室厨房"},
        rubber_hose_photos=[PHOTO], remarks="住户不在家两户"))
    text = page_text(sign_in(reviewer).get(f"/desk/submissions/{submission.uuid}"))
    assert "是否有燃气用户使用橡胶软管连接燃气灶具或热水器" in text
    assert "rubber_hose_households<" not in text  # ids are not shown as labels
    assert answer_of(text, "rubber_hose").startswith("是")
    assert answer_of(text, "hose_faulty") == "否"
    assert answer_of(text, "households_checked") == "12"
    assert answer_of(text, "rubber_hose_location") == "2单元 · 3层 · 302室厨房"
    assert answer_of(text, "remarks") == "住户不在家两户"
    assert f'/desk/photos/{PHOTO}?size=thumb' in text
    assert f'/desk/photos/{PHOTO}?size=display' in text
    assert "测试用户" in text  # the author's display name
    assert "2024-07-01 09:30" in text  # captured at, China time
    [finding] = submission.findings
    assert f"/desk/review/findings/{finding.uuid}" in text


def test_choices_are_shown_by_their_labels(sign_in, reviewer, submitted, structure_answers):
    submission = submitted(structure_answers(appraisal_grade="C", appraisal_grade_photos=[PHOTO]),
                           form_id=STRUCTURE_FORM)
    text = page_text(sign_in(reviewer).get(f"/desk/submissions/{submission.uuid}"))
    assert answer_of(text, "appraisal_grade").startswith("C级（局部危房）")
    assert "专业机构安全鉴定结论" in text


def test_questions_the_rules_skipped_are_marked(sign_in, reviewer, submitted, gas_answers):
    submission = submitted(gas_answers())
    text = page_text(sign_in(reviewer).get(f"/desk/submissions/{submission.uuid}"))
    assert answer_of(text, "rubber_hose_photos") == "未适用（按规则跳过）"
    assert answer_of(text, "cylinder_faulty") == "未适用（按规则跳过）"  # a pipeline-gas building
    assert answer_of(text, "no_safety_valve") == "否"
    assert answer_of(text, "remarks") == "未填写"
    assert "本次调查未发现问题" in text


def test_worker_text_is_escaped(sign_in, reviewer, submitted, gas_answers):
    remark = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    submission = submitted(gas_answers(remarks=remark))
    text = page_text(sign_in(reviewer).get(f"/desk/submissions/{submission.uuid}"))
    assert remark not in text
    assert str(escape(remark)) in text


def test_other_surveys_of_the_building_and_indicator_are_listed(
        sign_in, reviewer, submitted, gas_answers, structure_answers):
    first = submitted(gas_answers())
    second = submitted(gas_answers(households_checked=20))
    other_indicator = submitted(structure_answers(), form_id=STRUCTURE_FORM)
    text = page_text(sign_in(reviewer).get(f"/desk/submissions/{second.uuid}"))
    others = text.split('id="others"')[1]
    assert f"/desk/submissions/{first.uuid}" in others
    assert f"/desk/submissions/{second.uuid}" not in others
    assert f"/desk/submissions/{other_indicator.uuid}" not in others


def test_outside_the_users_scope_looks_like_not_found_and_names_nothing(
        client, sign_in, make_user, make_community, submitted, gas_answers, building):
    submission = submitted(gas_answers())
    stranger = make_user(Role.WORKER, communities=[make_community(name="城西社区")])
    browser = sign_in(stranger)
    foreign = browser.get(f"/desk/submissions/{submission.uuid}")
    unknown = browser.get(f"/desk/submissions/{uuid.uuid4()}")
    assert foreign.status_code == unknown.status_code == 404
    body = foreign.get_data(as_text=True)
    for name in (building.label, building.number, building.estate.name,
                 building.estate.community.name):
        assert name not in body
    assert body.replace(submission.uuid, "") == unknown.get_data(as_text=True).replace(
        unknown.request.path.rsplit("/", 1)[1], "")


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "x" * 300, "%00", "1'%20OR%20'1'='1"])
def test_malformed_uuid_is_a_not_found_page(sign_in, reviewer, bad):
    response = sign_in(reviewer).get(f"/desk/submissions/{bad}")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True)  # a NUL is refused before the page
    assert response.mimetype == "text/html"


def test_signed_out_visitor_is_sent_to_sign_in(client, submitted, gas_answers):
    submission = submitted(gas_answers())
    response = client.get(f"/desk/submissions/{submission.uuid}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_finding_and_building_pages_link_to_the_submission(
        sign_in, reviewer, submitted, gas_answers, building):
    submission = submitted(gas_answers(
        rubber_hose=True, rubber_hose_households=2,
        rubber_hose_location={"unit": "2单元"}, rubber_hose_photos=[PHOTO]))
    browser = sign_in(reviewer)
    [finding] = submission.findings
    link = f"/desk/submissions/{submission.uuid}"
    assert link in page_text(browser.get(f"/desk/review/findings/{finding.uuid}"))
    assert link in page_text(browser.get(f"/desk/buildings/{building.id}"))
