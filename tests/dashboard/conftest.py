"""Signed-in browsers for the supervisor pages, and the emulated floor for whole calls."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.agents import services
from app.extensions import db
from app.floor.models import Department
from tests.conftest import EVERY_LANGUAGE
from tests.flows.conftest import OPEN_HOURS, Floor, emulated_floor

PASSWORD = "correct horse battery"


def page_csrf(response) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, identity: str, password: str = PASSWORD) -> None:
    token = page_csrf(client.get("/signin"))
    response = client.post("/signin", data={"identity": identity, "password": password,
                                            "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def add_people(app: Flask, departments: list[str]) -> None:
    """Amy (agent) and Sam (supervisor), in these (existing) departments."""
    with app.app_context():
        services.create_agent("Amy Agent", "amy", departments=departments, password=PASSWORD,
                              languages=EVERY_LANGUAGE)
        services.create_agent("Sam Supervisor", "sam", role="supervisor",
                              departments=departments, password=PASSWORD)
        db.session.commit()


@pytest.fixture
def people(app: Flask) -> None:
    with app.app_context():
        db.session.add(Department(slug="billing", name="Billing", menu_key="1",
                                  timezone="Asia/Kolkata", hours={}, settings={}))
        db.session.commit()
    add_people(app, ["billing"])


@pytest.fixture
def supervisor(client: FlaskClient, people) -> FlaskClient:
    sign_in(client, "sam")
    return client


@pytest.fixture
def agent_browser(client: FlaskClient, people) -> FlaskClient:
    sign_in(client, "amy")
    return client


@pytest.fixture
def floor(app: Flask) -> Iterator[Floor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)
