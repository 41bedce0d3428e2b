"""A requested callback taken on an agent's persistent line, through the emulator.

The Voice SDK ignores an incoming call while its device has an active call (its
`allowIncomingWhileBusy` is false by default), and the console's line is one: a callback rung
over the API would ring unseen. So the line itself calls the customer back: Accept on the
console redirects it to TwiML that `<Dial>`s the customer, which creates no call over the API
(no calls-per-second slot), and it comes home when the call is over."""

from __future__ import annotations

from app.extensions import db
from app.voicemail.models import Callback
from tests.flows.line_helpers import api_created_calls, line_agent, line_room
from tests.voicemail.test_flows import (
    JORDAN,
    KEPT,
    connected,
    floor,  # noqa: F401 - the fixture
    jordan_picks,
    kinds,
    leave_message,
    reach_the_offer,
)


def requested_callback(floor):  # noqa: F811
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    assert call.has_heard(KEPT)
    return call


def test_a_callback_is_called_back_on_the_agents_line_with_no_call_created(floor):  # noqa: F811
    requested = requested_callback(floor)
    jordan = floor.emu.phone(JORDAN, answer_after=4)
    amy = line_agent(floor, "amy", ["billing"])
    floor.wait_until(lambda: any(e.get("callback_id") for e in amy.events("callback_offer")),
                     timeout=30)
    offer = amy.events("callback_offer")[-1]
    assert offer["line"] is True
    assert not amy.phone.is_ringing  # nothing rings the browser: the console does
    assert amy.accept(offer["call_sid"]).status_code == 200
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    assert "Jordan" in amy.line.heard_text()  # who they are calling, then the customer
    # Jordan's leg is the line's own <Dial>: nothing was created over the API.
    assert api_created_calls(floor) == []
    assert floor.agent_state("amy")["state"] == "on_call"
    jordan.hangup()
    floor.wait_until(lambda: line_room(floor, amy) == "line-amy", timeout=30)
    assert line_room(floor, amy) == "line-amy"  # the line is home, not hung up
    assert not amy.line.ended
    assert floor.agent_state("amy")["state"] == "wrap_up"
    with floor.app.app_context():
        callback = db.session.scalars(db.select(Callback)).one()
        assert "customer_leg" in kinds(callback)
        assert callback.last_call_sid == amy.line.sid
    # The next caller is offered on the same line after the wrap-up.
    floor.wait(floor.app.config["WRAP_UP_SECONDS"] + 1)
    assert floor.agent_state("amy")["state"] == "available"
    assert requested.ended
    floor.emu.assert_no_application_errors()


def test_a_line_that_drops_during_a_callback_puts_the_agent_away(floor):  # noqa: F811
    requested_callback(floor)
    jordan = floor.emu.phone(JORDAN, answer_after=4)
    amy = line_agent(floor, "amy", ["billing"])
    floor.wait_until(lambda: amy.events("callback_offer"), timeout=30)
    assert amy.accept(amy.events("callback_offer")[-1]["call_sid"]).status_code == 200
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    amy.line.hangup()  # the browser goes mid-call
    floor.wait_until(lambda: amy.events("line_down"), timeout=10)
    floor.wait(2)
    assert jordan.call is None or jordan.call.ended
    assert floor.agent_state("amy")["state"] == "away"
    assert amy.presence()["line"]["state"] == "down"
    with floor.app.app_context():
        callback = db.session.scalars(db.select(Callback)).one()
        assert "customer_leg" in kinds(callback)
    floor.emu.assert_no_application_errors()


def calling_back_from_the_worklist(floor):  # noqa: F811
    """Amy, away with her line open, presses Call back on Jordan's callback; he answers."""
    requested_callback(floor)
    jordan = floor.emu.phone(JORDAN, answer_after=4)
    amy = line_agent(floor, "amy", ["billing"], available=False)
    with floor.app.app_context():
        callback = db.session.scalars(db.select(Callback)).one()
    response = amy.api(f"/api/callbacks/{callback.id}/call")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["call_sid"] == amy.line.sid
    assert response.get_json()["via"] == "line"
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    assert api_created_calls(floor) == []
    return amy, jordan


def test_calling_back_from_the_worklist_uses_the_line(floor):  # noqa: F811
    amy, jordan = calling_back_from_the_worklist(floor)
    assert floor.agent_state("amy")["state"] == "away"  # no offer comes to a busy line
    jordan.hangup()
    floor.wait_until(lambda: line_room(floor, amy) == "line-amy", timeout=30)
    assert not amy.line.ended
    # Back to work when they say so (after recording the outcome): the line takes offers.
    amy.available()
    assert floor.agent_state("amy")["state"] == "available"
    floor.emu.assert_no_application_errors()


def test_the_agent_ends_a_call_back_on_the_line_and_keeps_the_line(floor):  # noqa: F811
    amy, jordan = calling_back_from_the_worklist(floor)
    assert amy.presence()["line"]["in_call"] is True
    response = amy.api("/api/agents/me/line/hangup")
    assert response.status_code == 200, response.get_json()
    floor.wait(1)
    assert jordan.call is None or jordan.call.ended
    assert line_room(floor, amy) == "line-amy" and not amy.line.ended
    assert amy.presence()["line"]["in_call"] is False
    # Nothing more to end: a clear refusal, and the line is untouched.
    again = amy.api("/api/agents/me/line/hangup")
    assert again.status_code == 409 and again.get_json()["error"]["id"] == "no_call_out"
    assert line_room(floor, amy) == "line-amy"
    floor.emu.assert_no_application_errors()


def test_a_call_back_without_a_line_rings_the_softphone_and_takes_no_callers(floor):  # noqa: F811
    """Without a line (ring mode, or a console that never opened one) the softphone rings
    first; the agent is away meanwhile, so a caller arriving is not offered to a browser
    busy with the callback."""
    # A message left at the offer: a callback that is not in the line.
    amy = floor.agent("amy", ["billing"])  # signed in, busy
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("2")
    leave_message(floor, call, "Hi this is Jordan please call me back")
    jordan = floor.emu.phone(JORDAN, answer_after=4)
    floor.set_state("amy", ["billing"], "available")
    with floor.app.app_context():
        callback = db.session.scalars(db.select(Callback)).one()
    response = floor.client.post(f"/api/callbacks/{callback.id}/call",
                                 headers=floor.token("amy"))
    assert response.status_code == 200 and response.get_json()["via"] == "ring"
    assert floor.agent_state("amy")["state"] == "away"
    assert floor.agent_state("amy")["reason"] == "calling out"
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    amy.answer()
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    caller = jordan_picks(floor, "1")
    floor.wait(5)
    assert floor.queue_call(caller.sid)["state"] == "waiting"  # nobody rang busy Amy
    floor.emu.assert_no_application_errors()


def test_a_call_back_during_a_call_is_refused(floor):  # noqa: F811
    requested_callback(floor)
    amy = line_agent(floor, "amy", ["billing"])
    floor.wait_until(lambda: amy.events("callback_offer"), timeout=30)
    assert amy.accept(amy.events("callback_offer")[-1]["call_sid"]).status_code == 200
    assert floor.agent_state("amy")["state"] == "on_call"
    with floor.app.app_context():
        callback = db.session.scalars(db.select(Callback)).one()
    busy = amy.api(f"/api/callbacks/{callback.id}/call")
    assert busy.status_code == 409 and busy.get_json()["error"]["id"] == "agent_busy"
    assert floor.agent_state("amy")["state"] == "on_call"


def test_a_softphone_rung_over_the_api_while_its_line_is_up_does_not_ring(floor):  # noqa: F811
    """What the line saves us from: the emulator's softphone is the Voice SDK's device, and
    a device with an active call ignores the invite; the ring runs out unseen."""
    amy = line_agent(floor, "amy", ["billing"], available=False)
    with floor.app.app_context():
        from app.telephony import gateway

        leg = gateway().place_call("client:amy", from_="+15005550006",
                                   url="http://localhost/unused", status_callback="",
                                   timeout=10)
    floor.wait(3)
    assert not amy.phone.is_ringing
    floor.wait(20)
    assert floor.emu.store.calls[leg].status == "no-answer"
    assert any(e["type"] == "invite_ignored" and e["call_sid"] == leg
               for e in floor.emu.events)
