"""Warm and cold transfers to agents on their persistent lines: the target's console rings,
Accept moves their line into the caller's room (no call created), and every way a transfer
ends sends lines home rather than hanging them up."""

from __future__ import annotations

from sim.testing import assert_heard
from tests.flows.line_helpers import api_created_calls, line_agent, talking_on_line


def warm(amy, call, to="bob"):
    response = amy.api(f"/api/calls/{call.sid}/transfers",
                       {"mode": "warm", "target": {"kind": "agent", "id": to}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def home(floor, agent) -> bool:
    room = floor.emu.conference(f"line-{agent.identity}")
    return floor.emu.call(agent.line.sid).conference_sid == room.sid


def test_a_warm_transfer_on_lines_from_offer_to_the_targets_hang_up(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support"])
    assert warm(amy, call)["state"] == "target_ringing"
    floor.wait(1)
    offer = bob.events("transfer.offer")[0]
    assert offer["line"] is True and offer["call_sid"] == call.sid
    assert not bob.phone.is_ringing  # the console rings, not the softphone
    response = bob.api(f"/api/calls/{call.sid}/transfer/accept")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "consulting"
    floor.wait(1)
    amy.line.say("Bob, Asha needs a refund")
    assert_heard(bob.phone, "needs a refund")
    assert amy.api(f"/api/calls/{call.sid}/transfer/complete").status_code == 200
    floor.wait(2)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert home(floor, amy) and not amy.line.ended  # Amy's line went home, not hung up
    assert floor.agent_state("amy")["state"] == "wrap_up"
    bob.line.say("Hello Asha, I will refund you")
    assert_heard(call, "I will refund you")
    assert bob.hang_up(call.sid).status_code == 200
    floor.wait_until(lambda: call.ended, timeout=30)
    floor.wait(1)
    assert home(floor, bob) and not bob.line.ended
    assert floor.agent_state("bob")["state"] == "wrap_up"
    assert api_created_calls(floor) == []
    floor.emu.assert_no_application_errors()


def test_a_transfer_offer_not_taken_in_time_returns_the_caller_to_the_original(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support"])
    warm(amy, call)
    floor.wait(floor.app.config["TRANSFER_RING_TIMEOUT_SECONDS"] + 2)
    t = amy.api(f"/api/calls/{call.sid}/transfer", method="GET").get_json()
    assert t["state"] == "failed" and t["reason"] == "no_answer"
    assert floor.agent_state("bob")["state"] == "away"
    assert floor.call_state(call.sid)["agent"] == "amy"
    amy.line.say("Sorry, Bob is not free")
    assert_heard(call, "Bob is not free")  # off hold, back with Amy
    assert home(floor, bob)


def test_a_rejected_transfer_offer_and_a_target_line_that_drops_after_accepting(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support"])
    warm(amy, call)
    floor.wait(1)
    assert bob.api(f"/api/calls/{call.sid}/transfer/reject").status_code == 200
    t = amy.api(f"/api/calls/{call.sid}/transfer", method="GET").get_json()
    assert t["state"] == "failed" and t["reason"] == "rejected"
    bob.available()
    warm(amy, call)
    floor.wait(1)
    assert bob.api(f"/api/calls/{call.sid}/transfer/accept").status_code == 200
    floor.wait(1)
    bob.line.hangup()  # Bob's browser goes while consulting
    floor.wait(3)
    t = amy.api(f"/api/calls/{call.sid}/transfer", method="GET").get_json()
    assert t["state"] == "failed"
    assert floor.call_state(call.sid)["agent"] == "amy" and not call.ended
    assert floor.agent_state("bob")["state"] == "away"
    floor.emu.assert_no_application_errors()


def test_a_cold_transfer_to_an_agent_is_offered_on_their_line(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support"])
    response = amy.api(f"/api/calls/{call.sid}/transfers",
                       {"mode": "cold", "target": {"kind": "agent", "id": "bob"}})
    assert response.status_code == 201, response.get_json()
    floor.wait_until(lambda: bob.offered(call.sid), timeout=15)
    assert bob.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert home(floor, amy) and not amy.line.ended
    assert api_created_calls(floor) == []
