"""The customers JSON API: look-ups in any phone format, edits, phones, errors."""

from __future__ import annotations

import pytest

NEW = {"name": "Asha Rao", "account_number": "ACC-1", "language": "hi",
       "phones": ["(415) 555-0100"], "notes": "Prefers mornings"}


@pytest.fixture
def asha(client, auth) -> dict:
    response = client.post("/api/customers", json=NEW, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body["error"]) == {"id", "message", "details"}
    return body["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/customers?phone=%2B14155550100"), ("post", "/api/customers"),
     ("get", "/api/customers/1"), ("patch", "/api/customers/1"),
     ("post", "/api/customers/1/phones"), ("delete", "/api/customers/1/phones/+14155550100"),
     ("get", "/api/calls/CA123/context")],
)
def test_every_route_needs_the_token(client, method, path):
    assert error(getattr(client, method)(path, json={}), 401)["id"] == "unauthorised"
    response = getattr(client, method)(path, json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_create_normalises_phones_and_defaults(asha):
    assert asha["name"] == "Asha Rao"
    assert asha["language"] == "hi"
    assert asha["tier"] == "standard"
    assert [p["number"] for p in asha["phones"]] == ["+14155550100"]
    assert asha["phones"][0]["source"] == "api"
    assert asha["interactions"] == []


def test_lookup_by_phone_in_any_format(client, auth, asha):
    for raw in ("(415) 555-0100", "+1 415 555 0100", "4155550100", "+14155550100"):
        response = client.get("/api/customers", query_string={"phone": raw}, headers=auth)
        assert response.status_code == 200
        assert [c["id"] for c in response.get_json()["customers"]] == [asha["id"]], raw


def test_lookup_by_account_number_and_name(client, auth, asha):
    other = client.post("/api/customers", json={"name": "Rahim Uddin"}, headers=auth).get_json()
    by_account = client.get("/api/customers?account_number=ACC-1", headers=auth).get_json()
    assert [c["id"] for c in by_account["customers"]] == [asha["id"]]
    by_name = client.get("/api/customers?q=uddin", headers=auth).get_json()
    assert [c["id"] for c in by_name["customers"]] == [other["id"]]
    assert client.get("/api/customers?q=100%25", headers=auth).get_json()["customers"] == []
    nobody = client.get("/api/customers?phone=%2B14155550199", headers=auth).get_json()
    assert nobody["customers"] == []


def test_bad_lookups_name_the_parameter(client, auth):
    assert error(client.get("/api/customers?phone=12", headers=auth), 400)["details"] == {
        "field": "phone", "value": "12"}
    assert error(client.get("/api/customers?q=a", headers=auth), 400)["details"]["field"] == "q"
    assert error(client.get("/api/customers?limit=x", headers=auth), 400)["details"][
        "field"] == "limit"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": "  "}, "name"), ({"name": 5}, "name"),
     ({"name": "A", "language": "fr"}, "language"), ({"name": "A", "tier": "gold"}, "tier"),
     ({"name": "A", "phones": ["12"]}, "phones"), ({"name": "A", "phones": 5}, "phones"),
     ({"name": "A", "colour": "red"}, "colour"), ({"name": "A", "notes": ["x"]}, "notes")],
)
def test_create_refuses_bad_fields(client, auth, body, field):
    assert error(client.post("/api/customers", json=body, headers=auth), 400)["details"][
        "field"] == field


def test_create_refuses_a_non_json_body(client, auth):
    err = error(client.post("/api/customers", data="name=x", headers=auth), 400)
    assert "JSON" in err["message"]


def test_create_refuses_taken_account_or_phone(client, auth, asha):
    err = error(client.post("/api/customers", json={"name": "B", "account_number": "ACC-1"},
                            headers=auth), 409)
    assert err["id"] == "account_number_taken"
    assert err["details"] == {"field": "account_number", "customer_id": asha["id"]}
    err = error(client.post("/api/customers", json={"name": "B", "phones": ["+14155550100"]},
                            headers=auth), 409)
    assert err["id"] == "phone_taken"


def test_patch_changes_fields(client, auth, asha):
    response = client.patch(f"/api/customers/{asha['id']}", headers=auth,
                            json={"name": "Asha R. Rao", "tier": "VIP", "language": "bn",
                                  "notes": "", "account_number": "ACC-9"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["tier"], body["language"], body["notes"],
            body["account_number"]) == ("Asha R. Rao", "vip", "bn", "", "ACC-9")
    again = client.get(f"/api/customers/{asha['id']}", headers=auth).get_json()
    assert again["account_number"] == "ACC-9"


def test_patch_account_number_conflict_is_409(client, auth, asha):
    other = client.post("/api/customers", json={"name": "B", "account_number": "ACC-2"},
                        headers=auth).get_json()
    err = error(client.patch(f"/api/customers/{other['id']}", json={"account_number": "ACC-1"},
                             headers=auth), 409)
    assert err["details"]["field"] == "account_number"
    # Keeping one's own account number is no conflict.
    same = client.patch(f"/api/customers/{asha['id']}", json={"account_number": "ACC-1"},
                        headers=auth)
    assert same.status_code == 200


def test_patch_refuses_bad_input(client, auth, asha):
    path = f"/api/customers/{asha['id']}"
    assert error(client.patch(path, json={"language": "xx"}, headers=auth), 400)["details"][
        "field"] == "language"
    assert error(client.patch(path, json={"phones": []}, headers=auth), 400)["details"][
        "field"] == "phones"
    assert error(client.patch(path, json={}, headers=auth), 400)["id"] == "invalid_input"


def test_unknown_customer_is_404(client, auth):
    assert error(client.get("/api/customers/999", headers=auth), 404)["id"] == \
        "customer_not_found"
    assert client.patch("/api/customers/999", json={"name": "x"}, headers=auth).status_code \
        == 404
    assert client.post("/api/customers/999/phones", json={"number": "+14155550100"},
                       headers=auth).status_code == 404


def test_add_and_remove_phones(client, auth, asha):
    path = f"/api/customers/{asha['id']}/phones"
    added = client.post(path, json={"number": "020 7946 0958"}, headers=auth)
    assert error(added, 400)["details"]["field"] == "number"  # not a US number
    added = client.post(path, json={"number": "+44 20 7946 0958"}, headers=auth)
    assert added.status_code == 201
    assert [p["number"] for p in added.get_json()["phones"]] == ["+14155550100",
                                                                 "+442079460958"]
    assert client.post(path, json={"number": "+442079460958"}, headers=auth).status_code == 200
    removed = client.delete(f"{path}/+14155550100", headers=auth)
    assert removed.status_code == 200
    assert [p["number"] for p in removed.get_json()["phones"]] == ["+442079460958"]
    assert error(client.delete(f"{path}/+14155550100", headers=auth), 404)["id"] == \
        "phone_not_found"
    # Any format in the URL, too.
    assert client.delete(f"{path}/+44%2020%207946%200958", headers=auth).status_code == 200


def test_a_phone_of_another_customer_is_not_moved(client, auth, asha):
    other = client.post("/api/customers", json={"name": "B"}, headers=auth).get_json()
    err = error(client.post(f"/api/customers/{other['id']}/phones",
                            json={"number": "(415) 555-0100"}, headers=auth), 409)
    assert err["details"]["customer_id"] == asha["id"]


def test_an_impossible_id_is_404_not_500(client, auth):
    response = client.get("/api/customers/99999999999999999999", headers=auth)
    assert error(response, 404)["id"] == "customer_not_found"


def test_patch_can_remove_the_account_number(client, auth, asha):
    response = client.patch(f"/api/customers/{asha['id']}", json={"account_number": None},
                            headers=auth)
    assert response.get_json()["account_number"] is None


def test_a_race_lost_at_commit_is_409_not_500(client, auth, asha, monkeypatch):
    from app.customers import services

    # As if another request took the account number between our check and our commit.
    monkeypatch.setattr(services, "_ensure_account_free", lambda *args: None)
    response = client.post("/api/customers", json={"name": "B", "account_number": "ACC-1"},
                           headers=auth)
    assert error(response, 409)["id"] == "conflict"
