"""Fault 2: the clock process is killed (SIGKILL) in the middle of an escalation step.

The step is the offer: the clock has taken the caller out of line and is asking Twilio to
redirect the call to the offer menu when it dies. Twilio is made slow for that request (the
emulator holds it), so the kill lands inside the step every time. The step's claim is a
lease: after it runs out, a restarted clock or a second one takes the step over, and the
caller hears the offer, once, well before a minute on hold.
"""

from __future__ import annotations

import json
import signal
import time

import psutil
import pytest

from tests.faults.conftest import CALLERS, until

pytestmark = pytest.mark.faults

OFFER = "To keep waiting and keep your place, press 1."
LADDER = [{"at": 0, "action": "announce"}, {"at": 2, "action": "offer"}]


def caller(stack, sid: str) -> str:
    # Parked (in_offer) and never offered: the retried step must redirect again when the
    # caller carries offer_pending=<its generation> (docs/faults.md).
    return f"the caller in Redis: {stack.redis_client().hgetall(f'{{cc}}:call:{sid}')}"


def offers_heard(stack, sid: str) -> int:
    return sum(OFFER in line for line in stack.heard(sid))


def escalations(stack, sid: str, step: str) -> list[dict]:
    entries = stack.redis_client().xrange("{cc}:events")
    return [e for _, e in entries if e["type"] == "call.escalated"
            and json.loads(e["detail"]).get("call_sid") == sid
            and json.loads(e["detail"]).get("step") == step]


def hold_redirect_in_flight(stack) -> None:
    """Twilio holds every redirect 3 s, then fails it: the clock is stuck inside the step."""
    stack.fault("calls.update", count=20, delay=3.0, status=503)


def clock_talking_to_twilio(stack, names: list[str]) -> str | None:
    """Which clock process has a connection open to the emulator (its stuck request)."""
    for name in names:
        proc = psutil.Process(stack.procs[name].pid)
        for child in [proc, *proc.children(recursive=True)]:
            try:
                conns = child.net_connections(kind="tcp")
            except psutil.Error:
                continue
            if any(c.raddr and c.raddr.port == stack.sim_port for c in conns):
                return name
    return None


def wait_in_line(stack, number: str) -> tuple[str, float]:
    stack.softphone("amy")
    stack.set_agent("amy", "away", "meeting")  # signed in, so callers wait for someone
    stack.set_ladder("support", LADDER)
    sid = stack.queue_caller(number)
    return sid, float(stack.redis_client().hget(f"{{cc}}:call:{sid}", "since"))


def test_the_offer_comes_once_after_the_clock_is_killed_mid_step_and_restarted(stack):
    hold_redirect_in_flight(stack)
    sid, since = wait_in_line(stack, CALLERS[1])
    until(lambda: stack.fault_hits(), 15, "the clock asks Twilio to redirect the caller")
    stack.stop("clock", signal.SIGKILL)
    stack.sim("DELETE", "faults")  # Twilio is well again; the killed request never landed
    assert stack.call(sid)["activity"] == "conference"
    assert offers_heard(stack, sid) == 0

    stack.start("clock")
    until(lambda: offers_heard(stack, sid) >= 1, 30,
          lambda: f"the caller hears the offer after the restart: {caller(stack, sid)}")
    heard_after = time.time() - since
    assert heard_after < 60, f"the offer came {heard_after:.1f} s into the wait"
    stack.press(sid, "1")  # keep waiting: the caller is back in line, in the room
    until(lambda: stack.call(sid)["activity"] == "conference", 15, "back in the room")
    assert offers_heard(stack, sid) == 1
    assert len(escalations(stack, sid, "offer")) == 1
    assert not stack.events("application_error")


def test_a_second_clock_takes_over_the_step_of_a_killed_one(stack):
    stack.start("clock2")
    stack.wait_ready("clock2")
    hold_redirect_in_flight(stack)
    sid, since = wait_in_line(stack, CALLERS[2])
    until(lambda: stack.fault_hits(), 15, "a clock asks Twilio to redirect the caller")
    stuck = until(lambda: clock_talking_to_twilio(stack, ["clock", "clock2"]), 5,
                  "the clock inside the step")
    stack.stop(stuck, signal.SIGKILL)
    stack.sim("DELETE", "faults")
    survivor = "clock2" if stuck == "clock" else "clock"
    assert stack.running(survivor)

    until(lambda: offers_heard(stack, sid) >= 1, 30,
          lambda: f"the other clock makes the offer: {caller(stack, sid)}")
    assert time.time() - since < 60
    stack.press(sid, "1")
    until(lambda: stack.call(sid)["activity"] == "conference", 15, "back in the room")
    assert offers_heard(stack, sid) == 1
    assert len(escalations(stack, sid, "offer")) == 1
