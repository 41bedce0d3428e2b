"""Fault 5: Twilio's REST API fails or is slow while the router rings an agent.

The emulator process injects the faults (`/_sim/faults`, sim/faults.py) into the very
request that adds the agent's softphone to the caller's conference. Adding a participant is
not idempotent, so whatever happens the agent's phone must ring once: the gateway looks for
the agent's leg before it tries again. When Twilio stays down, the agent is told (an agent
event) and the caller keeps their place until someone can be rung.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import CALLERS, until
from tests.faults.test_clock_killed import LADDER, escalations, offers_heard

pytestmark = pytest.mark.faults


def rings_for(stack, identity: str) -> list[dict]:
    return [e for e in stack.events("participant_created") if e["to"] == f"client:{identity}"]


def connected(stack, sid: str, identity: str) -> bool:
    agent = stack.redis_client().hgetall(f"{{cc}}:agent:{identity}")
    return agent.get("state") == "on_call" and agent.get("call") == sid


def answered_once(stack, identity: str, sid: str) -> None:
    until(lambda: connected(stack, sid, identity), 20,
          lambda: f"{identity} is on the call: {stack.events('fault')}\n{stack.logs(15)}")
    assert len(rings_for(stack, identity)) == 1, rings_for(stack, identity)
    assert not stack.events("application_error")


def agent_ready(stack, identity: str) -> None:
    stack.softphone(identity, answer_after=0.3)
    stack.set_agent(identity, "available")


def test_a_lost_answer_is_not_retried_into_a_second_ring(stack):
    """Twilio adds the agent but its answer is lost (HTTP 500 after the fact)."""
    agent_ready(stack, "ben")
    stack.fault("participants.create", status=500, after=True)
    sid = stack.queue_caller(CALLERS[3])
    answered_once(stack, "ben", sid)
    assert [h["status"] for h in stack.fault_hits()] == [500]


def test_refused_requests_are_retried_and_the_agent_rings_once(stack):
    """Twilio answers 503 twice (nothing happened), then works."""
    agent_ready(stack, "cat")
    stack.fault("participants.create", count=2, status=503)
    sid = stack.queue_caller(CALLERS[4])
    answered_once(stack, "cat", sid)
    assert [h["status"] for h in stack.fault_hits()] == [503, 503]


def test_a_request_slower_than_the_timeout_still_rings_once(stack):
    """Twilio takes 3 s (the app gives up after 1.5 s), then acts anyway."""
    agent_ready(stack, "dan")
    stack.fault("participants.create", delay=3.0)
    sid = stack.queue_caller(CALLERS[5])
    answered_once(stack, "dan", sid)
    # The slow request landed after the retry had added the agent: Twilio refused it.
    until(lambda: all(h["done"] for h in stack.fault_hits()), 10, "the slow request ends")
    refused = [e for e in stack.events("rest") if e["path"].endswith("/Participants.json")
               and e["method"] == "POST" and e["status"] == 400]
    assert len(refused) == 1 and '"code": 400,' in refused[0]["response"]
    assert len(rings_for(stack, "dan")) == 1


def test_twilio_down_tells_the_agent_and_the_caller_keeps_their_place(stack):
    agent_ready(stack, "eve")
    stack.fault("participants.create", count=50, status=503)
    sid = stack.queue_caller(CALLERS[6])
    until(lambda: any(e["type"] == "unreachable" and e["call_sid"] == sid
                      for e in stack.agent_events("eve")), 20, "eve is told")
    assert rings_for(stack, "eve") == []
    store = stack.redis_client()
    assert store.hget(f"{{cc}}:call:{sid}", "state") == "waiting"
    assert store.zrank("{cc}:q:support", sid) == 0
    assert stack.call(sid)["activity"] == "conference"  # still hearing the hold loop
    # Twilio's failure is not eve's: she is not put away (she may be in a retry's ring).
    assert store.hget("{cc}:agent:eve", "state") in ("available", "ringing")

    stack.sim("DELETE", "faults")  # Twilio recovers; eve never left, the caller is rung
    answered_once(stack, "eve", sid)  # when their back-off (at most 10 s) is over


def test_the_offer_redirect_is_retried_and_comes_once(stack):
    """The clock's redirect to the offer menu is refused twice, then works."""
    stack.softphone("amy")
    stack.set_agent("amy", "away", "meeting")
    stack.set_ladder("support", LADDER)
    stack.fault("calls.update", count=2, status=503)
    sid = stack.queue_caller(CALLERS[15])
    until(lambda: offers_heard(stack, sid) >= 1, 20, "the caller hears the offer")
    assert [h["status"] for h in stack.fault_hits()] == [503, 503]
    stack.press(sid, "1")
    until(lambda: stack.call(sid)["activity"] == "conference", 15, "back in the room")
    assert offers_heard(stack, sid) == 1
    assert len(escalations(stack, sid, "offer")) == 1
