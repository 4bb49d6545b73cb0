"""Every endpoint checks role and scope: a worker sees only their communities, a property
company only the estates it manages; county-wide roles see the county."""
import pytest

from server.accounts.models import Role
from tests.factories import submission_op


@pytest.fixture
def two_communities(make_community, make_estate, make_building, make_property_company):
    """Community A and B, each with one estate and one building; A's estate is managed."""
    company = make_property_company("阳光物业")
    community_a, community_b = make_community("城东社区"), make_community("城西社区")
    building_a = make_building(make_estate("达明新村", community_a, property_company=company), "3#")
    building_b = make_building(make_estate("建设路小区", community_b), "1#")
    return {"a": community_a, "b": community_b, "building_a": building_a,
            "building_b": building_b, "company": company}


@pytest.fixture
def worker_a(make_user, auth_headers, two_communities):
    return auth_headers(make_user(Role.WORKER, communities=[two_communities["a"]]))


def listed_ids(client, headers, **params):
    response = client.get("/api/buildings", headers=headers, query_string=params)
    assert response.status_code == 200
    return {b["id"] for b in response.json["items"]}


def test_worker_lists_only_buildings_of_their_communities(client, worker_a, two_communities):
    assert listed_ids(client, worker_a) == {two_communities["building_a"].id}


def test_worker_cannot_read_a_building_of_another_community(client, worker_a, two_communities):
    response = client.get(f"/api/buildings/{two_communities['building_b'].id}", headers=worker_a)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "resource.not_found"
    assert "建设路" not in response.get_data(as_text=True)


def test_a_foreign_building_and_a_missing_one_are_refused_alike(client, worker_a, two_communities):
    foreign = client.get(f"/api/buildings/{two_communities['building_b'].id}", headers=worker_a)
    missing = client.get("/api/buildings/999999", headers=worker_a)
    assert (foreign.status_code, foreign.json) == (missing.status_code, missing.json)


def test_worker_cannot_correct_a_building_of_another_community(client, worker_a, two_communities):
    building = two_communities["building_b"]
    response = client.patch(f"/api/buildings/{building.id}", headers=worker_a,
                            json={"has_elevator": True})
    assert response.status_code == 404
    assert building.has_elevator is False


def test_worker_can_correct_a_building_of_their_community(client, worker_a, two_communities):
    building = two_communities["building_a"]
    response = client.patch(f"/api/buildings/{building.id}", headers=worker_a,
                            json={"has_elevator": True, "floors_above": 7})
    assert response.status_code == 200
    assert response.json["has_elevator"] is True
    assert response.json["floors_above"] == 7


def test_worker_cannot_submit_a_survey_for_another_community(push, worker_a, two_communities,
                                                              make_round, gas_answers):
    make_round()
    response = push(worker_a, submission_op(two_communities["building_b"], gas_answers()))
    [result] = response.json["results"]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "resource.not_found"
    assert "建设路" not in str(result)


def test_worker_communities_lists_only_their_own(client, worker_a):
    response = client.get("/api/communities", headers=worker_a)
    assert [c["name"] for c in response.json] == ["城东社区"]
    assert response.json[0]["estates"][0]["building_count"] == 1


def test_property_company_sees_only_the_estates_it_manages(client, make_user, auth_headers,
                                                           two_communities):
    headers = auth_headers(make_user(Role.PROPERTY,
                                     property_company=two_communities["company"]))
    assert listed_ids(client, headers) == {two_communities["building_a"].id}
    response = client.get(f"/api/buildings/{two_communities['building_b'].id}", headers=headers)
    assert response.status_code == 404


def test_property_company_without_estates_sees_nothing(client, make_user, auth_headers,
                                                       two_communities):
    headers = auth_headers(make_user(Role.PROPERTY))
    assert listed_ids(client, headers) == set()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.AGENCY, Role.ADMIN])
def test_county_wide_roles_see_every_building_of_the_county(client, make_user, auth_headers,
                                                            two_communities, role):
    headers = auth_headers(make_user(role))
    assert listed_ids(client, headers) == {two_communities["building_a"].id,
                                           two_communities["building_b"].id}


def test_reviewer_cannot_submit_field_surveys(client, make_user, auth_headers, two_communities,
                                              make_round):
    make_round()
    headers = auth_headers(make_user(Role.REVIEWER))
    building = two_communities["building_a"]
    response = client.patch(f"/api/buildings/{building.id}", headers=headers,
                            json={"has_elevator": True})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "auth.forbidden"


def test_buildings_of_another_county_are_invisible_to_a_reviewer(
        client, make_user, auth_headers, make_county, make_community, make_estate,
        make_building, two_communities):
    other = make_community("外县社区", county=make_county("闻喜县", "140823"))
    make_building(make_estate("外县小区", other))
    headers = auth_headers(make_user(Role.REVIEWER))
    assert len(listed_ids(client, headers)) == 2


def test_search_finds_a_building_by_estate_and_number(client, worker_a, two_communities):
    assert listed_ids(client, worker_a, q="达明新村3") == {two_communities["building_a"].id}
    assert listed_ids(client, worker_a, q="no-such") == set()
