"""Wrap-up through the emulator: the agent writes notes, an outcome and tags after a call; the
tags reach the departments' feedback lists; the next call's screen-pop shows it."""

from __future__ import annotations

from app.queue import queue_services
from app.wrapup.models import FeedbackItem, Wrapup

FORM = {
    "notes": "Asked about the late refund; explained the 5-day window. Box arrived crushed.",
    "outcome": "resolved",
    "tags": ["packaging", "marketing_suggestion", "complaint"],
    "anything_else_asked": True,
}


def finished_call(floor, agent_identity: str = "amy"):
    """A caller reaches the agent, they talk, the agent hangs up: wrap-up time."""
    agent = floor.agent(agent_identity, ["billing"])
    call = floor.answered_call(agent)
    agent.hangup()
    floor.wait_until(lambda: call.ended, timeout=20)
    assert floor.agent_state(agent_identity)["state"] == "wrap_up"
    return agent, call


def test_the_wrap_up_is_stored_and_the_agent_is_available_again(floor):
    amy, call = finished_call(floor)
    response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=FORM)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["call_sid"] == call.sid and body["agent"] == "amy"
    assert body["notes"] == FORM["notes"] and body["outcome"] == "resolved"
    assert body["anything_else_asked"] is True
    assert body["agent_state"] == "available"
    assert floor.agent_state("amy")["state"] == "available"
    [row] = floor.rows(Wrapup)
    assert row.tags == FORM["tags"] and row.anything_else_asked is True
    interaction = floor.interaction(call.sid)
    assert row.interaction_id == interaction.id
    assert [e.kind for e in interaction.events].count("wrapped_up") == 1
    with floor.app.app_context():
        kinds = [e["type"] for e in queue_services().events.read_agent_events("amy")]
    assert kinds[-1] == "available"


def test_each_tag_goes_to_its_departments_feedback_list(floor):
    floor.agent("sue", ["billing"], role="supervisor", state="away")
    amy, call = finished_call(floor)
    floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=FORM)

    def listed(department: str) -> list[str]:
        response = floor.api("GET", f"/api/feedback?department={department}", "sue")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["department"] == department
        for item in body["items"]:
            assert item["call_sid"] == call.sid and item["notes"] == FORM["notes"]
            assert item["agent"] == "amy" and item["department"] == department
        return [item["tag"] for item in body["items"]]

    assert listed("support") == ["packaging"]
    assert listed("sales") == ["marketing_suggestion"]
    assert listed("billing") == ["complaint"]  # no department of its own: the call's
    # The CLI prints the same list.
    result = floor.app.test_cli_runner().invoke(args=["wrapup", "feedback", "sales"])
    assert result.exit_code == 0, result.output
    assert "Marketing suggestion" in result.output and call.sid in result.output
    # Agents do not read other departments' feedback lists.
    assert floor.api("GET", "/api/feedback?department=sales", "amy").status_code == 403


def test_the_next_call_shows_the_last_wrap_up_on_the_screen_pop(floor):
    amy, first = finished_call(floor)
    floor.api("POST", f"/api/calls/{first.sid}/wrapup", "amy", json=FORM)
    floor.wait(2)
    second = floor.call_in()
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    with floor.app.app_context():
        offer = [e for e in queue_services().events.read_agent_events("amy")
                 if e["type"] == "offer" and e["call_sid"] == second.sid][0]
    last = offer["context"]["last_wrapup"]
    assert last["call_sid"] == first.sid
    assert last["notes"] == FORM["notes"] and last["outcome"] == "resolved"
    assert last["tags"] == FORM["tags"] and last["agent"] == "amy"
    [earlier] = offer["context"]["history"]
    assert earlier["wrapups"][0]["notes"] == FORM["notes"]
    # The same on the screen-pop API.
    response = floor.api("GET", f"/api/calls/{second.sid}/context", "amy")
    assert response.get_json()["last_wrapup"]["notes"] == FORM["notes"]


def test_only_the_agent_who_took_the_call_or_a_supervisor_may_wrap_it_up(floor):
    floor.agent("bob", ["sales"], state="away")
    floor.agent("sue", ["billing"], role="supervisor", state="away")
    amy, call = finished_call(floor)
    refused = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "bob", json=FORM)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["id"] == "forbidden"
    assert floor.rows(Wrapup) == []
    done = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "sue", json=FORM)
    assert done.status_code == 200 and done.get_json()["agent"] == "sue"
    assert floor.agent_state("amy")["state"] == "wrap_up"  # amy's own time is hers to end


def test_a_second_submission_replaces_the_first(floor):
    amy, call = finished_call(floor)
    floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=FORM)
    changed = {**FORM, "outcome": "follow_up", "tags": ["compliment"]}
    response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=changed)
    assert response.status_code == 200
    [row] = floor.rows(Wrapup)
    assert row.outcome == "follow_up"
    assert [i.tag for i in floor.rows(FeedbackItem)] == ["compliment"]


def test_the_form_is_checked(floor):
    amy, call = finished_call(floor)
    cases = [
        ({**FORM, "outcome": "sorted"}, "outcome"),
        ({**FORM, "tags": ["gossip"]}, "tags"),
        ({k: v for k, v in FORM.items() if k != "anything_else_asked"}, "anything_else_asked"),
        ({**FORM, "notes": 7}, "notes"),
    ]
    for body, field in cases:
        response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["details"]["field"] == field
    missing = floor.api("POST", "/api/calls/CA0000/wrapup", "amy", json=FORM)
    assert missing.status_code == 404
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_the_options_list_outcomes_and_tags_with_their_departments(floor):
    floor.agent("amy", ["billing"])
    body = floor.api("GET", "/api/wrapup/options", "amy").get_json()
    assert {"id": "resolved", "label": "Resolved"} in body["outcomes"]
    tags = {t["id"]: t for t in body["tags"]}
    assert tags["product_improvement"] == {"id": "product_improvement",
                                           "label": "Product improvement",
                                           "department": "support"}
    assert tags["complaint"]["department"] is None


def test_a_late_wrap_up_of_an_earlier_call_does_not_end_the_current_wrap_up_time(floor):
    amy, first = finished_call(floor)
    floor.wait(floor.app.config["WRAP_UP_SECONDS"] + 1)
    assert floor.agent_state("amy")["state"] == "available"
    second = floor.answered_call(amy)
    amy.hangup()
    floor.wait_until(lambda: second.ended, timeout=20)
    response = floor.api("POST", f"/api/calls/{first.sid}/wrapup", "amy", json=FORM)
    assert response.status_code == 200
    assert response.get_json()["agent_state"] == "wrap_up"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    response = floor.api("POST", f"/api/calls/{second.sid}/wrapup", "amy", json=FORM)
    assert response.get_json()["agent_state"] == "available"


def test_after_a_warm_transfer_both_agents_wrap_up_their_part(floor):
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    bob = floor.agent("bob", ["billing"])
    floor.agent("cal", ["billing"], state="away")
    started = floor.api("POST", f"/api/calls/{call.sid}/transfers", "amy",
                        json={"mode": "warm", "target": {"kind": "agent", "id": "bob"}})
    assert started.status_code == 201, started.get_json()
    floor.wait_until(lambda: bob.is_ringing, timeout=5)
    bob.answer()
    floor.wait(1)
    assert floor.api("POST", f"/api/calls/{call.sid}/transfer/complete", "amy",
                     json={}).status_code == 200
    floor.wait(2)
    bob.hangup()
    floor.wait_until(lambda: call.ended, timeout=20)
    for who, outcome in (("amy", "transferred"), ("bob", "resolved")):
        response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", who,
                             json={**FORM, "outcome": outcome})
        assert response.status_code == 200, (who, response.get_json())
        assert response.get_json()["agent_state"] == "available"
    assert sorted((w.agent_identity, w.outcome) for w in floor.rows(Wrapup)) == [
        ("amy", "transferred"), ("bob", "resolved")]
    refused = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "cal", json=FORM)
    assert refused.status_code == 403
