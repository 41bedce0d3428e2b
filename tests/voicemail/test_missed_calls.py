"""Nobody ignored (R14): callers who hang up while waiting become one missed-call callback,
closed when the same number calls in again and is answered. Whole calls through the
emulator under its delivery chaos, with the hold clock on virtual time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction
from app.queue.livecall import LiveCall
from app.voicemail import jobs
from app.voicemail.missed import caller_abandoned
from tests.voicemail.test_flows import (
    JORDAN,
    OPEN_HOURS,
    Floor,
    api,
    database_down,
    floor_at,
    jordan_picks,
    kinds,
    leave_message,
    reach_the_offer,
)


@pytest.fixture
def floor(app: Flask, client: FlaskClient) -> Iterator[Floor]:
    with floor_at(app, client, OPEN_HOURS) as floor:
        yield floor


def hang_up_after(floor, seconds: float):
    """Jordan picks billing, waits `seconds` in line (nobody free), and hangs up."""
    call = jordan_picks(floor, "1")
    assert call.in_conference
    floor.wait(seconds)
    call.hangup()
    floor.wait(3)  # the conference's and the call's status callbacks, however they come
    return call


def abandoned(callback) -> list[dict]:
    return [e.detail for e in callback.events if e.action == "abandoned"]


def set_billing(floor, **fields) -> None:
    with floor.app.app_context():
        billing = db.session.scalars(select(Department).where(Department.slug == "billing")).one()
        for name, value in fields.items():
            setattr(billing, name, value)
        db.session.commit()


def timeline(floor, call_sid: str) -> list[str]:
    with floor.app.app_context():
        row = db.session.scalars(select(Interaction).where(Interaction.call_sid == call_sid)).one()
        return [e.kind for e in row.events]


def test_an_abandon_at_25_s_is_called_back_and_closed_when_the_caller_gets_through(floor):
    floor.agent("amy", ["billing"])  # signed in, away: nobody answers
    first = hang_up_after(floor, 25)

    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.status == "open"
    assert callback.number == JORDAN and callback.call_sid == first.sid
    assert callback.abandoned_calls == 1
    [wait] = abandoned(callback)
    assert wait["call_sid"] == first.sid and 25 <= wait["wait_seconds"] < 30
    assert "callback_opened" in timeline(floor, first.sid)

    amy = floor.token("amy")
    [item] = api(floor, "get", "/api/callbacks", amy)["callbacks"]
    assert item["box"]["slug"] == "billing" and item["customer"]["name"] == "Jordan"
    assert item["abandoned_calls"] == 1
    detail = api(floor, "get", f"/api/callbacks/{callback.id}", amy)
    assert [w["call_sid"] for w in detail["waits"]] == [first.sid]

    # Jordan calls in again; Amy is free now and answers: the missed call is closed.
    floor.set_state("amy", ["billing"], "available")
    phone = floor.emu.softphone("amy")
    second = jordan_picks(floor, "1")
    floor.wait_until(lambda: phone.is_ringing, timeout=30)
    phone.answer()
    floor.wait(3)
    [callback] = floor.callbacks()
    assert callback.status == "closed" and callback.outcome == "reached"
    assert callback.closed_by == "system"
    [closing] = [e for e in callback.events if e.action == "answered_in"]
    assert closing.detail["call_sid"] == second.sid and closing.detail["agent"] == "amy"
    assert "callbacks_closed" in timeline(floor, second.sid)
    assert api(floor, "get", "/api/callbacks", amy)["callbacks"] == []


def test_two_abandons_in_a_row_are_one_callback_with_both_waits(floor):
    floor.agent("amy", ["billing"])
    first = hang_up_after(floor, 25)
    second = hang_up_after(floor, 32)

    [callback] = floor.callbacks()
    assert callback.call_sid == first.sid and callback.abandoned_calls == 2
    waits = abandoned(callback)
    assert [w["call_sid"] for w in waits] == [first.sid, second.sid]
    assert [w["count"] for w in waits] == [1, 2]
    assert 25 <= waits[0]["wait_seconds"] < 30 and 32 <= waits[1]["wait_seconds"] < 37
    assert kinds(callback).count("created") == 1
    assert "callback_added_to" in timeline(floor, second.sid)


def test_an_abandon_at_10_s_is_no_callback(floor):
    floor.agent("amy", ["billing"])
    hang_up_after(floor, 10)
    assert floor.callbacks() == []


def test_a_caller_who_left_a_message_gets_no_extra_callback(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)  # 45 s in line: far past the 20 s
    call.set_transcription("Jordan here, about my bill.")
    call.press("2")
    leave_message(floor, call, "Jordan here about my bill")

    [callback] = floor.callbacks()
    assert callback.kind == "voicemail" and callback.call_sid == call.sid
    assert callback.abandoned_calls == 0 and abandoned(callback) == []


def test_an_abandon_after_a_message_adds_to_the_open_message(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)
    call.press("2")
    leave_message(floor, call, "Jordan here about my bill")
    later = hang_up_after(floor, 25)

    [callback] = floor.callbacks()  # one piece of work: the message, with the try beside it
    assert callback.kind == "voicemail" and callback.abandoned_calls == 1
    assert [w["call_sid"] for w in abandoned(callback)] == [later.sid]


def test_a_caller_who_hangs_up_at_the_offer_menu_is_called_back(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    reach_the_offer(floor, call)  # out of the room, choosing: still unserved
    call.hangup()
    floor.wait(3)
    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.call_sid == call.sid
    [wait] = abandoned(callback)
    assert 45 <= wait["wait_seconds"] < 55


def test_a_department_with_missed_call_callbacks_off_or_a_longer_threshold(floor):
    floor.agent("amy", ["billing"])
    set_billing(floor, missed_call_after_seconds=30)
    hang_up_after(floor, 25)
    assert floor.callbacks() == []
    set_billing(floor, missed_call_callbacks=False)
    hang_up_after(floor, 35)
    assert floor.callbacks() == []


def test_a_hang_up_while_the_database_is_down_is_called_back_once_it_is_up(floor):
    floor.agent("amy", ["billing"])
    call = jordan_picks(floor, "1")
    floor.wait(25)
    with database_down(floor.app):
        call.hangup()
        floor.wait(3)
    assert floor.callbacks() == []  # kept in Redis, nothing half-written

    with floor.app.app_context():
        assert jobs.periodic()["missed_calls"] == 1  # the clock's sweep
        assert jobs.periodic()["missed_calls"] == 0  # done: not again
    [callback] = floor.callbacks()
    assert callback.kind == "missed_call" and callback.call_sid == call.sid
    [wait] = abandoned(callback)
    assert 25 <= wait["wait_seconds"] < 30


@pytest.mark.parametrize("number", ["", "anonymous", "+12"])
def test_a_caller_with_no_number_to_call_gets_none(floor, number):
    with floor.app.app_context():
        call = LiveCall.from_fields("CA" + "1" * 32, {
            "state": "waiting", "department": "billing", "number": number, "since": "0"})
        assert caller_abandoned(call, 40.0) is None
    assert floor.callbacks() == []


def test_the_same_call_reported_twice_counts_once(floor):
    with floor.app.app_context():
        call = LiveCall.from_fields("CA" + "2" * 32, {
            "state": "waiting", "department": "billing", "number": JORDAN, "since": "0"})
        first = caller_abandoned(call, 25.0)
        again = caller_abandoned(call, 25.0)
        assert first is not None and again is not None and again.id == first.id
    [callback] = floor.callbacks()
    assert callback.abandoned_calls == 1 and len(abandoned(callback)) == 1


def test_a_caller_an_agent_served_before_is_not_a_missed_call(floor):
    with floor.app.app_context():
        call = LiveCall.from_fields("CA" + "3" * 32, {
            "state": "waiting", "department": "billing", "number": JORDAN, "since": "0",
            "answered_at": "10"})  # answered, then sent back to a queue (a transfer)
        assert caller_abandoned(call, 40.0) is None
    assert floor.callbacks() == []
