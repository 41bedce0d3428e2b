"""The app's calls-per-second governor at the default account's 1 CPS, through the emulator
(which throttles API-created calls at 1 CPS too): rings start one a second, nobody books a
second twice, and a ring that could not start in the caller's budget gives way to the offer.
"""

from __future__ import annotations

from tests.flows.test_queue_flows import OFFER_TEXT, callers_in_line, heard_at, queued_at
from tests.flows.test_ring_budget import set_offer_at

LIMIT = 60
AGENTS = [f"agent{i}" for i in range(8)]




def first_ring(phone) -> float | None:
    return next((h.t for h in phone.heard if h.kind == "ringing"), None)


def test_a_burst_late_in_the_wait_rings_one_a_second_and_offers_the_rest_in_time(floor):
    """Eight callers 46 s into their wait, eight agents freed in the same moment. At 1 CPS
    the eighth ring could only start 7 s later, with too little of the callers' minute left:
    the rings that fit start one a second; the callers whose ring could not start in time
    hear the offer at once instead, and every caller hears it before 60 s."""
    set_offer_at(floor, "billing", 55)
    for agent in AGENTS:
        floor.agent(agent, ["billing"], state="away")
    calls = callers_in_line(floor, len(AGENTS), first=2000)
    starts = {c.sid: queued_at(floor, c) for c in calls}
    first = min(starts.values())
    floor.wait_until(lambda: floor.emu.elapsed - first >= 46, timeout=LIMIT)
    freed_at = floor.emu.elapsed
    for agent in AGENTS:
        floor.set_state(agent, ["billing"], "available")
    floor.wait_until(lambda: all(c.gathering and c.has_heard(OFFER_TEXT) for c in calls),
                     timeout=LIMIT)

    phones = {a: floor.emu.softphone(a) for a in AGENTS}
    rang = sorted(t for t in (first_ring(p) for p in phones.values()) if t is not None)
    # One a second: nobody overbooked the account's budget.
    assert all(b - a >= 0.99 for a, b in zip(rang, rang[1:], strict=False)), rang
    # Every ring that started in the burst had the shortest ring (5 s) left before the margin.
    in_burst = [t for t in rang if t - freed_at < 10]
    assert in_burst and all(t - freed_at <= 57 - 46 - 5 + 1 for t in in_burst), rang
    for call in calls:
        assert heard_at(call, OFFER_TEXT) - starts[call.sid] < LIMIT
    # The callers whose ring could not start in time heard the offer at once, well before
    # the ladder's 55 s step, instead of a ring that would have started too late.
    offered_at_once = [c for c in calls if heard_at(c, OFFER_TEXT) - freed_at < 3]
    assert offered_at_once
    assert all(heard_at(c, OFFER_TEXT) - starts[c.sid] < 53 for c in offered_at_once)


def test_rings_for_a_burst_start_one_a_second_and_all_connect(floor):
    """Six callers and six agents freed at once, early in the wait: every ring fits, each
    starts a second after the last, and each agent gets their whole ring."""
    agents = AGENTS[:6]
    for agent in agents:
        floor.agent(agent, ["billing"], state="away")
    calls = callers_in_line(floor, len(agents), first=2000)
    for agent in agents:
        floor.set_state(agent, ["billing"], "available")
    phones = [floor.emu.softphone(a) for a in agents]
    floor.wait_until(lambda: all(p.is_ringing for p in phones), timeout=20)
    rang = sorted(first_ring(p) for p in phones)
    assert all(b - a >= 0.99 for a, b in zip(rang, rang[1:], strict=False)), rang
    for phone in phones:
        phone.answer()
    floor.wait(2)
    assert all(floor.call_state(c.sid)["state"] == "connected" for c in calls)
