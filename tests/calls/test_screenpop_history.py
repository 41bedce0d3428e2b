"""The history on the next call's screen-pop, through the emulator (issue #17, item 1): a
caller transferred from Amy to Bob (who wrap up) and who rated the call calls again; the agent
who answers sees who had them, the transfer, both wrap-ups and the survey score."""

from __future__ import annotations

from tests.calls.conftest import sign_in, talking

WRAPUP = {"outcome": "follow_up", "tags": ["complaint"], "anything_else_asked": True}


def test_the_next_call_shows_the_transfer_each_wrap_up_and_the_survey(floor, amy, bob):
    sue = sign_in(floor, "sue", ["billing"], state="away", role="supervisor")
    survey = sue._send("PUT", "/api/wrapup/surveys/billing", {"enabled": True})
    assert survey.status_code == 200, survey.get_json()
    first = talking(floor, amy)
    response = amy.transfer(first, "cold", "agent", "bob")
    assert response.status_code == 201, response.get_json()
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=20)
    bob.phone.answer()
    floor.wait(1)
    bob.phone.hangup()
    floor.wait_until(lambda: first.gathering, timeout=20)  # the survey's question
    first.press("5")
    floor.wait_until(lambda: first.ended, timeout=20)
    for console, notes in ((amy, "Wrong department: sent to Bob"),
                           (bob, "Refund promised by Friday")):
        saved = console.post(f"/api/calls/{first.sid}/wrapup", {**WRAPUP, "notes": notes})
        assert saved.status_code == 200, saved.get_json()

    second = talking(floor, amy)
    offer = [e for e in amy.events("offer") if e["call_sid"] == second.sid][-1]
    pop = amy.get(f"/api/calls/{second.sid}/context").get_json()
    for history in (offer["context"]["history"], pop["history"]):
        [earlier] = history
        assert earlier["call_sid"] == first.sid
        assert earlier["agent"] == "bob"  # who had the caller last
        assert earlier["transfers"] == [{"mode": "cold", "from_agent": "amy",
                                         "to_agent": "bob",
                                         "target": {"kind": "agent", "id": "bob"},
                                         "reason": None}]
        assert [(w["agent"], w["notes"], w["outcome"], w["tags"])
                for w in earlier["wrapups"]] == [
            ("amy", "Wrong department: sent to Bob", "follow_up", ["complaint"]),
            ("bob", "Refund promised by Friday", "follow_up", ["complaint"])]
        assert earlier["survey_rating"] == 5 and earlier["callbacks"] == []
