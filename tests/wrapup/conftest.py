"""The queue flows' floor with an API client: agents and supervisors sign in and use the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.interactions import pending
from app.interactions.models import Interaction
from sim.parties import CallHandle, Softphone
from tests.flows.conftest import ASHA, NUMBER, Floor, emulated_floor

PASSWORD = "password123"
OPEN_HOURS = "2026-11-25 05:00:00"


@dataclass
class ApiFloor(Floor):
    client: FlaskClient | None = None

    def headers(self, identity: str) -> dict[str, str]:
        response = self.client.post("/api/agents/login",
                                    json={"identity": identity, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def api(self, method: str, path: str, identity: str, json: Any = None):
        """A JSON API request as `identity`; the emulator then runs what it asked of Twilio."""
        response = self.client.open(path, method=method, json=json,
                                    headers=self.headers(identity))
        self.emu.settle()
        return response

    def call_in(self, number: str = ASHA, key: str = "1") -> CallHandle:
        """A known customer calls and picks a department by key."""
        call = self.emu.dial_in(number, NUMBER)
        self.wait_until(lambda: call.gathering, timeout=60)
        call.press(key)
        self.wait_until(lambda: call.in_conference, timeout=60)
        return call

    def answered_call(self, agent: Softphone, number: str = ASHA, key: str = "1") -> CallHandle:
        """A caller reaches `agent`, who answers: they are talking."""
        call = self.call_in(number, key)
        self.wait_until(lambda: agent.is_ringing, timeout=30)
        agent.answer()
        self.wait(1)
        assert self.call_state(call.sid)["state"] == "connected"
        return call

    def interaction(self, call_sid: str) -> Interaction:
        with self.app.app_context():
            pending.write()  # the incoming webhook's row is written behind its answer
            row = db.session.scalars(
                select(Interaction).where(Interaction.call_sid == call_sid)).one()
            row.events  # noqa: B018 - load the timeline before the session closes
            db.session.expunge(row)
            return row

    def rows(self, model, *where) -> list:
        with self.app.app_context():
            found = db.session.scalars(select(model).where(*where)).all()
            db.session.expunge_all()
            return list(found)


@pytest.fixture
def floor(app: Flask, client: FlaskClient) -> Iterator[ApiFloor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield ApiFloor(app, emu, client)
