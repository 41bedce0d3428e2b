"""A caller waits, hears why and where they are, and reaches an agent: whole calls through
the emulator, with the hold clock on virtual time."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.interactions.models import Interaction
from app.queue import queue_services
from sim.testing import assert_heard, assert_not_heard
from tests.flows.conftest import ASHA, NUMBER, NURUL

OFFER_TEXT = "To keep waiting and keep your place, press 1."
APOLOGY = "We are sorry to keep you waiting. All of our agents are helping other customers"


def choose(floor, number: str = ASHA, key: str = "1"):
    """A known customer calls and picks a department by key."""
    call = floor.emu.dial_in(number, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press(key)
    floor.wait_until(lambda: call.in_conference, timeout=60)
    return call


def next_question(floor, call) -> None:
    """Wait until the caller is asked something new (not the menu they just answered)."""
    pressed_at = floor.emu.elapsed
    floor.wait_until(
        lambda: call.gathering and any(h.t > pressed_at for h in call.heard if h.kind == "say"),
        timeout=60)


def unknown_caller(floor, number: str, key: str = "1"):
    """A caller nobody knows: English, skips the account number, picks a department."""
    call = floor.emu.dial_in(number, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")  # English
    next_question(floor, call)
    call.press("*")  # no account number
    next_question(floor, call)
    call.press(key)
    floor.wait_until(lambda: call.in_conference, timeout=60)
    return call


def heard_at(call, text: str) -> float:
    """When the caller first heard `text` (emulator seconds)."""
    for item in call.heard:
        if item.kind == "say" and text in (item.text or ""):
            return item.t
    raise AssertionError(f"never heard {text!r}:\n" + "\n".join(call.transcript()))


def queued_at(floor, call) -> float:
    return float(floor.call_state(call.sid)["since"]) - floor.emu.now.timestamp() + \
        floor.emu.elapsed


def interaction(floor, call_sid: str) -> Interaction:
    with floor.app.app_context():
        row = db.session.scalars(select(Interaction).where(Interaction.call_sid == call_sid)).one()
        db.session.expunge(row)
        return row


def escalations(floor) -> list[dict]:
    with floor.app.app_context():
        recent = queue_services().events.recent(500)
        return [e for e in reversed(recent) if e["type"] == "call.escalated"]



def callers_in_line(floor, count: int, *, first: int) -> list:
    """`count` unknown callers (+1415555<first>...) through the menus in step: English, no
    account, billing; returned once all of them are in line."""
    calls = [floor.emu.dial_in(f"+1415555{first + i}", NUMBER) for i in range(count)]
    floor.wait_until(lambda: all(c.gathering for c in calls), timeout=60)
    for key in ("1", "*"):
        asked_at = floor.emu.elapsed
        for call in calls:
            call.press(key)
        floor.wait_until(lambda since=asked_at: all(
            c.gathering and any(h.t > since for h in c.heard if h.kind == "say")
            for c in calls), timeout=60)
    for call in calls:
        call.press("1")
    floor.wait_until(lambda: all(c.in_conference for c in calls), timeout=30)
    return calls

def test_an_agent_answers_and_the_caller_is_bridged_with_a_screen_pop(floor):
    amy = floor.agent("amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    assert floor.agent_state("amy")["state"] == "ringing"
    with floor.app.app_context():
        events = queue_services().events.read_agent_events("amy")
        offer = [e for e in events if e["type"] == "offer"][0]
    assert offer["call_sid"] == call.sid
    assert offer["context"]["customer"]["name"] == "Asha"
    floor.wait(3)
    amy.answer()
    floor.wait(2)
    assert floor.agent_state("amy")["state"] == "on_call"
    assert floor.call_state(call.sid)["state"] == "connected"
    assert amy.has_heard("+919876543210") or "919876543210" in " ".join(amy.transcript())
    row = interaction(floor, call.sid)
    assert row.agent_identity == "amy" and row.answered_at is not None
    assert 0 <= row.wait_seconds < 10
    # The agent hangs up: the caller is thanked, the agent wraps up, then is free again.
    amy.hangup()
    floor.wait_until(lambda: call.ended, timeout=30)
    assert_heard(call, "कॉल करने के लिए धन्यवाद")
    assert floor.agent_state("amy")["state"] == "wrap_up"
    floor.wait(floor.app.config["WRAP_UP_SECONDS"] + 1)
    assert floor.agent_state("amy")["state"] == "available"


def test_the_ladder_fires_each_step_at_its_time_and_offers_before_a_minute(floor):
    floor.agent("busy_bee", ["billing", "support"], state="away")
    call = unknown_caller(floor, "+14155550123")
    start = floor.emu.elapsed
    floor.wait_until(lambda: call.gathering, timeout=58)
    offered = heard_at(call, OFFER_TEXT) - start
    assert offered < 60, f"the offer came after {offered:.1f} s"
    steps = {e["step"]: e for e in escalations(floor)}
    assert list(steps) == ["announce", "raise_priority", "any_language", "widen", "alert",
                           "offer"]
    for step, at in (("announce", 0), ("raise_priority", 20), ("any_language", 20),
                     ("widen", 30), ("alert", 40), ("offer", 45)):
        assert at <= steps[step]["waited"] < at + 1.5, (step, steps[step])
    # The apology with the reason and the position was in the hold loop before the offer.
    assert heard_at(call, APOLOGY) - start < offered
    assert_heard(call, "You are number 1 in line.")
    with floor.app.app_context():
        alerts = [e for e in queue_services().events.recent(100) if e["type"] == "alert.long_wait"]
    assert alerts and alerts[0]["call_sid"] == call.sid


def test_keep_waiting_puts_the_caller_back_in_their_place_with_a_fresh_clock(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    first = unknown_caller(floor, "+14155550123")
    floor.wait(5)
    second = unknown_caller(floor, "+14155550124")
    floor.wait_until(lambda: first.gathering, timeout=58)
    assert floor.store().waiting("billing") == [second.sid]  # out of line for the menu
    kept_at = floor.emu.elapsed
    first.press("1")
    floor.wait_until(lambda: first.in_conference, timeout=30)
    assert_heard(first, "Thank you for your patience. You keep your place in line.")
    assert floor.store().waiting("billing")[0] == first.sid
    # A fresh clock: the next offer comes about 45 s after they chose to keep waiting.
    floor.wait_until(lambda: first.gathering and first.heard_text().count(OFFER_TEXT) == 2,
                     timeout=58)
    assert 44 <= floor.emu.elapsed - kept_at < 50


def test_nobody_signed_in_gets_the_way_out_at_once(floor):
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: call.gathering, timeout=30)
    assert_heard(call, "इस समय बिलिंग विभाग में कोई भी आपकी कॉल नहीं ले सकता")
    assert floor.call_state(call.sid)["state"] == "in_offer"


def test_an_agent_who_does_not_answer_goes_away_and_the_caller_goes_to_the_next(floor):
    amy = floor.agent("amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    bob = floor.agent("bob", ["billing"])
    floor.wait_until(lambda: bob.is_ringing, timeout=40)
    assert floor.agent_state("amy")["state"] == "away"
    assert floor.agent_state("amy")["reason"] == "missed call"
    assert not amy.is_ringing
    bob.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.call_state(call.sid)["state"] == "connected"


def test_an_agent_who_rejects_sends_the_caller_back_to_the_head_of_the_queue(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    call = choose(floor)
    later = unknown_caller(floor, "+14155550199")
    amy = floor.agent("amy", ["billing"])
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    assert floor.call_state(call.sid)["agent"] == "amy"
    amy.reject()
    floor.wait(1)
    assert floor.agent_state("amy")["state"] == "away"
    assert floor.store().waiting("billing") == [call.sid, later.sid]
    assert floor.call_state(call.sid)["state"] == "waiting"


def test_a_caller_who_hangs_up_while_waiting_is_recorded_as_abandoned(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    call = choose(floor)
    floor.wait(12)
    waited = time.time() - float(floor.call_state(call.sid)["since"])
    call.hangup()
    floor.wait(1)
    assert floor.store().waiting("billing") == []
    row = interaction(floor, call.sid)
    assert row.abandoned is True and row.wait_seconds == pytest.approx(waited, abs=0.3)


def test_a_caller_who_hangs_up_while_an_agent_rings_frees_the_agent(floor):
    amy = floor.agent("amy", ["billing"])
    call = choose(floor)
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    call.hangup()
    floor.wait(2)
    assert not amy.is_ringing
    assert floor.agent_state("amy")["state"] == "available"
    assert interaction(floor, call.sid).abandoned is True


def test_ten_callers_at_once_and_two_agents_freed_together(floor):
    floor.agent("amy", ["billing"], state="away")
    floor.agent("bob", ["billing"], state="away")
    calls = callers_in_line(floor, 10, first=1000)
    heads = floor.store().waiting("billing")[:2]
    floor.set_state("amy", ["billing"], "available")
    floor.set_state("bob", ["billing"], "available")
    floor.wait(1)
    offered = {floor.agent_state(a)["call"] for a in ("amy", "bob")}
    assert offered == set(heads) and len(offered) == 2
    states = [floor.call_state(c.sid)["state"] for c in calls]
    assert states.count("offered") == 2 and states.count("waiting") == 8


def test_an_overflow_agent_takes_the_call_once_the_pool_widens(floor):
    with floor.app.app_context():
        from app.floor.models import Department

        billing = db.session.scalars(select(Department).where(Department.slug == "billing")).one()
        billing.settings = {**billing.settings, "overflow": ["support"]}
        db.session.commit()
    floor.agent("busy_bee", ["billing"], state="away")
    sam = floor.agent("sam", ["support"])
    call = choose(floor)
    floor.wait(25)
    assert not sam.is_ringing  # billing's own line, for now
    floor.wait_until(lambda: sam.is_ringing, timeout=10)
    assert 29 <= float(floor.call_state(call.sid)["offered_at"]) - float(
        floor.call_state(call.sid)["since"]) < 32


def test_the_clock_restarted_mid_wait_still_fires_every_step(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    call = unknown_caller(floor, "+14155550123")
    floor.wait(18)
    # The clock process is down for 15 s: time passes with nobody firing steps.
    floor.emu.advance(15)
    floor.tick()  # a new process, nothing in memory, catches up at once
    fired = [e["step"] for e in escalations(floor)]
    assert fired == ["announce", "raise_priority", "any_language", "widen"]
    floor.wait_until(lambda: call.gathering, timeout=30)
    assert [e["step"] for e in escalations(floor)].count("offer") == 1


def test_positions_announced_never_get_worse(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    first = unknown_caller(floor, "+14155550123")
    floor.wait(8)
    assert_heard(first, "You are number 1 in line.")
    vip = choose(floor, NURUL, key="1")  # a VIP customer: goes ahead
    floor.wait(12)
    assert floor.store().waiting("billing") == [vip.sid, first.sid]
    # Overtaken, but never told a worse place than the one already given.
    assert_not_heard(first, "You are number 2 in line.")
    assert first.heard_text().count("You are number 1 in line.") >= 2
