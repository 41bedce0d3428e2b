"""Call-control flows through the emulator: the queue flows' floor, agents signed in to the
JSON API, and a caller already talking to an agent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from app.calls.phrases import CALL_PROMPTS
from app.floor import languages
from app.queue import queue_services
from sim.parties import CallHandle, Softphone
from tests.flows.conftest import ASHA, NUMBER, OPEN_HOURS, Floor, emulated_floor


def phrase(key: str, language: str = "hi") -> str:
    return languages.translation(language, key) or CALL_PROMPTS[key]


@dataclass
class Console:
    """One agent's console: their softphone and their bearer token for the JSON API."""

    floor: Floor
    identity: str
    phone: Softphone
    token: str

    def _send(self, method: str, path: str, body: Any = None):
        client = self.floor.app.test_client()
        headers = {"Authorization": f"Bearer {self.token}"}
        response = client.open(path, method=method, json=body, headers=headers)
        self.floor.emu.settle()  # REST requests the route made take effect
        return response

    def get(self, path: str):
        return self._send("GET", path)

    def post(self, path: str, body: Any = None):
        return self._send("POST", path, body if body is not None else {})

    def transfer(self, call: CallHandle, mode: str, kind: str, target: str | None = None):
        return self.post(f"/api/calls/{call.sid}/transfers",
                         {"mode": mode, "target": {"kind": kind, "id": target}})

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.floor.app.app_context():
            events = queue_services().events.read_agent_events(self.identity, count=500)
        return [e for e in events if kind is None or e["type"] == kind]


def sign_in(floor: Floor, identity: str, departments: list[str], *, state: str = "available",
            role: str = "agent") -> Console:
    phone = floor.agent(identity, departments, state=state, role=role)
    response = floor.app.test_client().post(
        "/api/agents/login", json={"identity": identity, "password": "password123"})
    assert response.status_code == 200, response.get_json()
    return Console(floor, identity, phone, response.get_json()["token"])


def talking(floor: Floor, agent: Console, number: str = ASHA, key: str = "1") -> CallHandle:
    """A known customer calls, picks a department and is answered by `agent`."""
    call = floor.emu.dial_in(number, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press(key)
    floor.wait_until(lambda: agent.phone.is_ringing, timeout=30)
    agent.phone.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    return call


def hears(party: Any, who: str) -> bool:
    """Whether `party` (a call handle or a softphone) can hear `who` in its conference now."""
    entries = [h for h in party.heard if h.kind == "conference"]
    return bool(entries) and who in (entries[-1].detail.get("hears") or [])


@pytest.fixture
def floor(app: Flask) -> Iterator[Floor]:
    """The queue flows' floor: emulator, demo data, virtual time with the hold clock."""
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)


@pytest.fixture
def amy(floor: Floor) -> Console:
    return sign_in(floor, "amy", ["billing"])


@pytest.fixture
def bob(floor: Floor) -> Console:
    return sign_in(floor, "bob", ["support"])
