"""Agents sign in, change state, get a softphone token."""

from __future__ import annotations

import jwt
import pytest
from freezegun import freeze_time

from app.agents import services
from app.extensions import db
from app.floor.models import Department


@pytest.fixture
def billing(app):
    with app.app_context():
        db.session.add(Department(slug="billing", name="Billing", menu_key="1"))
        db.session.commit()


@pytest.fixture
def amy(app, billing):
    with app.app_context():
        services.create_agent("Amy Agent", "amy", departments=["billing"],
                              password="correct horse")
        db.session.commit()


def login(client, identity="amy", password="correct horse"):
    return client.post("/api/agents/login", json={"identity": identity, "password": password})


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_sign_in_and_go_available(client, amy):
    response = login(client)
    assert response.status_code == 200
    token = response.get_json()["token"]
    assert response.get_json()["agent"]["state"] == "offline"
    response = client.post("/api/agents/me/state", json={"state": "available"},
                           headers=auth(token))
    assert response.status_code == 200
    assert response.get_json()["state"] == "available"
    assert client.get("/api/agents/me", headers=auth(token)).get_json()["departments"] == [
        "billing"
    ]


def test_wrong_password_is_refused(client, amy):
    response = login(client, password="wrong password")
    assert response.status_code == 401
    assert response.get_json()["error"]["id"] == "bad_credentials"


def test_api_needs_a_token(client, amy):
    assert client.get("/api/agents/me").status_code == 401
    assert client.get("/api/agents/me", headers=auth("made-up")).status_code == 401


def test_away_needs_a_reason_and_unknown_states_are_refused(client, amy):
    token = login(client).get_json()["token"]
    response = client.post("/api/agents/me/state", json={"state": "away"}, headers=auth(token))
    assert response.status_code == 400 and response.get_json()["error"]["details"]["field"] == (
        "reason"
    )
    response = client.post("/api/agents/me/state", json={"state": "on_call"},
                           headers=auth(token))
    assert response.status_code == 400
    response = client.post("/api/agents/me/state", json={"state": "away", "reason": "lunch"},
                           headers=auth(token))
    assert response.get_json()["reason"] == "lunch"


def test_tokens_expire(client, app, amy):
    with freeze_time("2026-11-23 08:00:00") as frozen:
        token = login(client).get_json()["token"]
        frozen.tick(app.config["AGENT_TOKEN_HOURS"] * 3600 + 1)
        assert client.get("/api/agents/me", headers=auth(token)).status_code == 401


def test_softphone_token_is_a_voice_grant_for_the_agent(client, app, amy):
    token = login(client).get_json()["token"]
    body = client.get("/api/agents/me/token", headers=auth(token)).get_json()
    claims = jwt.decode(body["token"], app.config["TWILIO_API_SECRET"], algorithms=["HS256"])
    assert claims["grants"]["identity"] == "amy"
    voice = claims["grants"]["voice"]
    assert voice["incoming"]["allow"] is True
    assert voice["outgoing"]["application_sid"] == app.config["TWILIO_TWIML_APP_SID"]
    assert claims["iss"] == app.config["TWILIO_API_KEY"]


def test_admin_creates_agents_with_validation(client, app, billing):
    admin = auth(app.config["ADMIN_API_TOKEN"])
    bad = client.post("/api/agents", json={"name": "X", "identity": "not ok!",
                                           "departments": ["billing"]}, headers=admin)
    assert bad.status_code == 400 and bad.get_json()["error"]["details"]["field"] == "identity"
    unknown = client.post("/api/agents", json={"name": "X", "identity": "x",
                                               "departments": ["nope"]}, headers=admin)
    assert unknown.status_code == 400
    made = client.post("/api/agents", json={"name": "Bo", "identity": "bo_1",
                                            "departments": ["billing"], "password": "12345678"},
                       headers=admin)
    assert made.status_code == 201
    again = client.post("/api/agents", json={"name": "Bo", "identity": "bo_1",
                                             "departments": ["billing"]}, headers=admin)
    assert again.status_code == 409


def test_agents_cannot_list_the_floor_but_supervisors_can(client, app, amy):
    with app.app_context():
        services.create_agent("Sue", "sue", role="supervisor", departments=["billing"],
                              password="supervisor pw")
        db.session.commit()
    agent_token = login(client).get_json()["token"]
    assert client.get("/api/agents", headers=auth(agent_token)).status_code == 403
    sup_token = login(client, "sue", "supervisor pw").get_json()["token"]
    listed = client.get("/api/agents", headers=auth(sup_token)).get_json()["agents"]
    assert {a["identity"] for a in listed} == {"amy", "sue"}


def test_cli_creates_an_agent(app, billing):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agents", "create", "Cli Agent", "cli_agent",
                                 "--departments", "billing", "--password", "longenough"])
    assert result.exit_code == 0, result.output
    assert "created agent cli_agent" in result.output
    result = runner.invoke(args=["agents", "list"])
    assert "cli_agent" in result.output
