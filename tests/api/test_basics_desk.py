"""The desk's basics pages: the bureau reads and corrects an estate's and a community's basics;
every change is audited and shown with the name of who made it; a bad value is the form again
with its reason (4xx, nothing written), a stale form is refused, and anyone but the bureau is
refused as on the other bureau pages."""
import re

import pytest
from sqlalchemy import func, select

from server.accounts.models import Role
from server.audit.models import AuditEntry
from server.buildings.models import Community, Estate, PropertyCompany
from server.extensions import db
from server.syncing.models import Change


@pytest.fixture
def estate(make_estate, make_community, make_building, make_property_company):
    community = make_community("城东社区")
    estate = make_estate("达明新村", community)
    make_building(estate, "1#", year_built=1985, precast_slabs=False, households=36)
    make_building(estate, "2#", year_built=1992, households=48)
    make_estate("城东社区零星楼栋", community, is_temporary=True)
    make_property_company("夏县安居物业服务有限公司")
    db.session.commit()  # a refused form rolls the request's session back
    return estate


@pytest.fixture
def bureau(make_user, sign_in):
    user = make_user(Role.REVIEWER, display_name="县住建局审核员")
    sign_in(user)
    return user


def company(name="夏县安居物业服务有限公司") -> PropertyCompany:
    return db.session.scalar(select(PropertyCompany).where(PropertyCompany.name == name))


def estate_form(estate, **changes) -> dict:
    """The form as the page posts it: every field, blank where nothing is known."""
    form = {"version": str(estate.basics_version), "kind": "房改房", "built_from": "1985",
            "built_to": "1992", "land_area": "30000", "floor_area": "38000.5",
            "households": "640", "population": "1820", "property_company_id": ""}
    form.update(changes)
    return form


def post(client, csrf_from, url, form):
    return client.post(url, data={"csrf_token": csrf_from(url), **form})


def reload(instance):
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def texts(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_index_lists_every_estate_with_its_counted_buildings(client, bureau, estate):
    page = texts(client.get("/desk/basics/"))
    assert "城东社区" in page and "城东社区零星楼栋" in page
    assert re.search(r"达明新村</a></td>.*?<td class=\"num\">2</td>", page)  # 楼栋数, counted


def test_the_estate_page_shows_its_basics_in_the_form(client, bureau, estate):
    estate.kind, estate.built_from, estate.land_area = "商品房", 2001, 8333.33
    db.session.commit()
    page = texts(client.get(f"/desk/basics/estates/{estate.id}"))
    assert '<option value="商品房" selected>' in page
    assert 'name="built_from" inputmode="numeric" maxlength="4" size="6" value="2001"' in page
    assert 'name="land_area" inputmode="decimal" value="8333.33"' in page
    assert "2 栋" in page and "1985—1992年" in page  # what its buildings say


def test_the_bureau_saves_an_estate_and_the_change_is_audited_with_names(client, csrf_from,
                                                                         bureau, estate):
    url = f"/desk/basics/estates/{estate.id}"
    response = post(client, csrf_from, url,
                    estate_form(estate, property_company_id=str(company().id)))
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    saved = reload(estate)
    assert (saved.kind, saved.built_from, saved.built_to, saved.land_area, saved.floor_area,
            saved.households, saved.population, saved.property_company.name,
            saved.basics_version) == ("房改房", 1985, 1992, 30000.0, 38000.5, 640, 1820,
                                      "夏县安居物业服务有限公司", 2)
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.actor_id, entry.action, entry.entity, entry.entity_id) == (
        bureau.id, "estate.basics_edited", "estate", str(estate.id))
    assert entry.details["changes"]["households"] == [None, 640]
    assert entry.details["changes"]["property_company"] == [None, "夏县安居物业服务有限公司"]
    page = texts(client.get(url))
    assert "已保存：小区类型、建成年代（起）" in page
    assert "县住建局审核员" in page and f">{bureau.id}<" not in page
    assert "物业公司：— → 夏县安居物业服务有限公司" in page


def test_an_admin_may_edit_too(client, csrf_from, make_user, sign_in, estate):
    sign_in(make_user(Role.ADMIN))
    response = post(client, csrf_from, f"/desk/basics/estates/{estate.id}", estate_form(estate))
    assert response.status_code == 302 and reload(estate).kind == "房改房"


def test_a_blank_field_clears_a_basic_and_an_unchanged_form_writes_nothing(client, csrf_from,
                                                                           bureau, estate):
    url = f"/desk/basics/estates/{estate.id}"
    post(client, csrf_from, url, estate_form(estate))
    post(client, csrf_from, url, estate_form(reload(estate), population=""))
    assert reload(estate).population is None
    entries = audit_count()
    unchanged = post(client, csrf_from, url, estate_form(reload(estate), population=""))
    assert unchanged.status_code == 302 and audit_count() == entries
    assert "没有改动" in texts(client.get(url))


@pytest.mark.parametrize("field, value, reason", [
    ("households", "六百", "户数：应为整数"),
    ("households", "-1", "户数：户数应在 0 至 200000 之间"),
    ("built_to", "1980", "建成年代（止）：截止年份 1980 早于起始年份 1985"),
    ("built_from", "1899", "建成年代的起始年份应在 1900 至今之间"),
    ("kind", "别墅", "小区类型：小区类型应为"),
    ("land_area", "0", "占地面积：占地面积应大于 0"),
    ("land_area", "inf", "占地面积：应为数字"),
    ("population", "99999999999999999999", "常住人口："),
    ("property_company_id", "987654321", "物业公司：请从列表中选择"),
    ("version", "", "缺少版本号"),
    ("surprise", "1", "不认识的参数"),
])
def test_a_bad_value_is_the_form_again_with_its_reason_and_nothing_is_written(
        client, csrf_from, bureau, estate, field, value, reason):
    response = post(client, csrf_from, f"/desk/basics/estates/{estate.id}",
                    estate_form(estate, **{field: value}))
    assert 400 <= response.status_code < 500
    page = texts(response)
    assert reason in page
    assert 'name="households" inputmode="numeric" value="640"' in page or field == "households"
    assert reload(estate).kind is None and audit_count() == 0


def test_a_form_filled_before_someone_else_saved_is_refused(client, csrf_from, bureau, estate):
    stale = estate_form(estate)
    url = f"/desk/basics/estates/{estate.id}"
    post(client, csrf_from, url, estate_form(estate, households="600"))
    response = post(client, csrf_from, url, {**stale, "households": "700"})
    assert response.status_code == 409
    assert "基本情况在您打开页面后已被修改，请刷新页面后重新填写" in texts(response)
    assert 'name="households" inputmode="numeric" value="600"' in texts(response)  # as it is now
    assert reload(estate).households == 600 and audit_count() == 1


def test_a_temporary_estate_takes_no_property_company(client, csrf_from, bureau, estate):
    scattered = db.session.scalar(select(Estate).where(Estate.is_temporary.is_(True)))
    response = post(client, csrf_from, f"/desk/basics/estates/{scattered.id}",
                    estate_form(scattered, kind="自建房", property_company_id=str(company().id)))
    assert response.status_code == 422
    assert "零星楼栋组成的临时小区没有物业公司" in texts(response)
    assert reload(scattered).kind is None


def test_a_company_of_another_county_is_not_offered_nor_taken(client, csrf_from, bureau, estate,
                                                              make_county):
    elsewhere = PropertyCompany(county_id=make_county("外县", "149999").id, name="外县物业")
    db.session.add(elsewhere)
    db.session.commit()
    url = f"/desk/basics/estates/{estate.id}"
    assert "外县物业" not in texts(client.get(url))
    response = post(client, csrf_from, url, estate_form(estate, property_company_id=str(
        elsewhere.id)))
    assert response.status_code == 422 and reload(estate).property_company_id is None


def test_changing_the_company_reaches_the_devices_of_every_building(client, csrf_from, bureau,
                                                                    estate):
    before = db.session.scalar(select(func.max(Change.id)))
    post(client, csrf_from, f"/desk/basics/estates/{estate.id}",
         estate_form(estate, property_company_id=str(company().id)))
    announced = db.session.scalars(select(Change.entity_id).where(
        Change.kind == "building", Change.id > before)).all()
    assert sorted(announced) == sorted(str(b.id) for b in reload(estate).buildings)


def test_the_bureau_saves_a_community_and_it_is_audited(client, csrf_from, bureau, estate):
    url = f"/desk/basics/communities/{estate.community_id}"
    response = post(client, csrf_from, url, {
        "version": "0", "households": "3691", "population": "9833", "area": "518000",
        "contact_name": "李卫东", "contact_phone": "0359-8511087"})
    assert response.status_code == 302
    community = reload(estate.community)
    assert (community.households, community.population, community.area, community.contact_name,
            community.contact_phone, community.basics_version) == (
        3691, 9833, 518000.0, "李卫东", "0359-8511087", 1)
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.actor_id, entry.details["changes"]["contact_name"]) == (
        "community.basics_edited", bureau.id, [None, "李卫东"])
    page = texts(client.get(url))
    assert "联系人：— → 李卫东" in page and "县住建局审核员" in page


def test_a_bad_community_phone_is_the_form_again(client, csrf_from, bureau, estate):
    url = f"/desk/basics/communities/{estate.community_id}"
    response = post(client, csrf_from, url, {"version": "0", "households": "12",
                                             "contact_phone": "<script>"})
    assert response.status_code == 422
    assert "联系电话：联系电话应为" in texts(response) and "<script>" not in texts(response)
    assert reload(estate.community).households is None


@pytest.mark.parametrize("role", [Role.WORKER, Role.PROPERTY, Role.AGENCY])
def test_anyone_but_the_bureau_is_refused(client, csrf_from, make_user, sign_in, estate, role):
    own = {"communities": [estate.community]} if role == Role.WORKER else {}
    sign_in(make_user(role, **own))
    for url in ("/desk/basics/", f"/desk/basics/estates/{estate.id}",
                f"/desk/basics/communities/{estate.community_id}"):
        assert client.get(url).status_code == 403
    token = csrf_from("/desk/")
    for url, form in ((f"/desk/basics/estates/{estate.id}", estate_form(estate)),
                      (f"/desk/basics/communities/{estate.community_id}",
                       {"version": "0", "households": "1"})):
        response = client.post(url, data={"csrf_token": token, **form})
        assert response.status_code == 403 and "您的角色无权执行此操作" in texts(response)
    assert reload(estate).kind is None and audit_count() == 0
    assert "小区社区" not in texts(client.get("/desk/"))  # no link to pages it may not open


def test_an_estate_of_another_county_is_not_found(client, bureau, make_estate, make_community,
                                                  make_county):
    far = make_estate("远山新村", make_community("远山社区", "远山镇",
                                                county=make_county("外县", "149999")))
    db.session.commit()
    for url in (f"/desk/basics/estates/{far.id}", f"/desk/basics/communities/{far.community_id}"):
        response = client.get(url)
        assert response.status_code == 404 and "远山" not in texts(response)


def test_a_post_without_its_csrf_token_is_refused(client, bureau, estate):
    response = client.post(f"/desk/basics/estates/{estate.id}", data=estate_form(estate))
    assert response.status_code == 400 and reload(estate).kind is None


def test_the_ledger_matrix_links_the_bureau_to_the_basics(client, bureau, estate, make_user,
                                                          sign_in, survey_round):
    estate_page = texts(client.get(f"/desk/ledger/estates/{estate.id}"))
    assert f'href="/desk/basics/estates/{estate.id}">小区基本情况' in estate_page
    community_page = texts(client.get(f"/desk/ledger/communities/{estate.community_id}"))
    assert f'href="/desk/basics/communities/{estate.community_id}">社区基本情况' in community_page
    sign_in(make_user(Role.WORKER, communities=[estate.community]))
    assert "/desk/basics/" not in texts(client.get(f"/desk/ledger/estates/{estate.id}"))


def test_the_history_names_a_command_line_import_as_such(client, bureau, estate, app, write_csv):
    path = write_csv([["社区", "小区名称", "户数"], ["城东社区", "达明新村", "640"]], name="名单.csv")
    result = app.test_cli_runner().invoke(args=["estates", "import", str(path)])
    assert result.exit_code == 0, result.output
    page = texts(client.get(f"/desk/basics/estates/{estate.id}"))
    assert "命令行导入" in page and "导入 名单.csv 第 2 行" in page and "户数：— → 640" in page


def test_community_of_the_page_is_the_one_asked_for(client, bureau, estate, make_community):
    other = make_community("城西社区")
    db.session.commit()
    page = texts(client.get(f"/desk/basics/communities/{other.id}"))
    assert "城西社区 · 社区基本情况" in page and "达明新村" not in page
    assert db.session.get(Community, other.id).basics_version == 0
