"""An agent's ring never pushes the offer past the hold limit, although Twilio rings 5 s past
the `Timeout` it is asked for (the buffer it adds to API-created calls) and a ring may start
late in the wait. The emulator rings with Twilio's buffer, at the default 1 call a second."""

from __future__ import annotations

from app.extensions import db
from app.floor import cache
from app.floor.models import Department
from sim.testing import twilio_client
from sim.transport import WebhookResponse
from tests.flows.conftest import NUMBER
from tests.flows.test_queue_flows import OFFER_TEXT, heard_at, queued_at, unknown_caller

LIMIT = 60


def set_offer_at(floor, slug: str, seconds: int) -> None:
    with floor.app.app_context():
        department = db.session.query(Department).filter_by(slug=slug).one()
        department.settings = {**(department.settings or {}), "ladder": [
            {"at": 0, "action": "announce"}, {"at": seconds, "action": "offer"}]}
        db.session.commit()
        cache.changed()


def ring_unanswered_from(floor, call, start: float, at: float):
    """Make amy available `at` seconds into the caller's wait; she never picks up."""
    floor.wait_until(lambda: floor.emu.elapsed - start >= at, timeout=LIMIT)
    floor.set_state("amy", ["billing"], "available")
    amy = floor.emu.softphone("amy")
    floor.wait_until(lambda: amy.is_ringing, timeout=2)
    rang_at = floor.emu.elapsed - start
    floor.wait_until(lambda: call.gathering, timeout=LIMIT)
    return amy, rang_at


def test_a_ring_started_at_35_s_ends_in_time_for_the_offer_despite_the_buffer(floor):
    """Asked for its 20 s as `Timeout=20`, the ring would last 25 s, to the limit itself."""
    floor.agent("amy", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    start = queued_at(floor, call)
    amy, rang_at = ring_unanswered_from(floor, call, start, 35)
    offered = heard_at(call, OFFER_TEXT) - start
    assert offered < LIMIT - 2, f"rang at {rang_at:.1f} s, offered at {offered:.1f} s"
    assert not amy.is_ringing
    assert floor.agent_state("amy")["reason"] == "missed call"
    # The ring had the 20 s the department gives (RING_TIMEOUT_SECONDS), not 25.
    missed = next(h.t for h in amy.heard if h.kind == "missed") - start
    assert 19 <= missed - rang_at <= 21


def test_a_ring_started_late_is_ended_by_the_app_before_the_limit(floor):
    """At 50 s only 7 s are left: less than Twilio's shortest ring (Timeout 5 + 5 s), so the
    app stops the phone itself."""
    set_offer_at(floor, "billing", 52)
    floor.agent("amy", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    start = queued_at(floor, call)
    amy, rang_at = ring_unanswered_from(floor, call, start, 50)
    offered = heard_at(call, OFFER_TEXT) - start
    assert offered < LIMIT, f"rang at {rang_at:.1f} s, offered at {offered:.1f} s"
    assert not amy.is_ringing
    assert floor.call_state(call.sid)["state"] == "in_offer"


def fill_the_cps_queue(floor, calls: int) -> None:
    """Other REST-created calls of the account (callbacks, other apps) take the next `calls`
    seconds of its 1 call per second."""
    client = twilio_client(floor.emu)
    for i in range(calls):
        number = f"+1415555{i:04d}"
        floor.emu.phone(number, policy="no-answer")
        client.calls.create(to=number, from_=NUMBER, twiml="<Response><Pause/></Response>")


def test_a_ring_that_waits_in_twilios_queue_still_gets_its_time(floor):
    """At 1 call a second, 25 calls ahead: the agent's phone rings 25 s after the app asked.
    The app counts the ring from then (the create's `queue_time`), not from its request."""
    floor.agent("amy", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    fill_the_cps_queue(floor, 25)
    floor.set_state("amy", ["billing"], "available")
    amy = floor.emu.softphone("amy")
    asked_at = floor.emu.elapsed
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    assert floor.emu.elapsed - asked_at >= 24
    floor.wait(4)
    amy.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.call_state(call.sid)["agent"] == "amy"


def test_a_ring_stuck_in_twilios_queue_past_the_budget_is_not_the_agents_miss(floor):
    """60 calls ahead: the ring would not even start before the limit. The app takes it back
    in time for the offer, and the agent, whose phone never rang, stays available."""
    floor.agent("amy", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    start = queued_at(floor, call)
    fill_the_cps_queue(floor, 60)
    floor.set_state("amy", ["billing"], "available")
    amy = floor.emu.softphone("amy")
    floor.wait_until(lambda: call.gathering, timeout=LIMIT)
    assert heard_at(call, OFFER_TEXT) - start < LIMIT
    assert not any(h.kind == "ringing" for h in amy.heard)
    assert floor.agent_state("amy")["state"] == "available"


def test_after_keep_waiting_the_ring_budget_counts_from_the_fresh_clock(floor):
    """A caller who chose to keep waiting has a new minute: an agent freed 20 s into it gets
    their whole ring, not the scraps of the caller's first minute."""
    floor.agent("amy", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    floor.wait_until(lambda: call.gathering, timeout=LIMIT)
    call.press("1")  # keep waiting
    floor.wait_until(lambda: call.in_conference, timeout=10)
    kept_at = floor.emu.elapsed
    floor.wait_until(lambda: floor.emu.elapsed - kept_at >= 20, timeout=30)
    floor.set_state("amy", ["billing"], "available")
    amy = floor.emu.softphone("amy")
    floor.wait_until(lambda: amy.is_ringing, timeout=2)
    rang_at = floor.emu.elapsed
    floor.wait_until(lambda: not amy.is_ringing, timeout=LIMIT)
    assert floor.emu.elapsed - rang_at >= 19


class AnswerNewsLost:
    """The agent leg's `in-progress` callback never reaches the app (lost, or very late)."""

    def __init__(self, inner) -> None:
        self.inner, self.dropped = inner, 0

    def send(self, method, url, params, headers):
        if "/queue/agent-leg" in url and params.get("CallStatus") == "in-progress":
            self.dropped += 1
            return WebhookResponse(200)
        return self.inner.send(method, url, params, headers)


def test_an_answer_whose_news_is_lost_is_found_when_the_ring_is_over(floor):
    """When the ring's time is up the app asks Twilio about the leg rather than hanging up
    on an agent who did answer."""
    floor.emu.set_chaos(None)  # counts the answer callbacks: this order exactly
    amy = floor.agent("amy", ["billing"])
    floor.emu.transport = AnswerNewsLost(floor.emu.transport)
    call = unknown_caller(floor, "+14155550123")
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    floor.wait(15)
    amy.answer()
    floor.wait(10)  # past the ring's end by the app's count
    assert floor.emu.transport.dropped == 1
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.agent_state("amy")["state"] == "on_call"
    assert amy.call is not None and not amy.call.ended
    amy.say("Hello, billing, this is Amy")
    assert call.has_heard("Hello, billing, this is Amy")
