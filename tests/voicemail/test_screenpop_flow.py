"""Issue #17, item 1, through the emulator: a customer who left a message calls again; the
agent who answers sees the message on the screen-pop (and the call it came from in the
history), marks it handled on this call, and it leaves everyone's callback list."""

from __future__ import annotations

from app.customers.serializers import interactions_to_dicts
from app.interactions.services import find_by_call_sid
from app.queue import queue_services
from tests.voicemail.test_flows import (  # noqa: F401  (the floor fixture)
    api,
    floor,
    jordan_picks,
    kinds,
    leave_message,
)

WORDS = "Hi this is Jordan my bill is wrong please call me back"


def test_the_next_call_shows_the_message_and_the_agent_handles_it_there(floor):  # noqa: F811
    # Nobody of billing is signed in: Jordan is offered a message at once and leaves one.
    first = jordan_picks(floor, "1")
    first.set_transcription(WORDS)
    first.press("2")
    leave_message(floor, first, WORDS)
    [callback] = floor.callbacks()
    assert callback.kind == "voicemail" and callback.status == "open"

    # Amy signs in; Jordan calls again and she answers.
    amy = floor.agent("amy", ["billing"], state="available")
    second = jordan_picks(floor, "1")
    floor.wait_until(lambda: amy.is_ringing, timeout=60)
    with floor.app.app_context():
        [offer] = [e for e in queue_services().events.read_agent_events("amy")
                   if e["type"] == "offer" and e["call_sid"] == second.sid]
    # The ringing console already shows it.
    assert [c["id"] for c in offer["context"]["open_callbacks"]] == [callback.id]
    amy.answer()
    floor.wait_until(lambda: floor.call_state(second.sid).get("state") == "connected",
                     timeout=30)

    token = floor.token("amy")
    pop = api(floor, "get", f"/api/calls/{second.sid}/context", token)
    [open_callback] = pop["open_callbacks"]
    assert open_callback["id"] == callback.id
    assert open_callback["kind"] == "voicemail" and open_callback["box"]["slug"] == "billing"
    assert open_callback["message"]["transcription"]["text"] == WORDS
    assert open_callback["assigned_to"] is None and open_callback["age_seconds"] > 0
    [earlier] = pop["history"]
    assert earlier["call_sid"] == first.sid
    assert [c["kind"] for c in earlier["callbacks"]] == ["voicemail"]
    assert [c["id"] for c in api(floor, "get", "/api/callbacks", token)["callbacks"]] == [
        callback.id]

    done = api(floor, "post", f"/api/calls/{second.sid}/callbacks/{callback.id}/handled",
               token, json={"note": "Bill corrected while he was on the line"})
    assert done["status"] == "closed" and done["outcome"] == "reached"

    assert api(floor, "get", "/api/callbacks", token)["callbacks"] == []
    assert api(floor, "get", f"/api/calls/{second.sid}/context", token)["open_callbacks"] == []
    [closed] = floor.callbacks()
    assert kinds(closed)[-1] == "handled_on_call"
    assert closed.events[-1].detail["call_sid"] == second.sid
    assert closed.closed_by == "amy"
    # Amy's console was told to re-read its list.
    with floor.app.app_context():
        notices = [e for e in queue_services().events.read_agent_events("amy")
                   if e["type"] == "callbacks.changed"]
    assert {"callback_id": callback.id, "change": "handled_on_call", "by": "amy"} in [
        c for n in notices for c in n["changes"]]
    # The call's history says so on Jordan's next call.
    with floor.app.app_context():
        [row] = interactions_to_dicts([find_by_call_sid(second.sid)])
    assert row["callbacks_handled"] == [{"id": callback.id, "kind": "voicemail",
                                         "box": "billing", "agent": "amy"}]
    # The call goes on: Jordan is still talking to Amy.
    assert floor.call_state(second.sid)["state"] == "connected"
