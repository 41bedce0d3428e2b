"""An agent's line that is up but cannot take an offer, through the emulator: the console's
Voice SDK reconnecting after a network blip (Twilio tells the app nothing; the console does),
or a supervisor's line busy monitoring. Nobody rings a browser that would ignore the ring;
the caller goes to the next agent."""

from __future__ import annotations

from tests.flows.line_helpers import api_created_calls, line_agent, talking_on_line
from tests.flows.test_queue_flows import choose


def report(agent, state: str, line_sid: str | None = None):
    return agent.api("/api/agents/me/line/state",
                     {"line_sid": line_sid or agent.line.sid, "state": state})


def test_a_reconnecting_line_is_not_offered_callers_until_it_is_back(floor):
    amy = line_agent(floor, "amy", ["billing"])
    response = report(amy, "reconnecting")
    assert response.status_code == 200
    assert response.get_json()["line"]["state"] == "reconnecting"
    assert floor.agent_state("amy")["state"] == "away"
    bob = line_agent(floor, "bob", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: bob.offered(call.sid), timeout=30)
    assert not amy.offered(call.sid)
    assert bob.accept(call.sid).status_code == 200
    # Back: available again without a click, and the next caller is hers.
    back = report(amy, "connected")
    assert back.status_code == 200 and back.get_json()["line"]["state"] == "connected"
    assert floor.agent_state("amy")["state"] == "available"
    second = choose(floor)
    floor.wait_until(lambda: amy.offered(second.sid), timeout=30)
    assert amy.accept(second.sid).status_code == 200
    assert api_created_calls(floor) == []
    floor.emu.assert_no_application_errors()


def test_a_report_about_another_line_is_refused_and_changes_nothing(floor):
    amy = line_agent(floor, "amy", ["billing"])
    stale = report(amy, "reconnecting", line_sid="CA" + "0" * 32)  # an old tab's line
    assert stale.status_code == 409 and stale.get_json()["error"]["id"] == "not_your_line"
    bad = report(amy, "sleeping")
    assert bad.status_code == 400 and bad.get_json()["error"]["details"]["field"] == "state"
    assert floor.agent_state("amy")["state"] == "available"
    assert amy.presence()["line"]["state"] == "connected"


def test_an_available_supervisor_monitoring_on_their_line_is_not_rung(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    sue = line_agent(floor, "sue", ["billing"], role="supervisor")
    assert sue.api(f"/api/supervisor/calls/{call.sid}/monitor",
                   {"mode": "listen"}).status_code == 200
    floor.wait(1)
    bob = line_agent(floor, "bob", ["billing"], available=False)
    second = choose(floor)
    floor.wait(3)
    # Sue was the one available agent: her line is in Amy's room, so no ring (her browser
    # would ignore it); she is away until she says otherwise, and the caller still waits.
    assert floor.agent_state("sue")["state"] == "away"
    assert floor.agent_state("sue")["reason"] == "line not ready"
    assert floor.call_state(second.sid)["state"] == "waiting"
    assert api_created_calls(floor) == []
    assert sue.line.sid in floor.emu.conference(call.sid).participants
    bob.available()
    floor.wait_until(lambda: bob.offered(second.sid), timeout=30)
    floor.emu.assert_no_application_errors()
