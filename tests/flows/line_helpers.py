"""Agents with a persistent line, as their console holds it: the softphone's outgoing call to
the TwiML App with `Line=open`, then the state switch to available; offers accepted and
rejected through the JSON API the console calls."""

from __future__ import annotations

from dataclasses import dataclass

from sim.parties import CallHandle, Softphone
from tests.conftest import PUBLIC_BASE_URL
from tests.flows.test_queue_flows import choose

PASSWORD = "password123"  # tests/flows/conftest.py's Floor.agent


def the_twiml_app(floor) -> None:
    """The TwiML App the softphones call, as configured in Twilio's console."""
    sid = floor.app.config["TWILIO_TWIML_APP_SID"]
    if sid not in floor.emu.store.applications:
        floor.emu.add_application(PUBLIC_BASE_URL + "/softphone/outgoing", sid=sid)


@dataclass
class LineAgent:
    floor: object
    identity: str
    departments: list[str]
    phone: Softphone
    line: CallHandle
    token: str

    def api(self, path: str, body: dict | None = None, method: str = "POST"):
        client = self.floor.app.test_client()
        response = client.open(path, method=method, json=body or {},
                               headers={"Authorization": f"Bearer {self.token}"})
        self.floor.emu.settle()
        return response

    def accept(self, call_sid: str):
        return self.api("/api/agents/me/offer/accept", {"call_sid": call_sid})

    def reject(self, call_sid: str):
        return self.api("/api/agents/me/offer/reject", {"call_sid": call_sid})

    def hang_up(self, call_sid: str):
        return self.api(f"/api/calls/{call_sid}/hangup")

    def presence(self) -> dict:
        client = self.floor.app.test_client()
        return client.get("/api/agents/me",
                          headers={"Authorization": f"Bearer {self.token}"}).get_json()

    def open_line(self, *, available: bool = True) -> CallHandle:
        """Going available again: a new line, then the state switch."""
        self.line = self.phone.place_call(params={"Line": "open"})
        self.floor.wait_until(lambda: self.line.in_conference, timeout=5)
        if available:
            self.available()
        return self.line

    def available(self) -> None:
        self.floor.set_state(self.identity, self.departments, "available")

    def offers(self) -> list[dict]:
        from app.queue import queue_services

        with self.floor.app.app_context():
            return [e for e in queue_services().events.read_agent_events(self.identity)
                    if e["type"] == "offer"]

    def offered(self, call_sid: str) -> bool:
        """Has this caller been offered on the agent's console?"""
        return any(o["call_sid"] == call_sid for o in self.offers())

    def events(self, kind: str) -> list[dict]:
        from app.queue import queue_services

        with self.floor.app.app_context():
            return [e for e in queue_services().events.read_agent_events(self.identity)
                    if e["type"] == kind]


def line_agent(floor, identity: str, departments: list[str], *,
               available: bool = True, role: str = "agent") -> LineAgent:
    """An agent whose console holds its line and who is available (or away, signed in)."""
    the_twiml_app(floor)
    phone = floor.agent(identity, departments, state="away", role=role)
    token = floor.app.test_client().post(
        "/api/agents/login", json={"identity": identity, "password": PASSWORD}).get_json()["token"]
    agent = LineAgent(floor, identity, departments, phone, None, token)  # type: ignore[arg-type]
    agent.open_line(available=available)
    return agent


def api_created_calls(floor) -> list:
    """Calls the app created over the REST API (Calls or Participants): the CPS-limited kind."""
    return [c for c in floor.emu.store.calls.values() if c.direction == "outbound-api"]


def talking_on_line(floor, agent):
    """A caller chooses billing, is offered on the agent's line, and the agent accepts:
    returns the caller's handle, now talking to them."""
    call = choose(floor)
    floor.wait_until(lambda: agent.offers(), timeout=30)
    assert agent.accept(call.sid).status_code == 200
    floor.wait(1)
    return call


def line_room(floor, agent) -> str:
    """The room the agent's line is in, by the emulator's own conferences ("" if none)."""
    for conference in floor.emu.store.conferences.values():
        if conference.status != "completed" and agent.line.sid in conference.participants:
            return conference.friendly_name
    return ""
