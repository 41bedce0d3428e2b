"""Floor events in words, as the live feed shows them."""

from __future__ import annotations

import pytest

from app.dashboard.describe import describe, hidden


def names(sid: str) -> str:
    return {"CA1": "Asha"}.get(sid, "+14155550100")


@pytest.mark.parametrize(("event", "text", "severity"), [
    ({"type": "call.escalated", "call_sid": "CA1", "step": "offer", "at": 45},
     "Asha: offered a message or a callback at 45 s", "warn"),
    ({"type": "call.answered", "call_sid": "CA1", "agent": "amy", "wait_seconds": 12.4},
     "amy answered Asha after 12 s", "good"),
    ({"type": "call.abandoned", "call_sid": "CA2", "wait_seconds": 48},
     "+14155550100 hung up after waiting 48 s", "bad"),
    ({"type": "alert.long_wait", "call_sid": "CA1", "department": "billing", "waited": 40},
     "Asha has waited 40 s in billing", "bad"),
    ({"type": "call.held", "call_sid": "CA1", "agent": "amy"}, "amy put Asha on hold", "info"),
    ({"type": "call.supervisor_monitor", "call_sid": "CA1", "supervisor": "sam",
      "mode": "whisper"}, "sam is whispering to the agent on the call with Asha", "info"),
    ({"type": "call.transferred", "call_sid": "CA1", "from_agent": "amy", "to_agent": "bob"},
     "Asha transferred from amy to bob", "good"),
    ({"type": "agent.state", "agent": "amy", "state": "away", "reason": "lunch"},
     "amy is away (lunch)", "info"),
    ({"type": "agent.wrap_up", "agent": "amy", "call_sid": "CA1"},
     "amy is wrapping up the call with Asha", "info"),
    ({"type": "agent.available", "agent": "amy", "reason": "wrap-up submitted"},
     "amy is available (wrap-up submitted)", "info"),
    ({"type": "alert.callback_overdue", "callback_id": 7, "number": "+14155550100",
      "overdue_minutes": 12.5}, "Callback #7 to +14155550100 is 12.5 min overdue", "bad"),
])
def test_events_read_as_sentences(event, text, severity):
    line = describe({"id": "1-0", "time": 1_800_000_000.0, **event}, names)
    assert line["text"] == text
    assert line["severity"] == severity
    assert line["at"] == 1_800_000_000.0  # when it happened, not a step's offset


def test_an_agents_copy_of_a_call_event_is_not_shown_twice():
    assert hidden({"type": "agent.offer"}) and hidden({"type": "agent.transfer.consulting"})
    assert not hidden({"type": "agent.state"}) and not hidden({"type": "call.answered"})
