"""Callbacks on the agent's screen-pop: the caller's open callbacks (whatever box they are in),
what each earlier call left in a box, and "handled on this call" from the screen-pop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.clock import now
from app.customers.models import Customer, CustomerPhone
from app.errors import Conflict
from app.extensions import db
from app.interactions.models import Interaction
from app.interactions.services import add_event, find_by_call_sid
from app.voicemail import services
from app.voicemail.boxes import department_box
from app.voicemail.models import Callback
from app.wrapup.models import SurveyResponse, Wrapup
from tests.voicemail.conftest import CUSTOMER, sid

STRANGER = "+14155550199"


def interaction(call_sid: str, *, number: str = CUSTOMER, customer_id: int | None = None,
                agent: str | None = None, department_id: int | None = None,
                minutes_ago: float = 0) -> Interaction:
    row = Interaction(call_sid=call_sid, from_number=number, to_number="+15005550006",
                      customer_id=customer_id, agent_identity=agent,
                      department_id=department_id, status="in-progress",
                      started_at=now() - timedelta(minutes=minutes_ago))
    db.session.add(row)
    db.session.flush()
    return row


def callback_in(box: str, call: Interaction, kind: str = "voicemail", *,
                transcript: str | None = None) -> Callback:
    callback = services.open_callback(department_box(box), kind="missed_call",
                                      call_sid=call.call_sid)
    if kind == "voicemail":
        message = services.store_message(department_box(box), call_sid=call.call_sid,
                                         recording_sid="RE" + call.call_sid[2:],
                                         recording_url="https://api.twilio.com/x",
                                         language="en")
        message.duration_seconds = 9
        message.transcription_status = "completed"
        message.transcription_text = transcript
    elif kind == "requested":
        services.open_callback(department_box(box), kind="requested", call_sid=call.call_sid)
    return callback


@pytest.fixture
def jordan(app, frozen, people) -> dict[str, int]:
    """Jordan left a message in sales an hour ago (and asked billing for a callback 10
    minutes ago); he calls again now and amy (billing) is talking to him on CA-now."""
    with app.app_context():
        customer = Customer(name="Jordan", account_number="100004", language="en")
        customer.phones.append(CustomerPhone(number=CUSTOMER, source="import"))
        db.session.add(customer)
        db.session.flush()
        frozen.move_to("2026-11-25 09:00:00")
        first = interaction(sid(1), customer_id=customer.id)
        message = callback_in("sales", first, transcript="Please call me about a new plan")
        frozen.move_to("2026-11-25 09:50:00")
        second = interaction(sid(2), customer_id=customer.id)
        requested = callback_in("billing", second, "requested")
        frozen.move_to("2026-11-25 10:00:00")
        stranger = interaction(sid(3), number=STRANGER)
        others = callback_in("billing", stranger)
        interaction("CA-now", customer_id=customer.id, agent="amy")
        db.session.commit()
        return {"customer": customer.id, "message": message.id, "requested": requested.id,
                "stranger": others.id, "first": first.id}


def context(client, who, call_sid: str = "CA-now") -> dict:
    response = client.get(f"/api/calls/{call_sid}/context", headers=who)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def handled(client, who, callback_id: int, call_sid: str = "CA-now", **body):
    return client.post(f"/api/calls/{call_sid}/callbacks/{callback_id}/handled",
                       headers=who, json=body or None)


def test_the_screen_pop_lists_the_callers_open_callbacks_in_every_box(client, people, jordan):
    body = context(client, people["amy"])
    pop = {c["id"]: c for c in body["open_callbacks"]}
    # Jordan's two, whatever box (amy works billing, not sales); never the stranger's.
    assert list(pop) == [jordan["message"], jordan["requested"]]  # overdue first
    message = pop[jordan["message"]]
    assert message["kind"] == "voicemail" and message["status"] == "open"
    assert message["box"]["slug"] == "sales"
    assert message["overdue"] is True
    assert message["age_seconds"] == 3600
    assert message["due_at"].startswith("2026-11-25T09:15:00")
    assert message["assigned_to"] is None
    assert message["message"]["transcription"]["text"] == "Please call me about a new plan"
    requested = pop[jordan["requested"]]
    assert requested["kind"] == "requested" and requested["box"]["slug"] == "billing"
    assert requested["overdue"] is False and requested["age_seconds"] == 600


def test_who_holds_a_callback_is_shown(app, client, people, jordan):
    with app.app_context():
        services.claim(services.find_callback(jordan["message"]), services.find_agent("sam"))
        db.session.commit()
    pop = {c["id"]: c for c in context(client, people["amy"])["open_callbacks"]}
    assert pop[jordan["message"]]["assigned_to"] == "sam"
    assert pop[jordan["message"]]["status"] == "claimed"


def test_a_caller_known_only_by_number_sees_their_callbacks_and_a_withheld_one_none(
        app, client, people, jordan):
    with app.app_context():
        interaction("CA-stranger-again", number=STRANGER, agent="amy")
        interaction("CA-anon", number="anonymous", agent="amy")
        anon_before = interaction("CA-anon-before", number="anonymous")
        callback_in("billing", anon_before)
        db.session.commit()
    assert [c["id"] for c in context(client, people["amy"], "CA-stranger-again")
            ["open_callbacks"]] == [jordan["stranger"]]
    assert context(client, people["amy"], "CA-anon")["open_callbacks"] == []


def test_the_history_says_what_happened_on_each_earlier_call(app, client, people, jordan):
    with app.app_context():
        first = db.session.get(Interaction, jordan["first"])
        first.agent_identity = "sam"
        first.department_id = None
        db.session.add(Wrapup(interaction_id=first.id, agent_identity="sam",
                              notes="Wants the family plan", outcome="follow_up",
                              tags=["marketing_suggestion"], anything_else_asked=True))
        db.session.add(SurveyResponse(interaction_id=first.id, status="answered", rating=4))
        add_event(first, "transferred", transfer_id="TR1", mode="warm", from_agent="bob",
                  to_agent="sam", target={"kind": "agent", "id": "sam"}, reason=None)
        db.session.commit()
    history = context(client, people["amy"])["history"]
    assert [h["call_sid"] for h in history] == [sid(2), sid(1)]  # newest first
    second, first = history
    assert second["callbacks"][0]["kind"] == "requested"
    assert second["wrapups"] == [] and second["transfers"] == []
    assert first["agent"] == "sam"
    assert first["wrapups"] == [{"agent": "sam", "notes": "Wants the family plan",
                                 "outcome": "follow_up", "tags": ["marketing_suggestion"],
                                 "anything_else_asked": True}]
    assert first["survey_rating"] == 4
    assert first["transfers"] == [{"mode": "warm", "from_agent": "bob", "to_agent": "sam",
                                   "target": {"kind": "agent", "id": "sam"}, "reason": None}]
    [left] = first["callbacks"]
    assert left["kind"] == "voicemail" and left["status"] == "open"
    assert left["box"] == {"slug": "sales", "name": left["box"]["name"]}
    assert left["message"] == {"duration_seconds": 9,
                               "transcription": "Please call me about a new plan"}


def test_the_agent_on_the_call_marks_a_callback_handled(app, client, people, jordan):
    response = handled(client, people["amy"], jordan["message"], note="Sorted the plan")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "closed" and body["outcome"] == "reached"
    last = body["events"][-1]
    assert last["action"] == "handled_on_call" and last["actor"] == "amy"
    assert last["detail"] == {"outcome": "reached", "call_sid": "CA-now",
                              "note": "Sorted the plan"}
    # Off the screen-pop, off every list, in the call's timeline and the history.
    assert [c["id"] for c in context(client, people["amy"])["open_callbacks"]] == [
        jordan["requested"]]
    listed = client.get("/api/callbacks", headers=people["sam"]).get_json()["callbacks"]
    assert jordan["message"] not in [c["id"] for c in listed]
    now_call = context(client, people["amy"])["call"]
    [event] = [e for e in now_call["events"] if e["kind"] == "callback_handled"]
    assert event["detail"]["callback_id"] == jordan["message"]
    assert event["detail"]["agent"] == "amy"
    # Pressed twice (a retry, a double click): the same answer, one audit line.
    again = handled(client, people["amy"], jordan["message"])
    assert again.status_code == 200
    assert [e["action"] for e in again.get_json()["events"]].count("handled_on_call") == 1
    with app.app_context():
        row = services.find_callback(jordan["message"])
        assert row.closed_by == "amy" and row.attempts == 0


def test_only_whoever_may_see_the_call_marks_its_callers_callbacks(app, client, people, jordan):
    # sam is not on the call: refused, even though the message is in his own box.
    refused = handled(client, people["sam"], jordan["message"])
    assert refused.status_code == 403
    assert refused.get_json()["error"]["id"] == "forbidden"
    # Another caller's callback cannot be closed through Jordan's call.
    other = handled(client, people["amy"], jordan["stranger"])
    assert other.status_code == 404
    assert handled(client, people["amy"], 9999).status_code == 404
    assert handled(client, people["amy"], jordan["message"], "CA-nope").status_code == 404
    assert client.post(f"/api/calls/CA-now/callbacks/{jordan['message']}/handled"
                       ).status_code == 401
    # A supervisor may (sees every call); one already cleared by someone else is a conflict.
    with app.app_context():
        services.clear(services.find_callback(jordan["requested"]), "reached", "sam")
        db.session.commit()
    conflict = handled(client, people["sue"], jordan["requested"])
    assert conflict.status_code == 409
    assert handled(client, people["sue"], jordan["message"]).status_code == 200
    with app.app_context():
        assert services.find_callback(jordan["stranger"]).status == "open"


def test_a_callback_cleared_meanwhile_is_not_closed_twice(app, people, jordan):
    with app.app_context():
        callback = services.find_callback(jordan["message"])
        call = find_by_call_sid("CA-now")
        # A colleague clears it between this request's read and its write.
        with db.engine.begin() as colleague:
            colleague.execute(update(Callback).where(Callback.id == callback.id)
                              .values(status="closed", outcome="wrong_number"))
        with pytest.raises(Conflict):
            services.handled_on_call(callback, call, "amy")
        db.session.rollback()
        row = services.find_callback(jordan["message"])
        assert row.outcome == "wrong_number"
        assert "handled_on_call" not in [e.action for e in row.events]
