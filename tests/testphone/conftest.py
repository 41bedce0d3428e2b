"""The emulated floor (the test phone drives the emulator's control API over HTTP), and a
browser signed in as an agent (the test phone is for signed-in agents and supervisors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.agents import services as agents
from app.extensions import db
from tests.dashboard.conftest import PASSWORD, page_csrf, sign_in
from tests.flows.conftest import OPEN_HOURS, Floor, emulated_floor


@pytest.fixture
def floor(app: Flask) -> Iterator[Floor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)


@pytest.fixture
def phone(app: Flask, client):
    """A browser signed in as Pat, an agent with no department (nobody's calls ring Pat)."""
    with app.app_context():
        agents.create_agent("Pat Newcomer", "pat", departments=[], password=PASSWORD)
        db.session.commit()
    sign_in(client, "pat")
    # What the page's scripts send with every change (api.js): the page's CSRF token.
    client.environ_base["HTTP_X_CSRF_TOKEN"] = page_csrf(client.get("/test-phone"))
    return client
