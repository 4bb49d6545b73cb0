"""The forms are public, so the app can cache them before anyone signs in."""


def test_forms_lists_the_ten_indicators_of_2024(client, make_round):
    make_round()
    response = client.get("/api/forms")
    assert response.status_code == 200
    assert response.json["system"] == "2024"
    assert [f["indicator"] for f in response.json["forms"]] == list(range(1, 11))
    assert all(f["id"] and f["version"] >= 1 for f in response.json["forms"])


def test_forms_without_any_round_fall_back_to_the_newest_system(client):
    listing = client.get("/api/forms").json
    assert listing["system"] == "2025"
    assert [f["indicator"] for f in listing["forms"]] == list(range(1, 10))
    assert listing["round_year"] is None


def test_forms_of_a_2025_round_carry_its_year_and_the_systems_settings(client, make_round):
    make_round(code="2025", system="2025")
    listing = client.get("/api/forms?round=2025").json
    assert [f["id"] for f in listing["forms"]][1] == "2025-gas-safety"
    assert listing["round_year"] == 2025
    assert listing["settings"] == {"aging_home_share_percent": 30}


def test_forms_of_a_named_round(client, make_round):
    make_round()
    assert client.get("/api/forms?round=2024").json["round"] == "2024"


def test_forms_of_an_unknown_round_is_404(client):
    response = client.get("/api/forms?round=1999")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "round.unknown"


def test_one_form_is_returned_whole(client):
    listing = client.get("/api/forms").json["forms"]
    gas = next(f for f in listing if f["indicator"] == 2)
    document = client.get(f"/api/forms/{gas['id']}").json
    assert document["id"] == gas["id"]
    assert document["sections"][0]["questions"]
    assert document["counts_if"]


def test_unknown_form_is_404(client):
    response = client.get("/api/forms/no-such-form")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "form.unknown"


def test_forms_need_no_sign_in(client):
    assert client.get("/api/forms").status_code == 200
    assert client.get("/api/forms/2024-gas-safety").status_code == 200
