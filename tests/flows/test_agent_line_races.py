"""A caller who hangs up just as their agent presses Accept, through the emulator.

The hang-up's news travels separately from the Accept and may come after it. The agent's line
is then moved into a room whose caller has gone: Twilio starts that room afresh around the
line alone, with nobody to end it. The app reads the caller's call after moving the line; if
it cannot, the news, when it comes, must bring the line home."""

from __future__ import annotations

from sim.faults import faults
from tests.flows.line_helpers import line_agent, line_room
from tests.flows.test_queue_flows import choose


def hang_up_news_late(floor, call_sid: str) -> None:
    """Each message that tells the app the caller is gone misses its first attempt: Twilio
    tries again after the connect timeout (5 s), long after the agent's Accept."""
    for match in (f"conference-events?call={call_sid}", f"/queue/after?call={call_sid}",
                  "/ivr/status"):
        floor.emu.webhook_faults.add(match, failure="ct")


def outcome(floor, call_sid: str):
    from app.interactions import services as interactions

    with floor.app.app_context():
        row = interactions.find_by_call_sid(call_sid)
        return ("answered" if row.answered_at is not None else
                "abandoned" if row.abandoned else "neither")


def takes_the_next_caller(floor, agent) -> None:
    second = choose(floor)
    floor.wait_until(lambda: agent.offered(second.sid),
                     timeout=30)
    assert agent.accept(second.sid).status_code == 200
    floor.wait(1)
    assert line_room(floor, agent) == second.sid
    assert floor.call_state(second.sid)["state"] == "connected"


def test_a_caller_gone_before_the_accept_is_not_answered_and_the_line_comes_home(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    hang_up_news_late(floor, call.sid)
    call.hangup()
    # The offer is still Amy's as far as the app has heard; Twilio knows better.
    response = amy.accept(call.sid)
    assert response.status_code == 409
    assert line_room(floor, amy) == "line-amy"
    assert floor.agent_state("amy")["state"] == "available"
    floor.wait(12)  # the late news arrives: nothing more to do
    assert outcome(floor, call.sid) == "abandoned"
    assert line_room(floor, amy) == "line-amy"
    assert floor.agent_state("amy")["state"] == "available"
    takes_the_next_caller(floor, amy)
    floor.emu.assert_no_application_errors()


def test_a_hang_up_heard_after_the_accept_brings_the_agents_line_home(floor):
    amy = line_agent(floor, "amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.offers(), timeout=30)
    hang_up_news_late(floor, call.sid)
    # Twilio cannot tell the app about the caller just now (every read fails, retries too).
    faults(floor.emu).add("calls.fetch", 5, status=503)
    call.hangup()
    assert amy.accept(call.sid).status_code == 200  # the app cannot know yet
    assert line_room(floor, amy) == call.sid  # a fresh room, Amy alone in it
    floor.wait(12)  # the retries arrive
    assert call.ended
    assert line_room(floor, amy) == "line-amy"
    assert amy.presence()["line"]["state"] == "connected"
    assert floor.agent_state("amy")["state"] in ("wrap_up", "available")
    floor.wait(floor.app.config["WRAP_UP_SECONDS"] + 1)
    assert floor.agent_state("amy")["state"] == "available"
    takes_the_next_caller(floor, amy)
    floor.emu.assert_no_application_errors()
