"""One error shape for the whole API; bad requests get a 4xx that says what to fix, never a 500."""
import pytest

from server.accounts.models import Role


@pytest.fixture
def worker(make_user, auth_headers, make_community):
    return auth_headers(make_user(Role.WORKER, communities=[make_community()]))


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)


def test_unknown_route_is_a_json_404(client):
    assert_error(client.get("/api/nothing-here"), 404, "route.not_found")


def test_wrong_method_is_a_json_405(client):
    assert_error(client.put("/api/forms"), 405, "method.not_allowed")


def test_malformed_json_is_400(client, worker):
    response = client.post("/api/sync/push", headers={**worker, "Content-Type": "application/json"},
                           data=b"{not json")
    assert_error(response, 400, "request.malformed")


def test_json_array_body_is_400(client, worker):
    assert_error(client.post("/api/sync/push", headers=worker, json=[1, 2]), 400,
                 "request.malformed")


def test_form_encoded_body_is_415(client, worker):
    response = client.post("/api/sync/push", headers=worker, data={"a": "b"})
    assert_error(response, 415, "request.unsupported_media_type")


def test_unknown_field_is_refused_with_its_name(client):
    response = client.post("/api/auth/token", json={"username": "a", "password": "b", "admin": 1})
    assert_error(response, 422, "request.invalid")
    assert "admin" in response.json["error"]["details"]["fields"]


def test_missing_field_is_named(client):
    response = client.post("/api/auth/token", json={"username": "a"})
    assert_error(response, 422, "request.invalid")
    assert "password" in response.json["error"]["details"]["fields"]


def test_wrong_type_is_refused(client, worker, make_building):
    building = make_building()
    response = client.patch(f"/api/buildings/{building.id}", headers=worker,
                            json={"floors_above": "六"})
    assert response.status_code in (403, 422)


def test_impossible_value_is_refused_and_nothing_changes(client, make_user, auth_headers,
                                                         make_building):
    building = make_building()
    headers = auth_headers(make_user(Role.ADMIN))
    response = client.patch(f"/api/buildings/{building.id}", headers=headers,
                            json={"floors_above": 0, "has_elevator": True})
    assert_error(response, 422, "request.invalid")
    assert building.floors_above == 6 and building.has_elevator is False


def test_bad_query_parameter_is_400(client, worker):
    response = client.get("/api/buildings?page=abc", headers=worker)
    assert_error(response, 400, "request.bad_parameter")
    assert "page" in response.json["error"]["details"]["fields"]


def test_unknown_query_parameter_is_400(client, worker):
    assert_error(client.get("/api/buildings?colour=red", headers=worker), 400,
                 "request.bad_parameter")


def test_missing_building_is_404(client, make_user, auth_headers):
    headers = auth_headers(make_user(Role.ADMIN))
    assert_error(client.get("/api/buildings/999999", headers=headers), 404, "resource.not_found")


def test_id_too_large_for_the_database_is_a_404_like_any_unknown_address(
        client, make_user, auth_headers):
    headers = auth_headers(make_user(Role.ADMIN))
    assert_error(client.get(f"/api/buildings/{2 ** 40}", headers=headers), 404,
                 "route.not_found")


def test_query_number_too_large_for_the_database_is_a_400_naming_it(client, worker):
    response = client.get(f"/api/buildings?community_id={2 ** 40}", headers=worker)
    assert_error(response, 400, "request.bad_parameter")
    assert "community_id" in response.json["error"]["details"]["fields"]


def test_oversized_request_is_413(app, client, worker):
    response = client.post("/api/sync/push", headers=worker, data=b"x" * (33 * 1024 * 1024),
                           content_type="application/json")
    assert_error(response, 413, "request.too_large")


def test_script_in_a_text_field_is_stored_as_text(client, make_user, auth_headers, make_building):
    building = make_building()
    headers = auth_headers(make_user(Role.ADMIN))
    response = client.patch(f"/api/buildings/{building.id}", headers=headers,
                            json={"address": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response.json["address"] == "<script>alert(1)</script>"
    assert response.headers["Content-Type"].startswith("application/json")


def test_error_catalogue_is_published(client):
    codes = {entry["code"] for entry in client.get("/api/errors").json}
    assert {"request.invalid", "resource.not_found", "form.unknown"} <= codes
