"""Offers never hold up the clock: when its offer slots are full, the caller stays in line and
the offer comes a moment later, its lateness counted from when it was first due.

Whole calls through the emulator on virtual time (tests/flows/conftest.py's floor)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app.observability.logs import build_handler
from app.queue import escalation, queue_services
from tests.flows.conftest import NUMBER, OPEN_HOURS, Floor, emulated_floor

OFFER_TEXT = "To keep waiting and keep your place, press 1."


@pytest.fixture
def floor(app):
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)


def unknown_callers(floor, numbers: list[str]) -> list:
    """Callers nobody knows, side by side through the menus (English, no account number,
    billing), so they join the queue within the same second."""
    calls = [floor.emu.dial_in(number, NUMBER) for number in numbers]
    floor.wait_until(lambda: all(c.gathering for c in calls), timeout=60)
    for key, then in (("1", "ask"), ("*", "ask"), ("1", "queue")):
        pressed_at = floor.emu.elapsed
        for call in calls:
            call.press(key)
        if then == "ask":  # the next question, not the menu just answered
            floor.wait_until(lambda t=pressed_at: all(c.gathering and any(
                h.t > t for h in c.heard if h.kind == "say") for c in calls), timeout=60)
    floor.wait_until(lambda: all(c.in_conference for c in calls), timeout=60)
    return calls


def escalated(floor, step: str) -> dict[str, dict]:
    with floor.app.app_context():
        events = queue_services().events.recent(500)
    return {e["call_sid"]: e for e in events
            if e["type"] == "call.escalated" and e["step"] == step}


def test_with_the_offer_slots_full_the_next_offer_waits_its_turn_in_line(floor, monkeypatch):
    monkeypatch.setattr(escalation, "OFFERS_PER_THREAD", 1)
    floor.app.config["HOLD_CLOCK_OFFER_THREADS"] = 1
    floor.agent("busy_bee", ["billing"], state="away")
    first, second = unknown_callers(floor, ["+14155550123", "+14155550124"])
    # Both offers fall due in the same tick of the clock; it has one slot.
    floor.wait_until(lambda: OFFER_TEXT in first.heard_text()
                     or OFFER_TEXT in second.heard_text(), timeout=58)
    offers = escalated(floor, "offer")
    assert len(offers) == 1
    (taken,) = offers
    waiting = second if taken == first.sid else first
    # Put off, not parked: still in line (an agent freed now would take them).
    assert floor.store().waiting("billing") == [waiting.sid]
    floor.wait_until(lambda: OFFER_TEXT in waiting.heard_text(), timeout=5)
    offers = escalated(floor, "offer")
    assert set(offers) == {first.sid, second.sid}
    for call in (first, second):
        assert call.heard_text().count(OFFER_TEXT) == 1
        assert offers[call.sid]["waited"] < 60
    # Honest lateness: from when the offer was first due, not from when it was put off to.
    assert offers[waiting.sid]["late"] >= escalation.OFFER_LATER
    assert offers[waiting.sid]["waited"] - offers[taken]["waited"] >= escalation.OFFER_LATER


def test_the_steps_log_lines_carry_the_call_sid(floor):
    floor.agent("busy_bee", ["billing"], state="away")
    (call,) = unknown_callers(floor, ["+14155550123"])
    out = io.StringIO()
    handler = build_handler("json", stream=out)
    logger = logging.getLogger("app.queue.escalation")
    logger.addHandler(handler)
    try:
        floor.wait_until(lambda: OFFER_TEXT in call.heard_text(), timeout=58)
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    alerts = [line for line in lines if "hold-clock alert" in line["message"]]
    assert alerts, "the alert step logs a line"
    assert {line["call_sid"] for line in alerts} == {call.sid}
