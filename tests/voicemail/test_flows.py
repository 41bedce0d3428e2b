"""Voicemail and callbacks through the offline Twilio emulator, with virtual time: a caller
dials in, is handed to a queue, and leaves a message or asks to be called back; agents work
the backlog through the JSON API and call customers back from their softphones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from app.agents import services as agents
from app.extensions import db
from app.queue import queue_services
from app.voicemail import jobs
from app.voicemail.models import Callback, Voicemail
from sim.parties import CallHandle, Softphone
from sim.testing import assert_heard, assert_not_heard
from tests.conftest import EVERY_LANGUAGE, PUBLIC_BASE_URL
from tests.flows.conftest import Floor as QueueFloor
from tests.flows.conftest import emulated_floor

NUMBER = "+15005550006"
# Wednesday 25 November 2026, 10:30 in Kolkata: every demo department is open.
OPEN_HOURS = "2026-11-25 05:00:00"
# The same Wednesday, 18:30 in Kolkata: billing (09:00-18:00 there) has closed.
BILLING_CLOSED = "2026-11-25 13:00:00"
JORDAN = "+12025550143"  # a demo customer who speaks English (Twilio transcribes English only)
ASHA = "+919876543210"  # a demo customer who speaks Hindi
PASSWORD = "password123"

GREETING = "You have reached Billing. We are sorry we cannot take your call right now."
THANKS = "Thank you. Your message has been saved and we will call you back soon."
NO_MESSAGE = "We did not hear a message, but we have your number and will call you back."
KEPT = "You keep your place in line: when your turn comes, an agent will call you back"
OFFER = "To keep waiting and keep your place, press 1."


@dataclass
class Floor(QueueFloor):
    """The queue flows' floor, with an API client and the voicemail rows to look at."""

    client: FlaskClient | None = None

    def wait(self, seconds: float, step: float = 1.0) -> None:
        super().wait(seconds, step)

    def wait_until(self, predicate, timeout: float = 120, step: float = 1.0) -> float:
        return super().wait_until(predicate, timeout, step)

    def agent(self, identity: str, departments: list[str], *, state: str = "away",
              role: str = "agent", answer_after: float | None = None) -> Softphone:
        """An agent with an account and a softphone; away (signed in, busy) unless told."""
        with self.app.app_context():
            agents.create_agent(identity.title(), identity, role=role, departments=departments,
                                password=PASSWORD, languages=EVERY_LANGUAGE)
            db.session.commit()
        phone = self.emu.softphone(identity, answer_after=answer_after)
        self.set_state(identity, departments, state)
        return phone

    def set_state(self, identity: str, departments: list[str], state: str) -> None:
        with self.app.app_context():
            if state == "available":
                agent = agents.find_agent(identity)
                agents.change_state(queue_services().service, agent, "available")
            else:
                queue_services().store.set_agent_state(identity, state, departments, time.time(),
                                              "in a meeting")
        self.emu.settle()

    def token(self, identity: str) -> dict[str, str]:
        response = self.client.post("/api/agents/login",
                                    json={"identity": identity, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def callbacks(self) -> list[Callback]:
        with self.app.app_context():
            rows = db.session.scalars(select(Callback).order_by(Callback.id)).all()
            for row in rows:
                row.events  # noqa: B018 - load the audit before the session closes
                row.message  # noqa: B018
            db.session.expunge_all()
            return list(rows)

    def messages(self) -> list[Voicemail]:
        with self.app.app_context():
            rows = db.session.scalars(select(Voicemail).order_by(Voicemail.id)).all()
            db.session.expunge_all()
            return list(rows)

    def queue_call(self, call_sid: str) -> dict[str, str]:
        with self.app.app_context():
            return queue_services().store.call(call_sid)


@contextmanager
def floor_at(app: Flask, client: FlaskClient, moment: str) -> Iterator[Floor]:
    with emulated_floor(app, moment) as emu:
        yield Floor(app, emu, client)


@pytest.fixture
def floor(app: Flask, client: FlaskClient) -> Iterator[Floor]:
    with floor_at(app, client, OPEN_HOURS) as floor:
        yield floor


# -- what callers do ----------------------------------------------------------------------

def next_question(floor: Floor, call: CallHandle) -> None:
    """Wait until the caller is asked something new (not the menu they just answered)."""
    since = floor.emu.elapsed
    floor.emu.run_until(
        lambda: call.ended or (call.gathering and any(
            h.t > since for h in call.heard if h.kind == "say")), timeout=120)


def jordan_picks(floor: Floor, key: str = "1") -> CallHandle:
    """Jordan (English) dials in and picks a department; returns once the IVR is done."""
    call = floor.emu.dial_in(JORDAN, NUMBER)
    floor.emu.run_until(lambda: call.gathering, timeout=60)
    call.press(key)
    floor.emu.run_until(
        lambda: call.in_conference or call.gathering or call.recording or call.ended, timeout=60)
    return call


def reach_the_offer(floor: Floor, call: CallHandle) -> None:
    """The caller waits in line until the hold clock offers the way out (45 s)."""
    floor.wait_until(lambda: call.gathering and call.has_heard(OFFER), timeout=90)


def leave_message(floor: Floor, call: CallHandle, words: str) -> None:
    floor.emu.run_until(lambda: call.recording, timeout=120)
    call.say(words)
    floor.emu.advance(len(words.split()) / 2.5)
    call.press("#")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    floor.emu.advance(10)  # the recording and transcription callbacks


def connected(party) -> bool:
    return any(h.kind == "connected" for h in party.heard)


def kinds(callback: Callback) -> list[str]:
    return [e.action for e in callback.events]


def api(floor: Floor, method: str, path: str, who: dict[str, str], **kw: Any) -> Any:
    response = getattr(floor.client, method)(path, headers=who, **kw)
    assert response.status_code < 400, (response.status_code, response.get_data(as_text=True))
    return response.get_json() if response.is_json else response


# -- ways in, and the message itself ------------------------------------------------------

def test_key_2_at_the_offer_leaves_a_full_message_with_its_transcription(floor):
    floor.agent("amy", ["billing"])  # signed in but busy: Jordan waits in line
    call = jordan_picks(floor, "1")
    assert call.in_conference
    reach_the_offer(floor, call)
    call.set_transcription("Hi, this is Jordan, my bill is wrong, please call me back.")
    call.press("2")
    leave_message(floor, call, "Hi this is Jordan my bill is wrong please call me back")

    assert_heard(call, GREETING)
    assert [h.kind for h in call.heard].count("beep") == 1
    assert_heard(call, THANKS)
    [callback] = floor.callbacks()
    [message] = floor.messages()
    assert callback.kind == "voicemail" and callback.status == "open"
    assert callback.number == JORDAN and callback.call_sid == call.sid
    assert message.callback_id == callback.id
    assert message.transcription_status == "completed"
    assert message.transcription_text == (
        "Hi, this is Jordan, my bill is wrong, please call me back.")
    assert message.duration_seconds and message.duration_seconds >= 2
    assert kinds(callback)[:3] == ["created", "kind_changed", "message_recorded"]

    amy = floor.token("amy")
    backlog = api(floor, "get", "/api/callbacks", amy)
    [item] = backlog["callbacks"]
    assert item["id"] == callback.id and item["box"]["slug"] == "billing"
    assert item["customer"]["name"] == "Jordan"
    assert item["interaction_id"] is not None
    assert item["message"]["transcription"] == {
        "status": "completed",
        "text": "Hi, this is Jordan, my bill is wrong, please call me back."}
    # 15 business minutes after the caller entered the box; billing is open all that time.
    due, created = (datetime.fromisoformat(item[k]) for k in ("due_at", "created_at"))
    assert due - created == timedelta(minutes=15)
    assert created.isoformat().startswith("2026-11-25T05:00:")


def test_callbacks_duplicated_and_out_of_order_still_store_one_message(floor):
    floor.emu.set_chaos(None)  # this order exactly: the transcription's copies first
    floor.emu.set_callback_chaos(duplicate=True, out_of_order=True)
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.set_transcription("It is Jordan again, about my refund.")
    call.press("2")
    leave_message(floor, call, "It is Jordan again about my refund")

    posted = [e for e in floor.emu.events if e["type"] == "webhook"
              and e["purpose"] in ("recording-status", "transcription")]
    assert [e["purpose"] for e in posted] == [
        "transcription", "transcription", "recording-status", "recording-status"]
    assert all(e["status"] == 200 for e in posted)
    [callback] = floor.callbacks()
    [message] = floor.messages()
    assert message.callback_id == callback.id and callback.kind == "voicemail"
    assert message.transcription_text == "It is Jordan again, about my refund."
    assert message.duration_seconds and message.recording_url
    assert kinds(callback).count("message_recorded") == 1


def test_hanging_up_before_the_beep_leaves_no_message_but_a_missed_call(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("2")
    floor.emu.run_until(lambda: call.has_heard("We are sorry we cannot take your call"))
    call.hangup()
    floor.emu.advance(30)

    assert_not_heard(call, THANKS)
    assert floor.messages() == []
    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.status == "open"
    assert callback.number == JORDAN
    amy = floor.token("amy")
    [item] = api(floor, "get", "/api/callbacks", amy)["callbacks"]
    assert item["kind"] == "missed_call" and item["message"] is None


@pytest.mark.parametrize("chaos", [{}, {"duplicate": True},
                                   {"duplicate": True, "out_of_order": True}],
                         ids=["in order", "duplicated", "transcription first"])
def test_a_sound_too_short_after_the_beep_is_no_message_and_the_caller_is_told(floor, chaos):
    # Twilio fails the transcription of so short a recording; the failed transcription may
    # come first (it must not leave a message behind) or again after the recording's callback.
    floor.emu.set_callback_chaos(**chaos)
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("2")
    floor.emu.run_until(lambda: call.recording, timeout=120)
    call.say("uh")
    call.press("#")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    floor.emu.advance(10)

    assert_heard(call, NO_MESSAGE)
    assert floor.messages() == []
    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.status == "open"
    assert kinds(callback).count("no_message") == 1


def test_silence_after_the_beep_is_reported_absent_and_leaves_a_missed_call(floor):
    """No audio at all: Twilio skips the <Record> action, reports the recording `absent` to
    the status callback (the app subscribes to it), and runs the next verb. A call centre
    wants such a caller called back like any missed call: no empty voicemail."""
    floor.emu.set_chaos(None)  # counts the status callbacks: no duplicates
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("2")
    floor.emu.run_until(lambda: call.recording, timeout=120)
    floor.emu.run_until(lambda: call.ended, timeout=60)  # silent until the Record times out
    floor.emu.advance(10)

    statuses = [e["params"]["RecordingStatus"] for e in floor.emu.events
                if e["type"] == "webhook" and e.get("purpose") == "recording-status"]
    assert statuses == ["absent"]
    assert_heard(call, NO_MESSAGE)  # told, not left in silence
    assert floor.messages() == []
    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.status == "open"
    [no_message] = [e for e in callback.events if e.action == "no_message"]
    assert no_message.detail["status"] == "absent"


def test_outside_business_hours_the_caller_leaves_a_message(app, client):
    with floor_at(app, client, BILLING_CLOSED) as floor:
        floor.agent("amy", ["billing"])
        call = floor.emu.dial_in(ASHA, NUMBER)  # Hindi: greeted and answered in Hindi
        floor.emu.run_until(lambda: call.gathering, timeout=60)
        call.press("1")
        leave_message(floor, call, "मेरा बिल गलत है")

        assert_heard(call, "बिलिंग विभाग इस समय बंद है")
        assert_heard(call, "धन्यवाद। आपका संदेश सहेज लिया गया है")
        [callback] = floor.callbacks()
        [message] = floor.messages()
        assert callback.kind == "voicemail" and callback.language == "hi"
        assert message.transcription_status == "not_requested"
        # Billing reopens at 09:00 Kolkata (03:30 UTC) on Thursday: due 15 minutes later.
        assert callback.due_at.replace(tzinfo=None) == datetime(2026, 11, 26, 3, 45)
        amy = floor.token("amy")
        [item] = api(floor, "get", "/api/callbacks", amy)["callbacks"]
        assert item["customer"]["name"] == "Asha"


def test_nobody_signed_in_then_key_2_leaves_a_message(floor):
    call = jordan_picks(floor, "1")
    assert call.gathering and not call.in_conference  # the way out, at once
    assert_heard(call, OFFER)
    call.press("2")
    leave_message(floor, call, "Nobody answered so here is my message about billing")

    assert_heard(call, GREETING)
    assert_heard(call, THANKS)
    [callback] = floor.callbacks()
    assert callback.kind == "voicemail" and len(floor.messages()) == 1
    assert floor.queue_call(call.sid).get("state") == "ended"


def test_a_requested_callback_keeps_its_place_and_connects_agent_and_customer(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    assert_heard(call, KEPT)
    [callback] = floor.callbacks()
    assert callback.kind == "requested" and callback.status == "open"

    # Asha joins the line after Jordan asked to be called back.
    asha = floor.emu.dial_in(ASHA, NUMBER)
    floor.emu.run_until(lambda: asha.gathering, timeout=60)
    asha.press("1")
    floor.emu.run_until(lambda: asha.in_conference, timeout=60)
    assert floor.queue_call(call.sid)["state"] == "waiting"

    jordan = floor.emu.phone(JORDAN, answer_after=4)
    amy = floor.emu.party("client:amy")
    floor.set_state("amy", ["billing"], "available")
    floor.emu.run_until(lambda: amy.is_ringing, timeout=30)
    assert floor.queue_call(call.sid)["state"] == "offered"  # Jordan first: his place kept
    assert floor.queue_call(asha.sid)["state"] == "waiting"
    assert not jordan.ringing  # the agent's softphone rings first
    amy.answer()
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    assert_heard(amy, "Callback to Jordan. They asked to be called back.")
    assert jordan.call is not None and jordan.call.from_ == NUMBER
    amy.say("Hello Jordan, you asked us to call you back.")
    floor.emu.advance(5)
    assert_heard(jordan, "Hello Jordan, you asked us to call you back.")
    assert floor.queue_call(call.sid)["state"] == "connected"
    amy.hangup()
    floor.emu.advance(5)
    with floor.app.app_context():
        assert queue_services().store.agent("amy")["state"] == "wrap_up"
        assert queue_services().store.position(call.sid) is None  # out of the line
        assert queue_services().store.position(asha.sid) == 1

    headers = floor.token("amy")
    detail = api(floor, "get", f"/api/callbacks/{callback.id}", headers)
    actions = [e["action"] for e in detail["events"]]
    assert actions[:4] == ["created", "call_started", "agent_connected", "customer_leg"]
    assert detail["assigned_to"] == "amy" and detail["status"] == "claimed"
    api(floor, "post", f"/api/callbacks/{callback.id}/clear", headers,
        json={"outcome": "reached", "note": "sorted the bill"})
    assert floor.callbacks()[0].status == "closed"


# -- agents working the backlog -----------------------------------------------------------

def jordan_leaves_a_message(floor: Floor, words: str = "Please call me back about my bill"):
    """Jordan waits, takes the offer's key 2 and leaves a message; returns his callback."""
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.set_transcription(words)
    call.press("2")
    leave_message(floor, call, words)
    [callback] = [c for c in floor.callbacks() if c.call_sid == call.sid]
    return callback


def sweep(floor: Floor, minutes: float, every: float = 30) -> None:
    """Let minutes pass with the clock process's voicemail sweep every `every` seconds."""
    for _ in range(int(minutes * 60 / every)):
        floor.emu.advance(every)
        with floor.app.app_context():
            jobs.periodic()


def overdue_alerts(floor: Floor) -> list[dict]:
    with floor.app.app_context():
        return [e for e in reversed(queue_services().events.recent(500))
                if e["type"] == "alert.callback_overdue"]


def call_back(floor: Floor, callback_id: int, who: dict[str, str], agent: Softphone,
              customer) -> None:
    """The agent presses "call back": their softphone rings, they answer, the customer's
    phone rings; returns when the customer's leg is over or connected."""
    result = api(floor, "post", f"/api/callbacks/{callback_id}/call", who)
    assert result["call_sid"]
    floor.emu.settle()
    floor.emu.run_until(lambda: agent.is_ringing, timeout=30)
    assert not customer.ringing  # the agent first
    agent.answer()
    floor.emu.run_until(lambda: bool(customer.call_sids), timeout=60)


def test_an_overdue_callback_alerts_supervisors_and_rises(floor):
    floor.agent("amy", ["billing"])
    callback = jordan_leaves_a_message(floor)
    amy = floor.token("amy")
    sweep(floor, 14)
    assert overdue_alerts(floor) == []
    assert api(floor, "get", "/api/callbacks", amy)["overdue"] == 0

    sweep(floor, 2)  # 15 minutes after he entered the box
    [alert] = overdue_alerts(floor)
    assert alert["callback_id"] == callback.id and alert["box"] == "billing"
    assert alert["number"] == JORDAN and alert["priority"] == 1
    backlog = api(floor, "get", "/api/callbacks", amy)
    assert backlog["overdue"] == 1
    assert backlog["callbacks"][0]["overdue"] is True
    assert backlog["callbacks"][0]["priority"] == 1

    sweep(floor, 28)  # still open: no second alert before CALLBACK_REALERT_MINUTES
    assert len(overdue_alerts(floor)) == 1
    sweep(floor, 2)
    assert [a["priority"] for a in overdue_alerts(floor)] == [1, 2]
    [escalated_once, escalated_twice] = [
        e for e in api(floor, "get", f"/api/callbacks/{callback.id}", amy)["events"]
        if e["action"] == "escalated"]
    assert escalated_twice["detail"]["overdue_minutes"] >= 30

    # A message that arrived later, not yet due, stays below the overdue one.
    asha = floor.emu.dial_in(ASHA, NUMBER)
    floor.emu.run_until(lambda: asha.gathering, timeout=60)
    asha.press("1")
    reach_the_offer_hi = lambda: asha.gathering and asha.has_heard("3 दबाएँ")  # noqa: E731
    floor.wait_until(reach_the_offer_hi, timeout=90)
    asha.press("2")
    leave_message(floor, asha, "मेरा बिल")
    order = [c["number"] for c in api(floor, "get", "/api/callbacks", amy)["callbacks"]]
    assert order == [JORDAN, ASHA]


def test_no_answer_is_retried_later_then_reached_and_the_audit_tells_it_all(floor):
    amy_phone = floor.agent("amy", ["billing"])
    callback = jordan_leaves_a_message(floor)
    amy = floor.token("amy")
    jordan = floor.emu.phone(JORDAN, policy="no-answer")
    call_back(floor, callback.id, amy, amy_phone, jordan)
    floor.emu.run_until(lambda: amy_phone.has_heard("The customer did not answer"), timeout=90)
    floor.emu.run_until(lambda: amy_phone.call is None, timeout=30)
    cleared = api(floor, "post", f"/api/callbacks/{callback.id}/clear", amy,
                  json={"outcome": "no_answer", "note": "rang out"})
    assert cleared["status"] == "open" and cleared["attempts"] == 1
    retry_at = datetime.fromisoformat(cleared["due_at"])
    assert retry_at - floor.emu.now.astimezone(retry_at.tzinfo) == timedelta(minutes=30)
    assert cleared["assigned_to"] is None  # back to the box for whoever is free

    sweep(floor, 31)
    assert [a["callback_id"] for a in overdue_alerts(floor)] == [callback.id]
    jordan.policy, jordan.answer_after = "answer", 3
    call_back(floor, callback.id, amy, amy_phone, jordan)
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    jordan.say("Hello?")
    floor.emu.advance(2)
    assert_heard(amy_phone, "Hello?")
    amy_phone.hangup()
    floor.emu.advance(5)
    done = api(floor, "post", f"/api/callbacks/{callback.id}/clear", amy,
               json={"outcome": "reached", "note": "bill corrected"})
    assert done["status"] == "closed" and done["outcome"] == "reached"
    assert done["attempts"] == 2

    events = [(e["action"], e["actor"]) for e in done["events"]]
    assert events == [
        ("created", "system"), ("kind_changed", "system"), ("message_recorded", "system"),
        ("claimed", "amy"), ("call_started", "amy"), ("agent_connected", "amy"),
        ("customer_leg", "amy"), ("attempt", "amy"), ("escalated", "system"),
        ("claimed", "amy"), ("call_started", "amy"), ("agent_connected", "amy"),
        ("customer_leg", "amy"), ("cleared", "amy"),
    ]
    legs = [e["detail"]["status"] for e in done["events"] if e["action"] == "customer_leg"]
    assert legs == ["no-answer", "completed"]
    assert done["events"][-1]["detail"]["note"] == "bill corrected"
    assert api(floor, "get", "/api/callbacks", amy)["callbacks"] == []
    assert [c["id"] for c in api(floor, "get", "/api/callbacks?closed=1", amy)["callbacks"]] == [
        callback.id]


def test_the_agent_listens_to_the_recording_and_retention_deletes_it_everywhere(floor):
    floor.agent("amy", ["billing"])
    floor.agent("sam", ["sales"])
    callback = jordan_leaves_a_message(floor)
    [message] = floor.messages()
    assert message.recording_sid in floor.emu.store.recordings
    amy = floor.token("amy")

    audio = api(floor, "get", f"/api/callbacks/{callback.id}/recording", amy)
    assert audio.mimetype == "audio/mpeg" and len(audio.data) > 100
    assert audio.headers["Cache-Control"] == "private, no-store"
    detail = api(floor, "get", f"/api/callbacks/{callback.id}", amy)
    assert detail["events"][-1]["action"] == "listened"
    assert "twilio" not in str(detail).lower()  # Twilio's media URL never shows
    sam = floor.token("sam")  # sales: not his box
    assert floor.client.get(f"/api/callbacks/{callback.id}/recording",
                            headers=sam).status_code == 403

    floor.emu.advance(89 * 86400)
    with floor.app.app_context():
        assert jobs.periodic()["recordings_deleted"] == 0
    floor.emu.advance(2 * 86400)
    with floor.app.app_context():
        assert jobs.periodic()["recordings_deleted"] == 1
        assert jobs.periodic()["recordings_deleted"] == 0
    assert message.recording_sid not in floor.emu.store.recordings
    amy = floor.token("amy")  # three months on: signed in again
    deleted = [e for e in floor.emu.events if e["type"] == "rest" and e["method"] == "DELETE"]
    assert len(deleted) == 1 and message.recording_sid in deleted[0]["path"]
    gone = floor.client.get(f"/api/callbacks/{callback.id}/recording", headers=amy)
    assert gone.status_code == 404
    detail = api(floor, "get", f"/api/callbacks/{callback.id}", amy)
    assert detail["message"]["recording"] is None
    assert detail["message"]["transcription"]["text"] is None
    assert detail["events"][-1]["action"] == "recording_deleted"
    assert detail["status"] == "open"  # the work itself stays until someone clears it


# -- the other ways in --------------------------------------------------------------------

def test_key_3_is_served_by_an_agent_who_signed_in_while_the_caller_chose(floor):
    call = jordan_picks(floor, "1")  # nobody signed in: the way out at once
    assert call.gathering
    amy = floor.agent("amy", ["billing"], state="available")  # signs in during the menu
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    assert_heard(call, KEPT)
    floor.emu.run_until(lambda: amy.is_ringing, timeout=30)
    [callback] = floor.callbacks()
    assert callback.kind == "requested" and callback.assigned_agent_id is not None


def test_key_3_from_a_withheld_number_takes_a_message_instead(floor):
    floor.agent("amy", ["billing"])
    call = floor.emu.dial_in("anonymous", NUMBER)
    floor.emu.run_until(lambda: call.gathering, timeout=60)
    call.press("1")  # English
    next_question(floor, call)
    call.press("*")  # no account number
    next_question(floor, call)
    call.press("1")  # billing
    floor.emu.run_until(lambda: call.in_conference, timeout=60)
    reach_the_offer(floor, call)
    call.press("3")
    leave_message(floor, call, "This is Kim on 0412 345 678 about an invoice")

    assert_heard(call, "we cannot see your phone number")
    assert_heard(call, THANKS)
    [callback] = floor.callbacks()
    assert callback.kind == "voicemail" and callback.number in ("", "anonymous")
    assert len(floor.messages()) == 1
    assert floor.queue_call(call.sid).get("state") == "ended"


def test_an_agents_direct_line_unanswered_goes_to_their_own_box(floor):
    direct = "+15005550007"
    floor.emu.add_number(direct, PUBLIC_BASE_URL + "/voicemail/agents/amy/direct")
    amy_phone = floor.agent("amy", ["billing"])
    floor.agent("bob", ["billing"])
    call = floor.emu.dial_in(JORDAN, direct)
    floor.emu.run_until(lambda: amy_phone.is_ringing, timeout=10)
    leave_message(floor, call, "Amy it is Jordan, call me when you can")

    assert_heard(call, "You have reached Amy.")
    assert len(floor.callbacks()) == 1 and len(floor.messages()) == 1
    amy, bob = floor.token("amy"), floor.token("bob")
    [item] = api(floor, "get", "/api/callbacks?scope=mine", amy)["callbacks"]
    assert item["box"]["slug"] == "agent-amy" and item["assigned_to"] == "amy"
    assert item["message"]["transcription"]["status"] == "completed"
    assert api(floor, "get", "/api/callbacks", bob)["callbacks"] == []


def test_a_failure_underneath_still_takes_a_message_in_the_general_box(floor, monkeypatch):
    from app.queue.services import QueueService

    def broken(self, caller):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(QueueService, "join", broken)
    floor.agent("sue", ["billing"], role="supervisor")
    call = jordan_picks(floor, "1")
    leave_message(floor, call, "I was trying to reach billing about my bill")

    assert_heard(call, "we are having trouble connecting your call right now")
    assert_heard(call, THANKS)
    assert_not_heard(call, "application error")
    [callback] = floor.callbacks()
    assert callback.number == JORDAN and callback.kind == "voicemail"
    sue = floor.token("sue")
    [item] = api(floor, "get", "/api/callbacks", sue)["callbacks"]
    assert item["box"]["slug"] == "general" and item["message"]["recording"]


def test_a_requested_callback_the_agent_misses_goes_to_the_next_agent(floor):
    amy = floor.agent("amy", ["billing"])
    bob = floor.agent("bob", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    [callback] = floor.callbacks()

    floor.set_state("amy", ["billing"], "available")
    floor.emu.run_until(lambda: amy.is_ringing, timeout=30)
    floor.wait_until(lambda: not amy.is_ringing, timeout=120)  # she never answers
    floor.emu.advance(1)
    assert floor.queue_call(call.sid)["state"] == "waiting"  # back in line, at its place
    with floor.app.app_context():
        assert queue_services().store.agent("amy")["state"] == "away"
    headers = floor.token("bob")
    seen = api(floor, "get", f"/api/callbacks/{callback.id}", headers)
    assert seen["status"] == "open" and seen["assigned_to"] is None  # nobody is working it
    jordan = floor.emu.phone(JORDAN, answer_after=2)
    floor.set_state("bob", ["billing"], "available")
    floor.emu.run_until(lambda: bob.is_ringing, timeout=30)
    bob.answer()
    floor.emu.run_until(lambda: connected(jordan), timeout=60)
    actions = [e["action"] for e in api(floor, "get", f"/api/callbacks/{callback.id}",
                                        headers)["events"]]
    assert actions == ["created", "call_started", "agent_missed", "call_started",
                       "agent_connected"]


def test_a_requested_callback_the_customer_misses_is_retried_from_the_backlog(floor):
    amy = floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("3")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    [callback] = floor.callbacks()
    jordan = floor.emu.phone(JORDAN, policy="no-answer")
    floor.set_state("amy", ["billing"], "available")
    floor.emu.run_until(lambda: amy.is_ringing, timeout=30)
    amy.answer()
    floor.emu.run_until(lambda: amy.has_heard("The customer did not answer"), timeout=90)
    floor.emu.run_until(lambda: amy.call is None, timeout=30)
    floor.emu.advance(1)
    assert jordan.call_sids and not connected(jordan)  # his phone rang out
    with floor.app.app_context():
        assert queue_services().store.agent("amy")["state"] == "wrap_up"
        assert queue_services().store.position(call.sid) is None

    headers = floor.token("amy")
    [mine] = api(floor, "get", "/api/callbacks?scope=mine", headers)["callbacks"]
    assert mine["id"] == callback.id and mine["status"] == "claimed"
    retry = api(floor, "post", f"/api/callbacks/{callback.id}/clear", headers,
                json={"outcome": "no_answer"})
    assert retry["status"] == "open" and retry["attempts"] == 1
    [legs] = [e["detail"]["status"] for e in retry["events"] if e["action"] == "customer_leg"]
    assert legs == "no-answer"
    # Not offered again by the queue: the retry is worked from the backlog, when it is due.
    floor.wait(60)
    assert not amy.is_ringing


# -- the database down when Twilio reports the recording ----------------------------------

@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Every statement fails as with the database server gone (connection refused)."""
    with app.app_context():
        engine = db.engine

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_a_message_recorded_while_the_database_is_down_is_kept_and_stored_after(floor):
    # On Twilio a callback answered 500 is not sent again (only a failed connection is
    # retried, unless the URL says #rp=5xx): the app must keep what it received itself.
    call = jordan_picks(floor, "1")
    call.set_transcription("Jordan here, the database was down when I called.")
    call.press("2")
    floor.emu.run_until(lambda: call.recording, timeout=120)
    call.say("Jordan here the database was down when I called")
    floor.emu.advance(4)
    with database_down(floor.app):
        call.press("#")
        floor.emu.run_until(lambda: call.ended, timeout=60)
        floor.emu.advance(10)  # the recording and transcription callbacks arrive now
        assert_heard(call, THANKS)
    assert floor.messages() == []  # nothing stored yet, nothing half-stored

    floor.emu.advance(60)
    with floor.app.app_context():
        jobs.periodic()  # the clock's sweep, once the database answers again
    [callback] = floor.callbacks()
    [message] = floor.messages()
    assert callback.kind == "voicemail" and message.callback_id == callback.id
    assert message.recording_sid and message.recording_url and message.duration_seconds
    assert message.transcription_text == "Jordan here, the database was down when I called."
    sent = [e for e in floor.emu.events if e["type"] == "webhook"
            and e["purpose"] in ("recording-status", "transcription")]
    assert sent and all(e["status"] == 200 for e in sent)
