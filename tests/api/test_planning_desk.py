"""The bureau's planning on the desk: the 责任单位 by name, and per item of a 社区's 整治建议清单 its
整治优先级 and 是否纳入下一年度计划 — and the list says what the bureau set."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.extensions import db
from server.planning.models import ProblemPlan, ResponsibleUnit

UNITS = "/desk/planning/units"
PLANS = "/desk/planning/plans"


@pytest.fixture
def gas_problem(make_estate, make_building, make_finding):
    """A confirmed gas problem (燃气公司) in 达明新村."""
    estate = make_estate(name="达明新村")
    make_finding(make_building(estate=estate, number="3#"), status="accepted", indicator=2,
                 check_item="燃气用户使用橡胶软管", responsible_unit="燃气公司",
                 problem_class="尽力解决", severity="一般")
    return estate


@pytest.fixture
def desk(client, sign_in, reviewer, csrf_from):
    """The reviewer's client and a way to post a desk form with its CSRF token."""
    sign_in(reviewer)

    def post(url, page, **data):
        return client.post(url, data={"csrf_token": csrf_from(page), **data})
    client.post_form = post
    return client


def suggestion_row(client, estate):
    response = client.get(f"/desk/exports/suggestions.xlsx?community={estate.community_id}")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    return dict(zip(rows[1], rows[2]))


def test_a_named_unit_and_the_town_are_the_lists_responsible_units(desk, gas_problem):
    assert suggestion_row(desk, gas_problem)["责任单位"] == "燃气公司、瑶峰镇"
    response = desk.post_form(f"{UNITS}/燃气公司", UNITS, name="夏县天然气有限公司",
                              contact="王工 0359-8888888")
    assert response.status_code == 302
    assert suggestion_row(desk, gas_problem)["责任单位"] == "夏县天然气有限公司、瑶峰镇"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "responsible_unit.saved")) == 1


def test_the_registry_page_lists_every_kind_with_its_open_problems(desk, gas_problem):
    text = desk.get(UNITS).get_data(as_text=True)
    assert all(kind in text for kind in ("住建局", "燃气公司", "供水单位", "产权单位"))
    assert '<td class="num">1</td>' in text  # the open gas problem


def test_a_unit_answering_for_open_problems_is_not_deleted(desk, gas_problem):
    desk.post_form(f"{UNITS}/燃气公司", UNITS, name="夏县天然气有限公司")
    response = desk.post_form(f"{UNITS}/燃气公司/delete", UNITS)
    assert response.status_code == 409
    assert "还有 1 个未销项的问题由“燃气公司”" in response.get_data(as_text=True)
    assert db.session.scalar(select(ResponsibleUnit.name)) == "夏县天然气有限公司"


def test_a_unit_without_open_problems_is_deleted(desk, gas_problem):
    desk.post_form(f"{UNITS}/供水单位", UNITS, name="夏县自来水有限公司")
    assert desk.post_form(f"{UNITS}/供水单位/delete", UNITS).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ResponsibleUnit)) == 0


def test_a_unit_name_too_long_is_refused_and_nothing_saved(desk):
    response = desk.post_form(f"{UNITS}/燃气公司", UNITS, name="燃" * 101)
    assert response.status_code == 422 and "单位名称为 1—100 个字" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ResponsibleUnit)) == 0


def test_an_unknown_kind_is_not_found(desk):
    assert desk.post_form(f"{UNITS}/天文台", UNITS, name="某台").status_code == 404


@pytest.mark.parametrize("role", [Role.WORKER, Role.PROPERTY, Role.AGENCY])
def test_only_the_bureau_plans(client, sign_in, make_user, role, gas_problem):
    user = make_user(role, communities=[gas_problem.community])
    sign_in(user)
    assert client.get(UNITS).status_code == 403 and client.get(PLANS).status_code == 403


def test_the_bureaus_priority_and_plan_replace_the_proposal(desk, gas_problem):
    row = suggestion_row(desk, gas_problem)
    assert (row["整治优先级"], row["是否纳入下一年度计划"]) == ("低", "否")  # 尽力解决: proposed
    page = f"{PLANS}?community={gas_problem.community_id}"
    assert "燃气用户使用橡胶软管" in desk.get(page).get_data(as_text=True)
    response = desk.post_form(PLANS, page, community=gas_problem.community_id, indicator=2,
                              check_item="燃气用户使用橡胶软管", priority="高",
                              next_year_plan="true")
    assert response.status_code == 302
    row = suggestion_row(desk, gas_problem)
    assert (row["整治优先级"], row["是否纳入下一年度计划"]) == ("高", "是")
    assert "已由" in desk.get(page).get_data(as_text=True)


def test_a_plan_for_an_item_not_in_the_list_is_refused(desk, gas_problem):
    page = f"{PLANS}?community={gas_problem.community_id}"
    response = desk.post_form(PLANS, page, community=gas_problem.community_id, indicator=2,
                              check_item="不存在的问题", priority="高", next_year_plan="true")
    assert response.status_code == 404 and "清单中没有这一问题" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProblemPlan)) == 0


def test_a_plan_for_an_unknown_community_is_refused(desk, gas_problem):
    response = desk.post_form(PLANS, PLANS, community=999999, indicator=2,
                              check_item="燃气用户使用橡胶软管", priority="高", next_year_plan="true")
    assert response.status_code == 404 and "找不到该社区" in response.get_data(as_text=True)


def test_a_bad_priority_is_a_form_error(desk, gas_problem):
    response = desk.post_form(PLANS, PLANS, community=gas_problem.community_id, indicator=2,
                              check_item="燃气用户使用橡胶软管", priority="最高", next_year_plan="true")
    assert response.status_code == 422 and "整治优先级应为" in response.get_data(as_text=True)
