"""Bugs the webhook fuzzing found, each pinned by what the person on the line hears."""

from __future__ import annotations

from tests.conftest import call_params, parse_twiml

AGENT_LEG = call_params(CallSid="CA" + "4" * 32, From="client:amy", To="+14155550100",
                        Direction="outbound-api")


def test_an_agent_answering_for_a_callback_that_is_gone_is_told_so(signed_post):
    root = parse_twiml(signed_post("/voicemail/callbacks/424242/connect?agent=amy",
                                   AGENT_LEG))
    said = " ".join(s.text or "" for s in root.iter("Say"))
    assert "no longer on the list" in said
    assert root.find("Hangup") is not None
    # Not the callers' fallback: the agent is not asked to leave a message.
    assert root.find("Record") is None and root.find("Dial") is None


def test_the_end_of_a_dial_for_a_callback_that_is_gone_is_not_a_message_prompt(signed_post):
    root = parse_twiml(signed_post("/voicemail/callbacks/424242/dialed?agent=amy",
                                   {**AGENT_LEG, "DialCallStatus": "completed"}))
    assert root.find("Record") is None
    assert root.find("Hangup") is not None


def test_a_missed_agent_leg_for_a_callback_that_is_gone_is_not_retried(signed_post):
    response = signed_post("/voicemail/callbacks/424242/agent-leg?agent=amy",
                           {**AGENT_LEG, "CallStatus": "no-answer"})
    assert response.status_code == 200  # a 500 would make Twilio retry it, in vain
