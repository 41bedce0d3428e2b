"""Rings that fail for reasons that are not the agent's: a leg an earlier ring left in the
caller's room, and Twilio refusing to ring at all. Whole calls through the emulator, with the
hold clock on virtual time. (The 500-call load test found the first: every ring met the
leftover leg's label, each rung agent was put away, and the floor cycled to away.)"""

from __future__ import annotations

from app.queue import queue_services
from app.telephony import gateway
from sim.faults import faults
from tests.flows.conftest import ASHA
from tests.flows.test_queue_flows import choose, next_question, unknown_caller


def leave_a_ring_behind(floor, call_sid: str, identity: str) -> str:
    """What an earlier ring the app gave up on leaves in the caller's room: a leg of that
    agent's, still ringing, made the way the app makes them."""
    with floor.app.app_context():
        leg = gateway().add_agent_to_conference(
            call_sid, identity=identity, caller_id=ASHA, timeout=60,
            status_callback=floor.app.config["PUBLIC_BASE_URL"]
            + f"/queue/agent-leg?call={call_sid}&agent={identity}")
    floor.emu.settle()
    return leg


def participant_creates(floor) -> list[dict]:
    return [e for e in floor.emu.events if e["type"] == "rest" and e["method"] == "POST"
            and e["path"].endswith("/Participants.json")]


def two_callers(floor, key: str):
    """Two unknown callers go through the menus side by side and join the line half a
    second apart (so both are in line long before the ladder's offer)."""
    calls = [floor.emu.dial_in(n, "+15005550006") for n in ("+14155550123", "+14155550124")]
    floor.wait_until(lambda: all(c.gathering for c in calls), timeout=60)
    for keys in ("1", "*"):
        for c in calls:
            c.press(keys)
        for c in calls:
            next_question(floor, c)
    for c in calls:
        c.press(key)
        floor.wait_until(lambda c=c: c.in_conference, timeout=60)
        floor.wait(0.5)
    return calls


def agent_events(floor, identity: str, kind: str) -> list[dict]:
    with floor.app.app_context():
        return [e for e in queue_services().events.read_agent_events(identity) if e["type"] == kind]


def test_a_leg_another_agent_left_in_the_room_does_not_block_the_next_ring(floor):
    amy = floor.agent("amy", ["billing"], state="away")
    bob = floor.agent("bob", ["billing"], state="away")
    amy.answer_after = None  # amy's old ring keeps ringing; she never picks it up
    call = choose(floor)
    leave_a_ring_behind(floor, call.sid, "amy")
    assert amy.is_ringing

    floor.set_state("bob", ["billing"], "available")
    floor.wait_until(lambda: bob.is_ringing, timeout=10)
    bob.answer()
    floor.wait(2)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.agent_state("bob")["state"] == "on_call"
    # amy's leftover ring was nobody's offer: answering it now puts her in no caller's room.
    amy.answer()
    floor.wait(2)
    assert floor.agent_state("amy")["state"] == "away"
    assert amy.call is None
    assert not [e for e in participant_creates(floor) if e["status"] >= 400]


def test_a_leg_the_same_agent_left_behind_is_removed_and_they_ring_again(floor):
    amy = floor.agent("amy", ["billing"], state="away")
    amy.answer_after = None
    call = choose(floor)
    stale = leave_a_ring_behind(floor, call.sid, "amy")

    floor.set_state("amy", ["billing"], "available")
    floor.wait_until(lambda: floor.call_state(call.sid).get("agent_leg") not in ("", None),
                     timeout=10)
    leg = floor.call_state(call.sid)["agent_leg"]
    assert leg != stale
    assert floor.emu.call(stale).ended
    floor.wait(1)
    amy.answer()
    floor.wait(2)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.agent_state("amy")["state"] == "on_call"
    # The old leg's end did not undo the new offer, nor put amy away.
    assert not agent_events(floor, "amy", "missed")


def test_twilio_refusing_the_ring_leaves_the_agent_available_and_the_caller_first(floor):
    amy = floor.agent("amy", ["support"], state="away")
    amy.answer_after = None
    first, second = two_callers(floor, "2")
    # Twilio refuses the next ring outright (not a retryable failure), then works again.
    faults(floor.emu).add("participants.create", 1, status=400, code=21218)

    floor.set_state("amy", ["support"], "available")
    floor.wait(0.5)
    # The refusal was nobody's fault: amy stays available, told what happened; the first
    # caller keeps their place at the head of the line.
    told = agent_events(floor, "amy", "unreachable")
    assert told and told[0]["call_sid"] == first.sid
    assert floor.call_state(first.sid)["state"] == "waiting"
    assert floor.store().waiting("support")[0] == first.sid
    # The router did not ring into the same failure again: it went on to the next caller.
    assert floor.agent_state("amy")["state"] == "ringing"
    assert floor.call_state(second.sid)["state"] == "offered"
    assert len(participant_creates(floor)) == 2

    amy.reject()
    floor.wait(2)
    # amy turned that one down herself: away, as before. Once she is back the first caller,
    # their short back-off over, is offered first.
    assert floor.agent_state("amy")["state"] == "away"
    floor.set_state("amy", ["support"], "available")
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    assert floor.call_state(first.sid)["state"] == "offered"
    assert floor.call_state(first.sid)["agent"] == "amy"


def test_twilio_down_is_not_rung_into_again_and_again(floor):
    floor.agent("amy", ["support"], state="away")
    floor.agent("bob", ["support"], state="away")
    call = unknown_caller(floor, "+14155550125", key="2")
    faults(floor.emu).add("participants.create", 1000, status=400, code=21218)

    floor.set_state("amy", ["support"], "available")
    floor.set_state("bob", ["support"], "available")
    floor.wait(10)
    # Back-off 2, 4, 8 s: a handful of attempts in 10 s, not one per agent per instant.
    attempts = len(participant_creates(floor))
    assert 2 <= attempts <= 6, attempts
    assert {floor.agent_state(a)["state"] for a in ("amy", "bob")} == {"available"}
    assert floor.call_state(call.sid)["state"] == "waiting"


class HoldBack:
    """Delivers every webhook but those `held` picks, which wait until `release()`: a
    callback that Twilio sent on time and that reached the app late."""

    def __init__(self, inner, held) -> None:
        self.inner, self.held, self.kept = inner, held, []

    def send(self, method, url, params, headers):
        from sim.transport import WebhookResponse

        if self.held(url, params):
            self.kept.append((method, url, dict(params), dict(headers)))
            return WebhookResponse(204)
        return self.inner.send(method, url, params, headers)

    def release(self) -> None:
        for request in self.kept:
            assert self.inner.send(*request).status == 200


def test_an_answer_whose_news_comes_after_the_hang_up_is_still_an_answer(floor):
    from tests.flows.test_queue_flows import interaction

    # This order exactly: the caller's news before the leg's end (the other order is
    # test_a_leg_completed_before_its_answer_was_reported_was_answered).
    floor.emu.set_chaos(None)
    amy = floor.agent("amy", ["billing"])
    amy.answer_after = None
    late = HoldBack(floor.emu.transport, lambda url, params: "/queue/agent-leg" in url
                    and params.get("CallStatus") == "in-progress")
    floor.emu.transport = late
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    amy.answer()
    floor.wait(4)  # caller and amy talk; the app has not heard of the answer yet
    assert amy.call is not None and late.kept
    assert floor.call_state(call.sid)["state"] == "offered"
    call.hangup()
    floor.wait(1)
    assert interaction(floor, call.sid).abandoned  # what the app knew then

    late.release()  # the answer's callback arrives, stamped 4 s before the hang-up
    row = interaction(floor, call.sid)
    assert row.answered_at is not None and row.agent_identity == "amy"
    assert not row.abandoned


def test_a_ring_after_the_caller_is_gone_rings_nobody_into_an_empty_room(floor):
    """The caller hangs up; the news is late. Meanwhile an agent becomes free and the router
    rings them for that caller: into the caller's room by its SID, which has ended, so
    Twilio refuses instead of making a new, empty room of the same name."""
    from tests.flows.test_queue_flows import interaction

    amy = floor.agent("amy", ["billing"], state="away")
    amy.answer_after = None
    call = choose(floor)
    # The app learns the room from participant-join, which may come a moment late.
    floor.wait_until(lambda: floor.call_state(call.sid).get("room", "").startswith("CF"),
                     timeout=5)
    late = HoldBack(floor.emu.transport, lambda url, params: params.get("CallSid") == call.sid
                    or f"call={call.sid}" in url)
    floor.emu.transport = late
    call.hangup()
    floor.wait(1)
    floor.set_state("amy", ["billing"], "available")
    floor.wait(1)
    assert not amy.is_ringing and amy.call is None
    assert floor.agent_state("amy")["state"] == "available"

    late.release()  # the hang-up's news arrives
    assert interaction(floor, call.sid).abandoned
    assert floor.call_state(call.sid)["state"] == "ended"
    assert floor.agent_state("amy")["state"] == "available"


def test_a_ring_cancelled_before_the_news_of_the_hang_up_leaves_the_agent_available(floor):
    """The caller hangs up while amy rings: the room ends and Twilio cancels her leg. The
    leg's `canceled` may reach the app before any news of the caller (`participant-leave`,
    the Dial action, the call's `completed`): Twilio does not order them. Amy missed
    nothing and must not be set away."""
    from tests.flows.test_queue_flows import interaction

    floor.emu.set_chaos(None)  # this order exactly
    amy = floor.agent("amy", ["billing"])
    amy.answer_after = None
    late = HoldBack(floor.emu.transport, lambda url, params: (
        "/queue/after" in url or "/ivr/status" in url or (
            "/queue/conference-events" in url
            and params.get("StatusCallbackEvent") == "participant-leave")))
    floor.emu.transport = late
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    call.hangup()
    floor.wait(1)
    assert late.kept and not amy.is_ringing
    assert floor.agent_state("amy")["state"] == "available"

    late.release()  # the caller's leave arrives
    floor.wait(5)
    assert floor.agent_state("amy")["state"] == "available"
    assert not amy.is_ringing
    assert interaction(floor, call.sid).abandoned is True


def test_a_caller_whose_join_is_reported_late_is_not_told_every_agent_is_busy(floor):
    """Twilio asks for the wait URL and reports `participant-join` at the same moment, in no
    set order. With the join's news late, the app used to answer the first wait URL as for a
    caller nobody can take ("all of our agents are helping other customers") while amy sat
    free, about to be rung."""
    from tests.flows.test_queue_flows import APOLOGY

    floor.emu.set_chaos(None)  # this order exactly
    amy = floor.agent("amy", ["billing"])
    amy.answer_after = None
    late = HoldBack(floor.emu.transport, lambda url, params: "/queue/conference-events" in url
                    and params.get("StatusCallbackEvent") == "participant-join")
    floor.emu.transport = late
    call = choose(floor, "+12025550143")  # Jordan, who hears English
    floor.wait(3)  # the wait URL has been asked for; the join's news has not arrived
    assert late.kept
    late.release()
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    assert call.has_heard("Thank you") and not call.has_heard(APOLOGY), call.transcript()


def test_a_leg_completed_before_its_answer_was_reported_was_answered(floor):
    """Amy answers and talks; the caller hangs up. Her leg's `completed` reaches the app
    before its `in-progress` and before any news of the caller (Twilio orders none of them).
    A leg that ends `completed` (with a duration) was answered: not a missed ring."""
    from tests.flows.test_queue_flows import interaction

    floor.emu.set_chaos(None)  # this order exactly
    amy = floor.agent("amy", ["billing"])
    amy.answer_after = None
    answer = HoldBack(floor.emu.transport, lambda url, params: "/queue/agent-leg" in url
                      and params.get("CallStatus") == "in-progress")
    floor.emu.transport = answer
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    amy.answer()
    floor.wait(4)
    caller_news = HoldBack(answer, lambda url, params: params.get("CallSid") == call.sid)
    floor.emu.transport = caller_news
    call.hangup()
    floor.wait(1)
    assert caller_news.kept and answer.kept
    assert floor.agent_state("amy")["state"] != "away"  # she missed nothing

    caller_news.release()
    answer.release()
    row = interaction(floor, call.sid)
    assert row.answered_at is not None and row.agent_identity == "amy"
    assert not row.abandoned


def test_the_old_rooms_leave_reported_after_the_new_rooms_join_keeps_the_new_room(floor):
    """A caller leaves their room for the offer menu and keeps waiting in a new room. The
    old room's `participant-leave` may arrive after the new room's `participant-join`: it
    must not make the app forget the room it rings agents into (by SID)."""
    from tests.flows.test_queue_flows import unknown_caller

    floor.emu.set_chaos(None)  # this order exactly
    floor.agent("busy_bee", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    first_room = floor.emu.conference(call.sid).sid
    late = HoldBack(floor.emu.transport, lambda url, params: "/queue/conference-events" in url
                    and params.get("StatusCallbackEvent") == "participant-leave")
    floor.emu.transport = late
    floor.wait_until(lambda: call.gathering, timeout=58)  # the offer, out of the room
    call.press("1")  # keep waiting: a new room
    floor.wait_until(lambda: call.in_conference, timeout=30)
    floor.wait(1)
    second_room = floor.emu.conference(call.sid).sid
    assert second_room != first_room and late.kept
    assert floor.call_state(call.sid)["room"] == second_room
    late.release()
    assert floor.call_state(call.sid)["room"] == second_room
