"""The languages an agent speaks: set by the JSON API, the CLI and a CSV file, checked, and
followed at once by an available agent's place in the router's lines."""

from __future__ import annotations

import pytest

from app.agents import services
from app.extensions import db
from app.floor.languages import LANGUAGES
from app.floor.models import Department
from app.queue import queue_services
from tests.agents.test_api import auth, login


@pytest.fixture
def billing(app):
    with app.app_context():
        db.session.add(Department(slug="billing", name="Billing", menu_key="1"))
        db.session.add(Department(slug="support", name="Support", menu_key="2"))
        db.session.commit()


@pytest.fixture
def amy(app, billing):
    with app.app_context():
        services.create_agent("Amy Agent", "amy", departments=["billing"],
                              password="correct horse")
        db.session.commit()


def test_an_agent_speaks_the_floors_default_language_unless_told(app, amy):
    with app.app_context():
        assert services.find_agent("amy").language_codes == [app.config["DEFAULT_LANGUAGE"]]


def test_the_api_creates_an_agent_with_languages_and_refuses_unknown_ones(client, app, billing):
    admin = auth(app.config["ADMIN_API_TOKEN"])
    made = client.post("/api/agents", json={"name": "Bo", "identity": "bo", "departments":
                                            ["billing"], "languages": ["bn", "en"]},
                       headers=admin)
    assert made.status_code == 201 and made.get_json()["languages"] == ["bn", "en"]
    bad = client.post("/api/agents", json={"name": "Cy", "identity": "cy", "departments": [],
                                           "languages": ["xx"]}, headers=admin)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["details"] == {
        "field": "languages", "unknown": ["xx"], "allowed": list(LANGUAGES)}


def test_a_supervisor_sets_an_agents_languages_and_routing_follows_at_once(client, app, amy):
    token = login(client).get_json()["token"]
    client.post("/api/agents/me/state", json={"state": "available"}, headers=auth(token))
    with app.app_context():
        assert queue_services().store.agents_for(["billing"], "bn", False) == set()
    # An agent may not set their own.
    assert client.put("/api/agents/amy/languages", json={"languages": ["bn"]},
                      headers=auth(token)).status_code == 403
    admin = auth(app.config["ADMIN_API_TOKEN"])
    response = client.put("/api/agents/amy/languages", json={"languages": ["en", "bn"]},
                          headers=admin)
    assert response.status_code == 200
    assert response.get_json()["languages"] == ["en", "bn"]
    assert response.get_json()["state"] == "available"
    with app.app_context():
        assert queue_services().store.agents_for(["billing"], "bn", False) == {"amy"}
        assert services.find_agent("amy").languages == "en,bn"
    empty = client.put("/api/agents/amy/languages", json={"languages": []}, headers=admin)
    assert empty.status_code == 400
    assert empty.get_json()["error"]["message"] == "An agent speaks at least one language."
    assert client.put("/api/agents/nobody/languages", json={"languages": ["en"]},
                      headers=admin).status_code == 404


def test_the_cli_creates_with_languages_and_changes_them(app, billing):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agents", "create", "Cli Agent", "cli_agent", "--departments",
                                 "billing", "--languages", "hi,en", "--password", "longenough"])
    assert result.exit_code == 0, result.output
    assert "speaking hi, en" in result.output
    result = runner.invoke(args=["agents", "languages", "cli_agent", "bn"])
    assert result.exit_code == 0 and "cli_agent speaks bn" in result.output
    assert "bn" in runner.invoke(args=["agents", "list"]).output
    result = runner.invoke(args=["agents", "languages", "cli_agent", "klingon"])
    assert result.exit_code != 0 and "Unknown languages." in result.output


def test_a_csv_file_creates_and_updates_agents(app, amy, tmp_path):
    with app.app_context():
        queue_services().store.set_agent_state("amy", "available", ["billing"], 1000.0,
                                      languages=["en"])
    path = tmp_path / "agents.csv"
    path.write_text("identity,name,role,departments,languages,password\n"
                    "amy,,,,en;bn,\n"
                    'rahul,Rahul Das,agent,"billing,support",bn hi,longenough\n'
                    "lee,Lee,,support,,\n")
    result = app.test_cli_runner().invoke(args=["agents", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created, 1 updated" in result.output
    with app.app_context():
        assert services.find_agent("amy").language_codes == ["en", "bn"]
        assert services.find_agent("amy").department_slugs == ["billing"]
        rahul = services.find_agent("rahul")
        assert rahul.language_codes == ["bn", "hi"]
        assert rahul.department_slugs == ["billing", "support"] and rahul.check_password(
            "longenough")
        assert services.find_agent("lee").language_codes == [app.config["DEFAULT_LANGUAGE"]]
        assert queue_services().store.agents_for(["billing"], "bn", False) == {"amy"}


def test_a_csv_file_with_a_bad_row_changes_nothing(app, amy, tmp_path):
    path = tmp_path / "agents.csv"
    path.write_text("identity,name,languages\n"
                    "amy,,bn\n"
                    "zed,Zed,tlh\n")
    result = app.test_cli_runner().invoke(args=["agents", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3: Unknown languages." in result.output
    with app.app_context():
        assert services.find_agent("amy").language_codes == [app.config["DEFAULT_LANGUAGE"]]
