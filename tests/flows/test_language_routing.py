"""Language as a skill, in whole calls: a caller waits for an agent who speaks their language
until the ladder's any_language step (20 s by default) lets any agent of the department take
them."""

from __future__ import annotations

from sim.testing import assert_heard
from tests.flows.test_queue_flows import choose

RAHIM = "+8801712345678"  # a demo customer: Bengali, picks billing with key 1
JORDAN = "+12025550143"  # a demo customer: English
# The apology in Bengali: "we are sorry to keep you waiting; all our agents are helping other
# customers" (queue.apology_position), true for Rahim while only English speakers are free.
APOLOGY_BN = "আপনাকে অপেক্ষা করানোর জন্য আমরা দুঃখিত"


def offered_after(floor, call) -> float:
    """Seconds the caller had waited when an agent's phone was rung for them."""
    state = floor.call_state(call.sid)
    return float(state["offered_at"]) - float(state["since"])


def test_a_bengali_caller_waits_for_the_bengali_speaker_then_goes_to_the_free_agent(floor):
    bina = floor.agent("bina", ["billing"], languages=["bn", "en"])
    eddie = floor.agent("eddie", ["billing"], languages=["en"], state="away")
    # Bina, who speaks Bengali, is busy: talking to Jordan.
    jordan = choose(floor, JORDAN, key="1")
    floor.wait_until(lambda: bina.is_ringing, timeout=30)
    bina.answer()
    floor.wait_until(lambda: floor.agent_state("bina")["state"] == "on_call", timeout=10)
    # Eddie, English only, is free.
    floor.set_state("eddie", ["billing"], "available")
    rahim = choose(floor, RAHIM, key="1")
    assert floor.call_state(rahim.sid)["language"] == "bn"
    floor.wait(15)
    assert not eddie.is_ringing
    assert floor.call_state(rahim.sid)["state"] == "waiting"
    assert floor.agent_state("eddie")["state"] == "available"
    assert_heard(rahim, APOLOGY_BN)
    # The widening step: any agent of billing may take him now.
    floor.wait_until(lambda: eddie.is_ringing, timeout=10)
    assert 20 <= offered_after(floor, rahim) < 22
    eddie.answer()
    floor.wait_until(lambda: floor.call_state(rahim.sid)["state"] == "connected", timeout=10)
    assert floor.call_state(rahim.sid)["agent"] == "eddie"
    assert floor.call_state(jordan.sid)["agent"] == "bina"


def test_a_bengali_speaker_freed_before_the_step_gets_the_caller_not_the_idler(floor):
    eddie = floor.agent("eddie", ["billing"], languages=["en"])  # idle longest
    bina = floor.agent("bina", ["billing"], languages=["bn"], state="away")
    rahim = choose(floor, RAHIM, key="1")
    floor.wait(8)
    assert not eddie.is_ringing
    floor.set_state("bina", ["billing"], "available")
    floor.wait_until(lambda: bina.is_ringing, timeout=5)
    assert offered_after(floor, rahim) < 12
    assert not eddie.is_ringing
    assert floor.agent_state("eddie")["state"] == "available"


def test_an_english_caller_behind_a_waiting_bengali_caller_goes_straight_through(floor):
    floor.agent("eddie", ["billing"], languages=["en"], state="away")
    rahim = choose(floor, RAHIM, key="1")
    jordan = choose(floor, JORDAN, key="1")
    floor.set_state("eddie", ["billing"], "available")
    floor.wait(2)
    assert floor.call_state(jordan.sid)["agent"] == "eddie"
    assert floor.call_state(rahim.sid)["state"] == "waiting"
    assert floor.store().waiting("billing") == [rahim.sid]  # still first in line
