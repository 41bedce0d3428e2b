"""Fault 1: Redis stops while callers wait, and comes back (append-only file on).

Three callers wait in line. Redis is stopped (SIGTERM) and started again on its port and
data directory a few seconds later. While it is down, the waiting callers keep hearing hold
music in their room (not an invitation to leave a message nobody records), and a new caller
hears the safe fallback: an apology and the general voicemail box, never Twilio's
"application error". When Redis is back, nobody is lost: the same callers are in line in
the same order with the same wait start, their hold clocks fire each step once, and the
first in line reaches the agent.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.voicemail.models import Callback, Voicemail
from tests.faults.conftest import CALLERS, until

pytestmark = pytest.mark.faults

FALLBACK = "we are having trouble connecting your call right now. Please leave your name"
LADDER = [{"at": 0, "action": "announce"}, {"at": 10, "action": "alert"},
          {"at": 50, "action": "offer"}]
MESSAGE = " ".join(["Please call me back about my broken router, it has stopped working."] * 4)


def waiting(stack) -> list[tuple[str, str, str]]:
    r = stack.redis_client()
    return [(sid, r.hget(f"{{cc}}:call:{sid}", "since"), r.hget(f"{{cc}}:call:{sid}", "score"))
            for sid in r.zrange("{cc}:q:support", 0, -1)]


def step_members(stack) -> set[str]:
    r = stack.redis_client()
    return set(r.zrange("{cc}:deadlines", 0, -1)) | set(r.zrange("{cc}:deadlines:leases", 0, -1))


def alerts(stack) -> list[str]:
    return [json.loads(e["detail"])["call_sid"]
            for _, e in stack.redis_client().xrange("{cc}:events")
            if e["type"] == "call.escalated" and json.loads(e["detail"])["step"] == "alert"]


def wait_webhooks_since(stack, seq: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for e in stack.events("webhook"):
        if e["seq"] > seq and e["purpose"] == "wait":
            out.setdefault(e["call_sid"], []).append(e["status"])
    return out


def test_callers_survive_a_redis_restart_in_order_with_their_clocks(stack):
    stack.softphone("amy", answer_after=0.3)
    stack.set_agent("amy", "away", "meeting")
    stack.set_ladder("support", LADDER)
    callers = [stack.queue_caller(number) for number in CALLERS[7:10]]
    before = waiting(stack)
    assert [sid for sid, _, _ in before] == callers
    steps_before = step_members(stack)

    outage_seq = stack.events()[-1]["seq"]
    stack.redis.stop()  # SIGTERM: redis-server writes its append-only file and exits
    down_at = time.monotonic()
    health = requests.get(f"{stack.web_url}/healthz", timeout=10)
    assert health.status_code == 503 and health.json()["checks"]["redis"]["status"] == "down"

    # A new caller during the outage: greeted (the IVR needs no Redis), picks support, and
    # the queue, which does, fails into the safe fallback: an apology and the general box.
    newcomer = stack.dial_in(CALLERS[10])
    until(lambda: stack.call(newcomer)["awaiting_input"], 20, "the newcomer hears the menu")
    stack.press(newcomer, "2")
    until(lambda: stack.call(newcomer)["activity"] == "record", 20,
          lambda: f"the newcomer is asked for a message: {stack.heard(newcomer)}")
    assert stack.has_heard(newcomer, FALLBACK)
    stack.say(newcomer, MESSAGE)  # then silence ends the recording, and the call
    # Every waiting caller's hold loop came round while Redis was down.
    until(lambda: set(callers) <= set(wait_webhooks_since(stack, outage_seq)), 20,
          "each waiting caller's hold music is requested during the outage")

    stack.redis.start()
    assert time.monotonic() - down_at > 3
    until(lambda: requests.get(f"{stack.web_url}/healthz", timeout=10).status_code == 200, 10,
          "healthy again")
    assert waiting(stack) == before  # same callers, same order, same wait start and score
    assert steps_before <= step_members(stack) | _fired_steps(stack, callers)

    # Throughout, the callers stayed in their rooms with music, and nobody heard an error.
    for sid in callers:
        assert stack.call(sid)["activity"] == "conference"
        assert not stack.has_heard(sid, FALLBACK), stack.heard(sid)
    statuses = wait_webhooks_since(stack, outage_seq)
    assert all(status == 200 for sid in callers for status in statuses[sid]), statuses
    assert not stack.events("application_error")
    failed = [e for e in stack.events("webhook") if e["seq"] > outage_seq
              and e["status"] != 200 and e["purpose"] not in ("recording-status",
                                                              "transcription")]
    assert failed == [], failed

    # Each caller's hold clock fires its alert once, whether it fell due before or during.
    until(lambda: sorted(alerts(stack)) == sorted(callers), 25,
          lambda: f"one alert each: {alerts(stack)}\n{stack.logs(10)}")

    # The first in line reaches the agent who comes back; the others keep their places.
    stack.set_agent("amy", "available")
    until(lambda: stack.redis_client().hget("{cc}:agent:amy", "call") == callers[0], 20,
          "amy takes the first caller")
    assert [sid for sid, _, _ in waiting(stack)] == callers[1:]

    # The newcomer's message reached the general box once the recording callback came.
    until(lambda: stack.call(newcomer)["status"] == "completed", 20, "the newcomer is done")
    assert stack.has_heard(newcomer, "Thank you")
    def message():
        with stack.app.app_context():
            row = db.session.scalars(select(Voicemail).where(
                Voicemail.call_sid == newcomer)).first()
            callback = db.session.scalars(select(Callback).where(
                Callback.call_sid == newcomer)).first()
            db.session.rollback()
            return row is not None and callback is not None and callback.number == CALLERS[10]

    until(message, 20, lambda: "the newcomer's message and callback are stored: " + str(
        [(e["purpose"], e["status"], e["url"]) for e in stack.events("webhook")
         if e.get("call_sid") == newcomer]))


def _fired_steps(stack, callers: list[str]) -> set[str]:
    """Steps acknowledged since the snapshot (fired ones leave the deadline sets)."""
    r = stack.redis_client()
    fired = set()
    for sid in callers:
        for key in r.hkeys(f"{{cc}}:call:{sid}"):
            if key.startswith("fired:"):
                _, generation, index = key.split(":")
                fired.add(f"step|{sid}|{generation}|{index}")
    return fired
