"""Persistent lines at the default account's 1 CPS (the emulator throttles REST-created calls
as Twilio does): a burst of callers and agents is answered without waiting for the budget,
because moving a line is an update, not a call creation; and accepts that come at the same
moment each take their own caller."""

from __future__ import annotations

import threading

from tests.flows.line_helpers import api_created_calls, line_agent
from tests.flows.test_queue_flows import callers_in_line

AGENTS = [f"agent{i}" for i in range(8)]


def offer_for(agent, call_sids) -> str | None:
    return next((o["call_sid"] for o in agent.offers() if o["call_sid"] in call_sids), None)


def test_a_burst_of_callers_and_agents_at_1_cps_is_offered_and_connected_at_once(floor):
    assert floor.emu.cps == 1
    agents = [line_agent(floor, a, ["billing"], available=False) for a in AGENTS]
    calls = callers_in_line(floor, len(AGENTS), first=3000)
    sids = {c.sid for c in calls}
    freed_at = floor.emu.elapsed
    for agent in agents:
        agent.available()
    # Every agent is offered a caller in the same moment: no ring waits for a CPS slot.
    floor.wait_until(lambda: all(offer_for(a, sids) for a in agents), timeout=5)
    assert floor.emu.elapsed - freed_at <= 3
    for agent in agents:
        assert agent.accept(offer_for(agent, sids)).status_code == 200
    floor.wait(1)
    assert all(floor.call_state(c.sid)["state"] == "connected" for c in calls)
    assert floor.emu.elapsed - freed_at <= 5  # eight callers answered in seconds, not 8+ s
    assert api_created_calls(floor) == []
    assert not [e for e in floor.emu.events if e["type"] == "call_queued"]


def test_two_agents_accepting_at_once_each_take_their_own_caller(floor):
    amy = line_agent(floor, "amy", ["billing"], available=False)
    bob = line_agent(floor, "bob", ["billing"], available=False)
    calls = callers_in_line(floor, 2, first=3100)
    sids = {c.sid for c in calls}
    amy.available()
    bob.available()
    floor.wait_until(lambda: offer_for(amy, sids) and offer_for(bob, sids), timeout=10)
    mine = {amy.identity: offer_for(amy, sids), bob.identity: offer_for(bob, sids)}
    assert mine["amy"] != mine["bob"]
    # Each also presses Accept on the other's caller in the same breath (a stale screen).
    results: dict[tuple[str, str], int] = {}
    start = threading.Barrier(4)

    def press(agent, call_sid):
        start.wait()
        results[(agent.identity, call_sid)] = agent.accept(call_sid).status_code

    threads = [threading.Thread(target=press, args=(a, s))
               for a in (amy, bob) for s in (mine["amy"], mine["bob"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    floor.emu.settle()
    floor.wait(1)
    assert results[("amy", mine["amy"])] == 200 and results[("bob", mine["bob"])] == 200
    assert results[("amy", mine["bob"])] == 409 and results[("bob", mine["amy"])] == 409
    for agent in (amy, bob):
        call_sid = mine[agent.identity]
        assert floor.call_state(call_sid)["agent"] == agent.identity
        assert agent.line.sid in floor.emu.conference(call_sid).participants
    floor.emu.assert_no_application_errors()
