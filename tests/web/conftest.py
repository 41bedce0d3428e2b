"""Fixtures for the server-rendered pages: agents with passwords and a signed-in browser."""

from __future__ import annotations

import re

import pytest

from app.agents import services
from app.extensions import db
from app.floor.models import Department
from tests.conftest import EVERY_LANGUAGE

PASSWORD = "correct horse battery"


@pytest.fixture
def people(app):
    """Amy (agent, billing) and Sam (supervisor)."""
    with app.app_context():
        db.session.add(Department(slug="billing", name="Billing", menu_key="1"))
        db.session.flush()
        services.create_agent("Amy Agent", "amy", departments=["billing"], password=PASSWORD,
                              languages=EVERY_LANGUAGE)
        services.create_agent("Sam Supervisor", "sam", role="supervisor",
                              departments=["billing"], password=PASSWORD)
        db.session.commit()


def page_csrf(response) -> str:
    """The CSRF token a page carries (its meta tag, as the page's scripts read it)."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client, identity: str = "amy", password: str = PASSWORD, **extra):
    token = page_csrf(client.get("/signin"))
    return client.post("/signin", data={"identity": identity, "password": password,
                                        "csrf_token": token, **extra})


@pytest.fixture
def amy_browser(client, people):
    """A browser signed in as Amy; returns (client, the CSRF token her console carries)."""
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, page_csrf(client.get("/console"))
