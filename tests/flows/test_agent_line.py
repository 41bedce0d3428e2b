"""The agent's persistent line through the emulator: the console's open call parked in the
agent's own room, offers on the console, Accept moving the line into the caller's room by a
call update (no call created, so no calls-per-second limit), and the line back in its room
after the call."""

from __future__ import annotations

from sim.testing import assert_heard
from tests.flows.line_helpers import api_created_calls, line_agent
from tests.flows.test_queue_flows import choose


def test_an_offer_rings_the_console_and_accept_moves_the_line_to_the_caller(floor):
    amy = line_agent(floor, "amy", ["billing"])
    assert amy.presence()["line"]["state"] == "connected"
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    offer = amy.offers()[0]
    assert offer["call_sid"] == call.sid and offer["line"] is True
    assert offer["context"]["customer"]["name"] == "Asha"
    assert not amy.phone.is_ringing  # nothing rings the softphone: the console does

    assert amy.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.agent_state("amy")["state"] == "on_call"
    # The same open call is now in the caller's room.
    room = floor.emu.conference(call.sid)
    assert amy.line.sid in room.participants and not amy.line.ended
    amy.line.say("Hello Asha, this is Amy")
    assert_heard(call, "Hello Asha, this is Amy")
    call.say("My bill is wrong")
    assert_heard(amy.phone, "My bill is wrong")
    assert api_created_calls(floor) == []  # nothing for the CPS budget

    assert amy.hang_up(call.sid).status_code == 200
    floor.wait_until(lambda: call.ended, timeout=30)
    # The line is not hung up: it is back in the agent's own room.
    assert not amy.line.ended
    floor.wait_until(lambda: amy.line.in_conference, timeout=5)
    assert floor.emu.call(amy.line.sid).conference_sid == floor.emu.conference("line-amy").sid
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_after_the_caller_hangs_up_the_line_goes_home_and_takes_the_next_caller(floor):
    amy = line_agent(floor, "amy", ["billing"])
    first = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    amy.accept(first.sid)
    floor.wait(1)
    first.hangup()
    floor.wait(1)
    assert not amy.line.ended and amy.line.in_conference
    assert floor.emu.call(amy.line.sid).conference_sid == floor.emu.conference("line-amy").sid
    assert floor.agent_state("amy")["state"] == "wrap_up"
    floor.wait_until(lambda: floor.agent_state("amy")["state"] == "available", timeout=60)
    second = choose(floor, key="1")
    floor.wait_until(lambda: len(amy.offers()) == 2, timeout=30)
    assert amy.accept(second.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(second.sid)["state"] == "connected"
    assert amy.line.sid in floor.emu.conference(second.sid).participants
    assert api_created_calls(floor) == []


def test_reject_sends_the_caller_to_the_next_agent_and_the_agent_away(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    bob = line_agent(floor, "bob", ["billing"])
    assert amy.reject(call.sid).status_code == 200
    assert floor.agent_state("amy")["state"] == "away"
    floor.wait_until(lambda: bob.offers(), timeout=10)
    assert bob.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"


def test_an_offer_not_taken_in_time_goes_back_and_a_late_accept_is_refused(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    floor.wait(floor.app.config["RING_TIMEOUT_SECONDS"] + 1)
    assert floor.call_state(call.sid)["state"] == "waiting"
    assert floor.agent_state("amy")["state"] == "away"
    response = amy.accept(call.sid)
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "offer_gone"
    # The refused accept did not move the line.
    assert floor.emu.call(amy.line.sid).conference_sid == floor.emu.conference("line-amy").sid


def test_the_offers_end_waits_for_an_accept_under_way_and_vice_versa(floor):
    """Accept and the offer's end never cross: while an Accept moves the line in, the offer
    is not taken back (the line would land with a caller waiting for someone else and end
    their room on leaving); while the offer ends, an Accept is refused."""
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    store = floor.store()
    assert store.lock_offer(call.sid, "accept:amy", 12)  # an Accept under way
    floor.wait(floor.app.config["RING_TIMEOUT_SECONDS"] + 3)
    assert floor.call_state(call.sid)["state"] == "offered"  # not taken back under it
    store.unlock_offer(call.sid, "accept:amy")
    assert amy.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"

    bob = line_agent(floor, "bob", ["billing"])
    second = choose(floor, key="1")
    floor.wait_until(lambda: bob.offers(), timeout=30)
    assert store.lock_offer(second.sid, "expire", 12)  # the offer's end under way
    response = bob.accept(second.sid)
    assert response.status_code == 409 and response.get_json()["error"]["id"] == "offer_gone"
    assert floor.emu.call(bob.line.sid).conference_sid == floor.emu.conference("line-bob").sid
