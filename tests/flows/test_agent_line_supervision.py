"""Supervisors listen, whisper and barge on their persistent line: the line is moved into the
caller's room by a call update (no call created), switched between modes in place, and sent
back to the supervisor's own room when they stop."""

from __future__ import annotations

from sim.testing import assert_heard, assert_not_heard
from tests.flows.line_helpers import api_created_calls, line_agent
from tests.flows.test_queue_flows import choose


def test_a_supervisor_listens_whispers_barges_and_leaves_on_their_line(floor):
    amy = line_agent(floor, "amy", ["billing"])
    sue = line_agent(floor, "sue", ["billing"], role="supervisor", available=False)
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    assert amy.accept(call.sid).status_code == 200
    floor.wait(1)
    path = f"/api/supervisor/calls/{call.sid}/monitor"

    assert sue.api(path, {"mode": "listen"}).status_code == 200
    floor.wait(1)
    room = floor.emu.conference(call.sid)
    assert sue.line.sid in room.participants and not sue.line.ended
    call.say("I was charged twice")
    assert_heard(sue.phone, "I was charged twice")
    sue.line.say("Listening only")
    floor.wait(1)
    assert_not_heard(call, "Listening only")

    assert sue.api(path, {"mode": "whisper"}).status_code == 200
    floor.wait(1)
    sue.line.say("Offer her the refund")
    floor.wait(1)
    assert_heard(amy.phone, "Offer her the refund")
    assert_not_heard(call, "Offer her the refund")

    assert sue.api(path, {"mode": "barge"}).status_code == 200
    floor.wait(1)
    sue.line.say("This is the supervisor, we will refund you today")
    assert_heard(call, "we will refund you today")

    assert sue.api(path, method="DELETE").status_code == 200
    floor.wait(1)
    assert sue.line.sid not in floor.emu.conference(call.sid).participants
    assert floor.emu.call(sue.line.sid).conference_sid == floor.emu.conference("line-sue").sid
    assert not call.ended and floor.call_state(call.sid)["agent"] == "amy"
    assert api_created_calls(floor) == []
    floor.emu.assert_no_application_errors()


def test_a_supervisor_whose_line_is_in_another_call_is_told_not_rung(floor):
    amy = line_agent(floor, "amy", ["billing"])
    bob = line_agent(floor, "bob", ["billing"])
    sue = line_agent(floor, "sue", ["billing"], role="supervisor", available=False)
    first = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    assert amy.accept(first.sid).status_code == 200
    second = choose(floor)
    floor.wait_until(lambda: bob.offers(), timeout=30)
    assert bob.accept(second.sid).status_code == 200
    floor.wait(1)
    assert sue.api(f"/api/supervisor/calls/{first.sid}/monitor",
                   {"mode": "listen"}).status_code == 200
    floor.wait(1)
    busy = sue.api(f"/api/supervisor/calls/{second.sid}/monitor", {"mode": "listen"})
    assert busy.status_code == 409 and busy.get_json()["error"]["id"] == "line_busy"
    assert api_created_calls(floor) == []  # nobody rang her browser in vain
    assert sue.line.sid in floor.emu.conference(first.sid).participants
    floor.emu.assert_no_application_errors()


def test_the_callers_hang_up_sends_a_monitoring_line_home(floor):
    amy = line_agent(floor, "amy", ["billing"])
    sue = line_agent(floor, "sue", ["billing"], role="supervisor", available=False)
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    amy.accept(call.sid)
    floor.wait(1)
    assert sue.api(f"/api/supervisor/calls/{call.sid}/monitor",
                   {"mode": "listen"}).status_code == 200
    floor.wait(1)
    call.hangup()
    floor.wait(2)
    assert not sue.line.ended and not amy.line.ended
    assert floor.emu.call(sue.line.sid).conference_sid == floor.emu.conference("line-sue").sid
    assert floor.emu.call(amy.line.sid).conference_sid == floor.emu.conference("line-amy").sid
    assert sue.presence()["line"]["state"] == "connected"
