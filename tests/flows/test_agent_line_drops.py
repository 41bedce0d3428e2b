"""An agent's persistent line that drops, through the emulator: mid-offer, mid-call, when the
console's tab closes. The agent is put away and told; the caller is not lost; the line comes
back when the agent goes available again."""

from __future__ import annotations

from tests.flows.line_helpers import line_agent, line_room, talking_on_line
from tests.flows.test_queue_flows import choose


def line_down(agent) -> bool:
    return bool(agent.events("line_down"))


def test_a_line_dropped_mid_offer_sends_the_caller_to_the_next_agent(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    bob = line_agent(floor, "bob", ["billing"])
    amy.line.hangup()  # the browser's call ends (network gone, device destroyed)
    floor.wait_until(lambda: line_down(amy), timeout=10)
    assert floor.agent_state("amy")["state"] == "away"
    assert amy.presence()["line"]["state"] == "down"
    floor.wait_until(lambda: bob.offers(), timeout=10)
    assert bob.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"
    # Amy's late accept meets a line that is down, and an offer that is not hers.
    assert amy.accept(call.sid).status_code == 409


def back_in_line(floor, call) -> str:
    """What a caller whose agent was lost hears, in their language."""
    from app.floor import prompts

    with floor.app.app_context():
        return prompts.text("calls.back_in_line", floor.call_state(call.sid)["language"])


def _dropped_mid_call(floor, *, late: str = ""):
    """Amy takes a caller on her line, then her browser goes. `late`: the news Twilio is slow
    to bring (its first attempt fails, the retry comes 5 s later): "line" (her line's end)
    or "after" (the caller's room's end)."""
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    assert floor.call_state(call.sid)["state"] == "connected"
    if late == "line":
        floor.emu.webhook_faults.add("/queue/line?agent=amy", failure="ct")
    elif late == "after":
        floor.emu.webhook_faults.add(f"/queue/after?call={call.sid}", failure="ct")
    amy.line.hangup()
    return amy, call


def _back_in_line_and_served(floor, amy, call) -> None:
    # The caller is not cut off: their agent went by a drop, not a hang-up. They hear why,
    # and are first in line again; the next agent takes them on their own line.
    floor.wait_until(lambda: line_down(amy), timeout=15)
    apology = back_in_line(floor, call)
    floor.wait_until(lambda: call.has_heard(apology), timeout=15)
    assert not call.ended
    assert floor.agent_state("amy")["state"] == "away"
    bob = line_agent(floor, "bob", ["billing"])
    floor.wait_until(lambda: bob.offered(call.sid), timeout=30)
    assert bob.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert line_room(floor, bob) == call.sid
    # The wrap-up's end does not bring a lineless agent back to available.
    floor.wait(floor.app.config["WRAP_UP_SECONDS"] + 2)
    assert floor.agent_state("amy")["state"] == "away"
    floor.emu.assert_no_application_errors()


def test_a_line_dropped_mid_call_puts_the_caller_back_at_the_front_of_the_line(floor):
    amy, call = _dropped_mid_call(floor)
    _back_in_line_and_served(floor, amy, call)


def test_a_drop_heard_first_from_the_callers_side_still_puts_them_back(floor):
    """The line's own end comes late: the caller's room's end asks Twilio about the line."""
    amy, call = _dropped_mid_call(floor, late="line")
    _back_in_line_and_served(floor, amy, call)


def test_a_drop_heard_first_from_the_line_still_puts_the_caller_back(floor):
    amy, call = _dropped_mid_call(floor, late="after")
    _back_in_line_and_served(floor, amy, call)


def test_an_agent_who_hangs_up_on_the_line_is_a_goodbye_not_a_drop(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    assert amy.hang_up(call.sid).status_code == 200
    floor.wait_until(lambda: call.ended, timeout=30)
    assert not call.has_heard(back_in_line(floor, call))
    assert not line_down(amy) and line_room(floor, amy) == "line-amy"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    floor.emu.assert_no_application_errors()


def test_an_agent_who_closes_the_console_tab_is_away_until_they_come_back(floor):
    amy = line_agent(floor, "amy", ["billing"])
    amy.phone.close_tab()
    floor.wait_until(lambda: line_down(amy), timeout=10)
    assert floor.agent_state("amy")["state"] == "away"
    call = choose(floor)
    floor.wait(5)
    assert not amy.offers() and not amy.phone.is_ringing  # nobody rings a closed tab
    assert floor.call_state(call.sid)["state"] == "waiting"
    # The console is opened again: going available opens a new line, and the caller is
    # offered on it.
    amy.phone.go_online()
    old = amy.line.sid
    amy.open_line()
    assert amy.line.sid != old and amy.presence()["line"]["state"] == "connected"
    floor.wait_until(lambda: amy.offers(), timeout=10)
    assert amy.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"


def test_a_second_console_replaces_the_first_line_without_putting_the_agent_away(floor):
    amy = line_agent(floor, "amy", ["billing"])
    first = amy.line
    amy.open_line()  # the console opened in another tab
    floor.wait(2)
    assert first.ended and not amy.line.ended
    assert floor.agent_state("amy")["state"] == "available"
    assert not line_down(amy)
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    assert amy.accept(call.sid).status_code == 200
    floor.wait(1)
    assert amy.line.sid in floor.emu.conference(call.sid).participants


def _warm_transfer(amy, call, to):
    response = amy.api(f"/api/calls/{call.sid}/transfers",
                       {"mode": "warm", "target": {"kind": "agent", "id": to}})
    assert response.status_code == 201, response.get_json()


def test_a_line_dropped_mid_transfer_after_the_target_joined_hands_the_caller_over(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support"])
    _warm_transfer(amy, call, "bob")
    floor.wait_until(lambda: bob.events("transfer.offer"), timeout=10)
    assert bob.api(f"/api/calls/{call.sid}/transfer/accept").status_code == 200
    floor.wait(1)
    amy.line.hangup()  # Amy's browser goes while she briefs Bob
    floor.wait_until(lambda: line_down(amy), timeout=10)
    floor.wait(2)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert not call.ended  # the caller is with Bob, never dropped
    assert floor.agent_state("amy")["state"] == "away"
    floor.emu.assert_no_application_errors()


def test_a_line_dropped_mid_transfer_before_the_target_joined_keeps_the_caller(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = talking_on_line(floor, amy)
    bob = line_agent(floor, "bob", ["support", "billing"])
    _warm_transfer(amy, call, "bob")
    floor.wait_until(lambda: bob.events("transfer.offer"), timeout=10)
    amy.line.hangup()  # Amy's browser goes while Bob's console rings
    floor.wait_until(lambda: line_down(amy), timeout=10)
    floor.wait(3)
    # The caller is not dropped: back at the head of the line, and offered to Bob's line.
    assert not call.ended
    floor.wait_until(lambda: bob.offered(call.sid), timeout=30)
    assert bob.accept(call.sid).status_code == 200
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("amy")["state"] == "away"
    floor.emu.assert_no_application_errors()
