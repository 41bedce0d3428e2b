"""The floor feed says what happened to a caller nobody is signed in for: they were offered a
message or a callback at once, and heard no apology with a position (the hold clock still
fires the ladder's announce step for them, at the offer menu, where nobody hears it)."""

from __future__ import annotations

import pytest

from app.dashboard.describe import describe, hidden
from app.floor.languages import translation
from sim.testing import assert_heard, assert_not_heard
from tests.dashboard.test_live import supervisor_feed
from tests.flows.conftest import ASHA, NUMBER

# What a waiting caller hears when the announce step has fired (Asha is spoken to in Hindi).
APOLOGY = translation("hi", "queue.apology_position").split("।")[0]
OFFER = translation("hi", "queue.offer").split(":")[0]
NO_AGENTS_LINE = "Asha: nobody signed in for billing; offered a message or a callback at once"
ANNOUNCED_LINE = "Asha: apology and position announced at 0 s"


def names(sid: str) -> str:
    return "Asha"


def line(event: dict) -> str | None:
    """The feed's line for an event, None if the feed leaves it out (as DashboardFeed does)."""
    return None if hidden(event) else describe({"id": "1-0", "time": 0.0, **event}, names)["text"]


@pytest.mark.parametrize(("event", "text"), [
    ({"type": "call.no_agents", "call_sid": "CA1", "department": "billing"}, NO_AGENTS_LINE),
    # Fired at the offer menu: nobody was told anything.
    ({"type": "call.escalated", "call_sid": "CA1", "step": "announce", "at": 0,
      "state": "in_offer"}, None),
    ({"type": "call.escalated", "call_sid": "CA1", "step": "announce", "at": 0,
      "state": "waiting"}, ANNOUNCED_LINE),
    # Ringing an agent: the caller hears it if they are still waiting after the ring.
    ({"type": "call.escalated", "call_sid": "CA1", "step": "announce", "at": 0,
      "state": "offered"}, ANNOUNCED_LINE),
    ({"type": "call.escalated", "call_sid": "CA1", "step": "announce", "at": 0},
     ANNOUNCED_LINE),  # an event from before events said where the caller was
    # Other steps at the offer menu did happen (the caller keeps the raised priority).
    ({"type": "call.escalated", "call_sid": "CA1", "step": "raise_priority", "at": 20,
      "state": "in_offer"}, "Asha: priority raised at 20 s"),
])
def test_an_announcement_nobody_heard_is_not_a_line(event, text):
    assert line(event) == text


def test_a_caller_nobody_is_signed_in_for_is_offered_a_message_at_once(floor, client):
    stream = supervisor_feed(floor, client, ["sales"])
    try:
        stream.next("snapshot")
        call = floor.emu.dial_in(ASHA, NUMBER)
        floor.wait_until(lambda: call.gathering, timeout=60)
        call.press("1")  # billing, where nobody is signed in: the offer comes at once
        floor.wait(5)  # the hold clock fires the ladder's announce step meanwhile
        assert floor.call_state(call.sid)["state"] == "in_offer" and call.gathering
        assert_heard(call, OFFER)
        assert_not_heard(call, APOLOGY)

        _, queued = stream.next("floor")
        assert queued["text"] == "Asha is waiting for billing"
        _, offered = stream.next("floor")
        assert offered["text"] == NO_AGENTS_LINE
        page = client.get("/supervisor").get_data(as_text=True)
        assert NO_AGENTS_LINE in page and ANNOUNCED_LINE not in page

        call.press("1")  # keep waiting: back in line, the ladder starts again
        floor.wait_until(lambda: call.has_heard(APOLOGY), timeout=30)  # now it is announced
        _, kept = stream.next("floor")
        _, announced = stream.next("floor")
        texts = [e["text"] for e in stream.floor]
        assert (kept["text"], announced["text"]) == ("Asha chose to keep waiting",
                                                    ANNOUNCED_LINE), texts
        assert texts.count(ANNOUNCED_LINE) == 1, texts
    finally:
        stream.close()
        call.hangup()
