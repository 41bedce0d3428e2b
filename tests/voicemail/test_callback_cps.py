"""A requested callback at the default account's 1 call per second, behind other rings: it
books the next slot of the one budget and its agent gets the whole ring from when it starts."""

from __future__ import annotations

from app.queue import queue_services
from tests.flows.test_queue_flows import unknown_caller
from tests.voicemail.test_flows import (
    JORDAN,
    KEPT,
    connected,
    floor,  # noqa: F401 - the fixture
    jordan_picks,
    reach_the_offer,
)

SUPPORT = ["bob", "cat", "dan"]


def first_ring(phone) -> float | None:
    return next((h.t for h in phone.heard if h.kind == "ringing"), None)


def test_a_callback_behind_three_rings_starts_on_its_slot_and_connects(floor):  # noqa: F811
    floor.agent("amy", ["billing"])
    for agent in SUPPORT:
        floor.agent(agent, ["support"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    assert call.has_heard(KEPT)
    callers = [unknown_caller(floor, f"+1415555{3000 + i}", key="2") for i in range(3)]

    jordan = floor.emu.phone(JORDAN, answer_after=4)
    phones = {a: floor.emu.party(f"client:{a}") for a in [*SUPPORT, "amy"]}
    freed_at = floor.emu.elapsed
    for agent in SUPPORT:  # three rings for the support callers take the next three seconds
        floor.set_state(agent, ["support"], "available")
    floor.set_state("amy", ["billing"], "available")
    floor.wait_until(lambda: all(p.is_ringing for p in phones.values()), timeout=20)
    rang = {a: first_ring(p) for a, p in phones.items()}
    ordered = sorted(rang.values())
    assert all(b - a >= 0.99 for a, b in zip(ordered, ordered[1:], strict=False)), rang
    assert rang["amy"] - freed_at >= 2.99  # behind the three others: its own slot
    with floor.app.app_context():
        store = queue_services().store
        assert store.call(call.sid)["state"] == "offered"
        # The callback booked its slot on the shared budget, after the three rings.
        booked = store.redis.zrange(f"{store.keys.prefix}:cps", 0, -1, withscores=True)
        mine = [at for member, at in booked if member.startswith(f"ring:{call.sid}:")]
        assert len(mine) == 1 and mine[0] == max(at for _, at in booked)
    # Her ring is counted from when it started: answering 15 s into it still reaches Jordan.
    floor.wait(15)
    assert phones["amy"].is_ringing
    phones["amy"].answer()
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    with floor.app.app_context():
        assert queue_services().store.call(call.sid)["state"] == "connected"
        assert queue_services().store.agent("amy")["state"] == "on_call"
    assert all(c.in_conference for c in callers)
